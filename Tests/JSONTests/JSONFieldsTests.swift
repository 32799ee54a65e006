import JSON
import Testing

@Suite struct JSONFieldsTests {
    let command: JSONValue = [
        "type": "send",
        "group": 1024,
        "limit": 20,
        "ratio": 0.75,
        "whole": 3,
        "silent": false,
        "text": "明天见",
        "empty": "",
        "nothing": nil,
        "mentions": [1, 2, 3],
        "tags": ["a", "b"],
        "meta": ["client": "ios", "version": 3],
        "payload": ["any": [1, "x"]],
    ]

    @Test func readsEveryTypeOnTheHappyPath() throws {
        var fields = try JSONFields(command)
        #expect(try fields.string("type") == "send")
        let group: Int64 = try fields.int("group", in: 1...Int64.max)
        #expect(group == 1024)
        let limit: Int = try fields.int("limit", in: 1...100)
        #expect(limit == 20)
        #expect(try fields.double("ratio", in: 0...1) == 0.75)
        #expect(try fields.double("whole") == 3)
        #expect(try fields.bool("silent") == false)
        #expect(try fields.optionalString("text", maxBytes: 9, nonEmpty: true) == "明天见")
        #expect(try fields.optionalString("empty") == "")
        #expect(try fields.optionalString("nothing") == nil)
        #expect(try fields.optionalString("absent") == nil)
        #expect(try fields.intArray("mentions", maxCount: 3) == [1, 2, 3])
        #expect(try fields.stringArray("tags", maxCount: 2, maxBytes: 1, nonEmpty: true) == ["a", "b"])
        var meta = try fields.object("meta")
        #expect(meta.path == "meta")
        #expect(try meta.string("client") == "ios")
        #expect(try meta.optionalInt("version", in: 1...10) == 3)
        try meta.rejectUnknownFields()
        #expect(try fields.value("payload") == ["any": [1, "x"]])
        try fields.rejectUnknownFields()
    }

    @Test func intRangeTypeSelectsTheResultType() throws {
        var fields = try JSONFields(command)
        let limit = try fields.int("limit", in: 1...100)
        let group = try fields.int("group")
        let optionalLimit = try fields.optionalInt("limit", in: 1...100)
        let narrowed: Int64 = try fields.int("limit", in: 1...100)
        #expect(type(of: limit) == Int.self)
        #expect(type(of: group) == Int64.self)
        #expect(type(of: optionalLimit) == Int?.self)
        #expect(narrowed == 20)
    }

    @Test func optionalReadersReturnNilForAbsentAndNull() throws {
        var fields = try JSONFields(["nothing": nil])
        #expect(try fields.optionalInt("nothing") == nil)
        #expect(try fields.optionalInt("absent", in: 1...2) == nil)
        #expect(try fields.optionalDouble("nothing") == nil)
        #expect(try fields.optionalBool("nothing") == nil)
        #expect(try fields.optionalStringArray("nothing") == nil)
        #expect(try fields.optionalIntArray("nothing") == nil)
        #expect(try fields.optionalObject("nothing") == nil)
        #expect(fields.optionalValue("nothing") == nil)
        #expect(fields.contains("nothing"))
        #expect(!fields.contains("absent"))
        try fields.rejectUnknownFields()
    }

    @Test func optionalReadersStillValidatePresentValues() throws {
        var fields = try JSONFields(["n": "x", "o": 1, "a": [1, "x"]])
        #expect(fieldError { try fields.optionalInt("n") }?.code == "invalid_type")
        #expect(fieldError { try fields.optionalObject("o") }?.message == "Field 'o' must be an object.")
        #expect(fieldError { try fields.optionalIntArray("a") }?.field == "a[1]")
        #expect(fieldError { try fields.optionalDouble("n") }?.code == "invalid_type")
        #expect(fieldError { try fields.optionalBool("n") }?.code == "invalid_type")
        #expect(fieldError { try fields.optionalStringArray("a") }?.field == "a[0]")
        #expect(fieldError { try fields.optionalInt("o", in: 2...3) }?.code == "out_of_range")
        #expect(fieldError { try fields.optionalString("n", maxBytes: 0) }?.code == "too_long")
    }

    @Test func missingField() throws {
        var fields = try JSONFields(command)
        let error = fieldError { try fields.int("absent") }
        #expect(error == JSONFieldError(code: "missing_field", field: "absent", message: "Field 'absent' is required."))
        #expect(fieldError { try fields.string("nothing") }?.code == "missing_field")
        var meta = try fields.object("meta")
        #expect(
            fieldError { try meta.bool("debug") }
                == JSONFieldError(
                    code: "missing_field",
                    field: "meta.debug",
                    message: "Field 'meta.debug' is required."
                )
        )
    }

    @Test(arguments: [
        ("group", "a string"), ("type", "an integer"), ("text", "a number"), ("group", "a boolean"),
        ("group", "an array"), ("group", "an object"), ("ratio", "an integer"),
    ])
    func invalidType(key: String, expected: String) throws {
        var fields = try JSONFields(command)
        let error = fieldError { () throws -> Any in
            switch expected {
            case "a string": return try fields.string(key)
            case "an integer": return try fields.int(key)
            case "a number": return try fields.double(key)
            case "a boolean": return try fields.bool(key)
            case "an array": return try fields.intArray(key)
            default: return try fields.object(key)
            }
        }
        #expect(
            error == JSONFieldError(code: "invalid_type", field: key, message: "Field '\(key)' must be \(expected).")
        )
    }

    @Test func invalidTypeOfTheValueItself() {
        let error = fieldError { try JSONFields([1, 2]) }
        #expect(error == JSONFieldError(code: "invalid_type", field: "", message: "The value must be an object."))
        let nested = fieldError { try JSONFields("x", path: "body") }
        #expect(nested?.message == "Field 'body' must be an object.")
    }

    @Test func invalidTypeOfArrayElementsNamesTheElement() throws {
        var fields = try JSONFields(["ids": [1, "2", 3], "tags": ["a", 2]])
        #expect(
            fieldError { try fields.intArray("ids") }
                == JSONFieldError(code: "invalid_type", field: "ids[1]", message: "Field 'ids[1]' must be an integer.")
        )
        #expect(fieldError { try fields.stringArray("tags") }?.message == "Field 'tags[1]' must be a string.")
    }

    @Test func integersMustBeIntegerLiterals() throws {
        var fields = try JSONFields(JSONParser.parse(#"{"a":5.0,"b":1e2,"c":5}"#))
        #expect(fieldError { try fields.int("a") }?.code == "invalid_type")
        #expect(fieldError { try fields.int("b") }?.code == "invalid_type")
        #expect(try fields.int("c") == 5)
    }

    @Test func outOfRange() throws {
        var fields = try JSONFields(JSONParser.parse(#"{"group":0,"limit":101,"huge":99999999999999999999,"r":1.5}"#))
        #expect(
            fieldError { try fields.int("group", in: 1...Int64.max) }
                == JSONFieldError(
                    code: "out_of_range",
                    field: "group",
                    message: "Field 'group' must be between 1 and 9223372036854775807."
                )
        )
        #expect(
            fieldError { try fields.int("limit", in: 1...100) }?.message == "Field 'limit' must be between 1 and 100."
        )
        #expect(fieldError { try fields.int("huge") }?.code == "out_of_range")
        #expect(fieldError { try fields.double("r", in: 0...1) }?.message == "Field 'r' must be between 0.0 and 1.0.")
        var list = try JSONFields(["ids": [1, 50]])
        #expect(fieldError { try list.intArray("ids", in: 1...10) }?.field == "ids[1]")
    }

    @Test func tooLong() throws {
        var fields = try JSONFields(command)
        #expect(
            fieldError { try fields.string("text", maxBytes: 8) }
                == JSONFieldError(code: "too_long", field: "text", message: "Field 'text' must be at most 8 bytes.")
        )
        #expect(
            fieldError { try fields.intArray("mentions", maxCount: 2) }
                == JSONFieldError(
                    code: "too_long",
                    field: "mentions",
                    message: "Field 'mentions' must be at most 2 items."
                )
        )
        #expect(
            fieldError { try fields.stringArray("tags", maxCount: 1) }?.message
                == "Field 'tags' must be at most 1 item."
        )
        #expect(fieldError { try fields.stringArray("tags", maxBytes: 0) }?.field == "tags[0]")
    }

    @Test func emptyValue() throws {
        var fields = try JSONFields(["meta": ["name": ""], "list": ["x", ""]])
        var meta = try fields.object("meta")
        #expect(
            fieldError { try meta.string("name", nonEmpty: true) }
                == JSONFieldError(
                    code: "empty_value",
                    field: "meta.name",
                    message: "Field 'meta.name' must not be empty."
                )
        )
        #expect(fieldError { try fields.stringArray("list", nonEmpty: true) }?.field == "list[1]")
    }

    @Test func unknownField() throws {
        var fields = try JSONFields(["type": "send", "foo": 1, "meta": ["a": 1, "bar": 2]])
        _ = try fields.string("type")
        var meta = try fields.object("meta")
        _ = try meta.int("a")
        #expect(
            fieldError { try fields.rejectUnknownFields() }
                == JSONFieldError(code: "unknown_field", field: "foo", message: "Unknown field 'foo'.")
        )
        #expect(
            fieldError { try meta.rejectUnknownFields() }
                == JSONFieldError(code: "unknown_field", field: "meta.bar", message: "Unknown field 'meta.bar'.")
        )
        fields.ignore("foo")
        try fields.rejectUnknownFields()
    }

    @Test func failedReadsStillCountAsRead() throws {
        var fields = try JSONFields(["a": "x"])
        _ = fieldError { try fields.int("a") }
        try fields.rejectUnknownFields()
    }

    @Test func tracksReadFieldsBeyondSixtyFour() throws {
        let object = JSONObject((0..<100).map { (key: "k\($0)", value: JSONValue.int(Int64($0))) })
        var fields = JSONFields(object: object)
        for index in 0..<100 where index != 70 {
            #expect(try fields.int("k\(index)") == Int64(index))
        }
        #expect(fieldError { try fields.rejectUnknownFields() }?.field == "k70")
        #expect(try fields.int("k70") == 70)
        try fields.rejectUnknownFields()
    }

    @Test func errorCodeConstantsAreStable() {
        #expect(JSONFieldError.Code.missingField == "missing_field")
        #expect(JSONFieldError.Code.invalidType == "invalid_type")
        #expect(JSONFieldError.Code.outOfRange == "out_of_range")
        #expect(JSONFieldError.Code.tooLong == "too_long")
        #expect(JSONFieldError.Code.emptyValue == "empty_value")
        #expect(JSONFieldError.Code.unknownField == "unknown_field")
        #expect(JSONFieldError(code: "x", field: "f", message: "m").description == "m")
    }
}
