import JSON
import Testing

@Suite struct JSONValueTests {
    @Test func literalsBuildTheExpectedCases() {
        let value: JSONValue = ["type": "send", "group": 12, "ratio": 0.5, "ok": true, "none": nil, "tags": ["a"]]
        let expected = JSONValue.object(
            JSONObject([
                (key: "type", value: .string("send")),
                (key: "group", value: .int(12)),
                (key: "ratio", value: .double(0.5)),
                (key: "ok", value: .bool(true)),
                (key: "none", value: .null),
                (key: "tags", value: .array([.string("a")])),
            ])
        )
        #expect(value == expected)
        let name = "李雷"
        let interpolated: JSONValue = "\(name) joined"
        #expect(interpolated == .string("李雷 joined"))
    }

    @Test func accessorsReturnPayloadsOnlyForTheirCase() {
        let value: JSONValue = ["i": 5, "d": 5.0, "s": "x", "b": false, "a": [1, 2], "o": ["k": 1], "n": nil]
        #expect(value["i"]?.int64Value == 5)
        #expect(value["i"]?.intValue == 5)
        #expect(value["i"]?.doubleValue == 5)
        #expect(value["d"]?.int64Value == nil)
        #expect(value["d"]?.doubleValue == 5)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["s"]?.int64Value == nil)
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?.arrayValue == [1, 2])
        #expect(value["a"]?[1] == 2)
        #expect(value["a"]?[2] == nil)
        #expect(value["a"]?[-1] == nil)
        #expect(value["o"]?.objectValue?["k"] == 1)
        #expect(value["n"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value[0] == nil)
        #expect(JSONValue.int(1)["k"] == nil)
    }

    @Test func kindDescriptionsNameTheType() {
        let values: [JSONValue] = [nil, true, 1, 1.5, "s", [], [:]]
        #expect(
            values.map(\.kindDescription) == [
                "null", "a boolean", "an integer", "a number", "a string", "an array", "an object",
            ]
        )
    }

    @Test func numbersOfDifferentCasesAreNotEqual() {
        #expect(JSONValue.int(1) != JSONValue.double(1))
        #expect(JSONValue.double(0) == JSONValue.double(-0.0))
    }

    @Test func objectEqualityIgnoresKeyOrder() {
        let first: JSONValue = ["a": 1, "b": [1, 2]]
        let second: JSONValue = ["b": [1, 2], "a": 1]
        #expect(first == second)
        #expect(first.jsonString != second.jsonString)
        #expect(first != ["a": 1, "b": [2, 1]])
        #expect(first != ["a": 1])
        #expect(first != ["a": 1, "c": [1, 2]])
    }
}
