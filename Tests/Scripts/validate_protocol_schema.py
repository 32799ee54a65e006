#!/usr/bin/env python3
"""Validates protocol frames against Protocol/hub.schema.json (JSON Schema 2020-12).

Usage: validate_protocol_schema.py CHECKS.json

CHECKS.json is {"schema": "path/to/hub.schema.json", "checks": [{"def": "reply.send", "instance": {...},
"valid": true, "place": "messaging.json step 4 reply"}, ...]}. Each instance is validated against
#/$defs/<def>; "valid": false means the schema must reject it (a request the server refuses while decoding).

Besides the standard keywords it checks the schema's two extensions, which the server enforces:
- "x-maxBytes": the most UTF-8 bytes a string may have;
- "x-maxCharacters": the most user-perceived characters (extended grapheme clusters) a string may have,
  counted with the `regex` module's \\X when it is installed, else as code points (never fewer than graphemes).

Prints one line per problem and exits 1 if there is any; exits 0 silently otherwise. Needs jsonschema >= 4.18.
"""
import json
import sys

from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource

try:
    import regex

    def characters(text):
        return len(regex.findall(r"\X", text))
except ImportError:  # code points: an upper bound of the grapheme count

    def characters(text):
        return len(text)


def max_bytes(validator, limit, instance, schema):
    if validator.is_type(instance, "string") and len(instance.encode("utf-8")) > limit:
        yield ValidationError(f"{instance[:40]!r}… has more than {limit} UTF-8 bytes")


def max_characters(validator, limit, instance, schema):
    if validator.is_type(instance, "string") and characters(instance) > limit:
        yield ValidationError(f"{instance[:40]!r}… has more than {limit} characters")


Validator = validators.extend(Draft202012Validator, {"x-maxBytes": max_bytes, "x-maxCharacters": max_characters})


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        job = json.load(file)
    with open(job["schema"], encoding="utf-8") as file:
        schema = json.load(file)
    problems = []
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as error:  # the schema itself is broken
        print(f"hub.schema.json is not a valid JSON Schema: {error}")
        return 1
    base = schema["$id"]
    registry = Registry().with_resource(base, Resource.from_contents(schema))
    validators_by_def = {}
    for check in job["checks"]:
        name = check["def"]
        if name not in schema["$defs"]:
            problems.append(f"{check['place']}: hub.schema.json has no $defs entry {name!r}")
            continue
        if name not in validators_by_def:
            validators_by_def[name] = Validator({"$ref": f"{base}#/$defs/{name}"}, registry=registry)
        errors = list(validators_by_def[name].iter_errors(check["instance"]))
        if check.get("valid", True) and errors:
            best = min(errors, key=lambda e: len(list(e.absolute_path)))
            path = "/".join(str(p) for p in best.absolute_path)
            detail = best.message if len(best.message) < 300 else best.message[:300] + "…"
            problems.append(f"{check['place']}: does not match $defs/{name} at '{path}': {detail}")
        elif not check.get("valid", True) and not errors:
            problems.append(f"{check['place']}: the server refuses it, but it matches $defs/{name}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
