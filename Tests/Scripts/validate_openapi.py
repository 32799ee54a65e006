#!/usr/bin/env python3
"""Checks Protocol/openapi.json (OpenAPI 3.1) and validates answers of a live server against its schemas.

Usage: validate_openapi.py OPENAPI.json [OBSERVED.json]

Without OBSERVED.json it checks the document itself:
- `openapi` is 3.1.x; with the `openapi-spec-validator` package installed, the document passes it too;
- every `$ref` resolves (inside the document, or into hub.schema.json next to it);
- every Schema Object is a valid JSON Schema (draft 2020-12);
- every path template's `{name}` has a required path parameter of that name, and every path parameter appears in
  its template; operation ids are unique;
- every example — of a media type (`examples`), a parameter or a header (`example`) — is valid against its schema.

OBSERVED.json is {"observed": [{"schema": "/json/pointer/to/a/schema/in/the/document", "instance": ...,
"place": "..."}]}: answers of a live server (bodies, header values), each validated against the documented schema.

Schemas may use hub.schema.json's extensions `x-maxBytes` and `x-maxCharacters` (see validate_protocol_schema.py).
Prints one line per problem and exits 1 if there is any; exits 0 silently otherwise. Needs jsonschema >= 4.18.
"""
import json
import os
import re
import sys

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from validate_protocol_schema import Validator

BASE = "https://yizhan.invalid/protocol/openapi.json"
METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]


def escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens):
    return "".join("/" + escape(token) for token in tokens)


def lookup(document, path):
    node = document
    for token in path.split("/")[1:] if path else []:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


class Checker:
    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as file:
            self.document = json.load(file)
        hub_path = os.path.join(os.path.dirname(os.path.abspath(path)), "hub.schema.json")
        with open(hub_path, encoding="utf-8") as file:
            self.hub = json.load(file)
        self.registry = Registry().with_resources(
            [(BASE, DRAFT202012.create_resource(self.document)), (self.hub["$id"], DRAFT202012.create_resource(self.hub))]
        )
        self.problems = []
        self.validators = {}

    def problem(self, text):
        if text not in self.problems:  # shared components are reached from many operations
            self.problems.append(text)

    def deref(self, node, at):
        """Follows `$ref`s of non-schema objects (responses, parameters, headers, examples) inside the document."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            target = node["$ref"]
            if not target.startswith("#/") or target in seen:
                self.problem(f"{at}: $ref {target!r} must point into this document (and not loop)")
                return None, at
            seen.add(target)
            try:
                node, at = lookup(self.document, target[1:]), target[1:]
            except (KeyError, IndexError, ValueError):
                self.problem(f"{at}: $ref {target!r} does not resolve")
                return None, at
        return node, at

    def validator(self, at):
        if at not in self.validators:
            self.validators[at] = Validator({"$ref": BASE + "#" + at}, registry=self.registry)
        return self.validators[at]

    def validate(self, instance, schema_at, place):
        try:
            errors = list(self.validator(schema_at).iter_errors(instance))
        except Exception as error:  # an unresolvable $ref inside the schema
            self.problem(f"{place}: cannot validate against {schema_at}: {str(error).splitlines()[0][:300]}")
            return
        if errors:
            best = min(errors, key=lambda e: len(list(e.absolute_path)))
            path = "/".join(str(p) for p in best.absolute_path)
            detail = best.message if len(best.message) < 300 else best.message[:300] + "…"
            self.problem(f"{place}: does not match the schema at {schema_at} (at '{path}'): {detail}")

    def check_schema(self, schema, at):
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as error:
            self.problem(f"{at}: not a valid JSON Schema: {str(error).splitlines()[0]}")
            return
        for ref_at, target in self.refs(schema, at):
            try:
                self.registry.resolver(base_uri=BASE).lookup(target if not target.startswith("#") else BASE + target)
            except Exception:
                self.problem(f"{ref_at}: $ref {target!r} does not resolve")

    def refs(self, node, at):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    yield at, value
                else:
                    yield from self.refs(value, at + "/" + escape(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from self.refs(value, f"{at}/{index}")

    def check_media(self, content, at):
        for media_type, media in content.items():
            media_at = at + pointer("content", media_type)
            schema = media.get("schema")
            if schema is not None:
                self.check_schema(schema, media_at + "/schema")
            for name, example in media.get("examples", {}).items():
                example, example_at = self.deref(example, media_at + pointer("examples", name))
                if example is None:
                    continue
                if "value" not in example:
                    self.problem(f"{example_at}: an example without a value")
                elif schema is not None:
                    self.validate(example["value"], media_at + "/schema", example_at)

    def check_single(self, node, at, kind):
        """A parameter or header: its schema, and its example."""
        schema = node.get("schema")
        if schema is None:
            self.problem(f"{at}: a {kind} without a schema")
            return
        self.check_schema(schema, at + "/schema")
        if "example" in node:
            self.validate(node["example"], at + "/schema", at + "/example")

    def check_document(self):
        version = self.document.get("openapi", "")
        if not re.fullmatch(r"3\.1\.\d+", version):
            self.problem(f"openapi is {version!r}, not 3.1.x")
        try:
            from openapi_spec_validator import validate

            # Its resolver reads hub.schema.json from the file system, next to the document.
            validate(self.document, base_uri="file://" + os.path.abspath(self.path))
        except ImportError:
            pass  # optional: the checks below do not need it
        except Exception as error:
            self.problem(f"openapi-spec-validator: {str(error).splitlines()[0]}")
        for name, schema in self.document.get("components", {}).get("schemas", {}).items():
            self.check_schema(schema, pointer("components", "schemas", name))
        operation_ids = {}
        for path, item in self.document.get("paths", {}).items():
            item_at = pointer("paths", path)
            template = set(re.findall(r"\{([^}]+)\}", path))
            shared = item.get("parameters", [])
            for method in METHODS:
                if method not in item:
                    continue
                operation = item[method]
                at = item_at + "/" + method
                place = f"{method.upper()} {path}"
                operation_id = operation.get("operationId")
                if operation_id in operation_ids:
                    self.problem(f"{place}: operationId {operation_id!r} is also {operation_ids[operation_id]}'s")
                operation_ids[operation_id] = place
                path_parameters = set()
                declared = [(f"{item_at}/parameters/{i}", p) for i, p in enumerate(shared)]
                declared += [(f"{at}/parameters/{i}", p) for i, p in enumerate(operation.get("parameters", []))]
                for parameter_at, parameter in declared:
                    parameter, parameter_at = self.deref(parameter, parameter_at)
                    if parameter is None:
                        continue
                    self.check_single(parameter, parameter_at, "parameter")
                    if parameter.get("in") == "path":
                        path_parameters.add(parameter.get("name"))
                        if parameter.get("required") is not True:
                            self.problem(f"{parameter_at}: a path parameter must be required")
                if path_parameters != template:
                    self.problem(f"{place}: the template names {sorted(template)}, the parameters {sorted(path_parameters)}")
                body = operation.get("requestBody")
                if body is not None:
                    body, body_at = self.deref(body, at + "/requestBody")
                    if body is not None:
                        self.check_media(body.get("content", {}), body_at)
                responses = operation.get("responses", {})
                if not responses:
                    self.problem(f"{place}: no responses")
                for status, response in responses.items():
                    if not re.fullmatch(r"[1-5]\d\d|default", status):
                        self.problem(f"{place}: response {status!r} is not a status code or default")
                    response, response_at = self.deref(response, at + pointer("responses", status))
                    if response is None:
                        continue
                    if "description" not in response:
                        self.problem(f"{response_at}: a response without a description")
                    for name, header in response.get("headers", {}).items():
                        header, header_at = self.deref(header, response_at + pointer("headers", name))
                        if header is not None:
                            self.check_single(header, header_at, "header")
                    self.check_media(response.get("content", {}), response_at)
        for name, header in self.document.get("components", {}).get("headers", {}).items():
            self.check_single(header, pointer("components", "headers", name), "header")
        for name, parameter in self.document.get("components", {}).get("parameters", {}).items():
            self.check_single(parameter, pointer("components", "parameters", name), "parameter")


def main():
    checker = Checker(sys.argv[1])
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as file:
            observed = json.load(file)["observed"]
        for entry in observed:
            try:
                lookup(checker.document, entry["schema"])
            except (KeyError, IndexError, ValueError):
                checker.problem(f"{entry['place']}: the document has nothing at {entry['schema']}")
                continue
            checker.validate(entry["instance"], entry["schema"], entry["place"])
    else:
        checker.check_document()
    for problem in checker.problems:
        print(problem)
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
