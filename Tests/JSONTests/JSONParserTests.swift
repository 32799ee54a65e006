import JSON
import Testing

@Suite struct JSONParserTests {
    // RFC 8259 section 13, first example.
    @Test func parsesRFC8259ObjectExample() throws {
        let text = """
            {
              "Image": {
                  "Width":  800,
                  "Height": 600,
                  "Title":  "View from 15th Floor",
                  "Thumbnail": {
                      "Url":    "http://www.example.com/image/481989943",
                      "Height": 125,
                      "Width":  100
                  },
                  "Animated" : false,
                  "IDs": [116, 943, 234, 38793]
                }
            }
            """
        let expected: JSONValue = [
            "Image": [
                "Width": 800,
                "Height": 600,
                "Title": "View from 15th Floor",
                "Thumbnail": ["Url": "http://www.example.com/image/481989943", "Height": 125, "Width": 100],
                "Animated": false,
                "IDs": [116, 943, 234, 38793],
            ]
        ]
        let value = try JSONParser.parse(text)
        #expect(value == expected)
        #expect(value["Image"]?.objectValue?.keys == ["Width", "Height", "Title", "Thumbnail", "Animated", "IDs"])
    }

    // RFC 8259 section 13, second example.
    @Test func parsesRFC8259ArrayExample() throws {
        let text = """
            [
              {
                 "precision": "zip",
                 "Latitude":  37.7668,
                 "Longitude": -122.3959,
                 "Address":   "",
                 "City":      "SAN FRANCISCO",
                 "State":     "CA",
                 "Zip":       "94107",
                 "Country":   "US"
              },
              {
                 "precision": "zip",
                 "Latitude":  37.371991,
                 "Longitude": -122.026020,
                 "Address":   "",
                 "City":      "SUNNYVALE",
                 "State":     "CA",
                 "Zip":       "94085",
                 "Country":   "US"
              }
            ]
            """
        let value = try JSONParser.parse(text)
        #expect(value[0]?["Latitude"] == .double(37.7668))
        #expect(value[0]?["Longitude"] == .double(-122.3959))
        #expect(value[1]?["Longitude"] == .double(-122.026020))
        #expect(value[1]?["City"] == "SUNNYVALE")
        #expect(value[0]?["Address"] == "")
        #expect(value.arrayValue?.count == 2)
    }

    // RFC 8259 section 13: "Here are three small JSON texts containing only values".
    @Test(arguments: [
        ("\"Hello world!\"", JSONValue.string("Hello world!")),
        ("42", .int(42)),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("null", .null),
        (" \t\r\n[ ]\n", .array([])),
        ("{ }", .object(JSONObject())),
        ("[[], {}, [[]]]", JSONValue.array([[], [:], [[]]])),
    ])
    func parsesScalarsAndEmptyContainers(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func parsesChatCommand() throws {
        let text = #"""
            {"id":"c1","type":"send","group":1024,"clientMsgId":"8f2c0a4e-6f1b-4a8e-9d3c-2b7f5e1a9c40",\#
            "kind":"text","body":{"text":"明天上午九点在教学楼A201开班会"}}
            """#
        let value = try JSONParser.parse(text)
        #expect(value["group"] == .int(1024))
        #expect(value["body"]?["text"] == "明天上午九点在教学楼A201开班会")
        #expect(value.objectValue?.keys == ["id", "type", "group", "clientMsgId", "kind", "body"])
    }

    @Test(arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("7", .int(7)),
        ("-7", .int(-7)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .double(-9_223_372_036_854_775_809.0)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("0.5", .double(0.5)),
        ("-0.25", .double(-0.25)),
        ("1.0", .double(1.0)),
        ("1e2", .double(100)),
        ("1E2", .double(100)),
        ("1e+2", .double(100)),
        ("1e-2", .double(0.01)),
        ("2.5E-3", .double(0.0025)),
        ("0e0", .double(0)),
        ("0.1", .double(0.1)),
        ("3.141592653589793", .double(3.141592653589793)),
        ("1.7976931348623157e308", .double(1.7976931348623157e308)),
        ("2.2250738585072014e-308", .double(2.2250738585072014e-308)),
        ("4.9406564584124654e-324", .double(Double.leastNonzeroMagnitude)),
        ("1e-400", .double(0)),
        ("0.30000000000000004", .double(0.30000000000000004)),
        ("9007199254740993", .int(9_007_199_254_740_993)),
        ("9007199254740993.0", .double(9_007_199_254_740_992)),
        ("123456.789e3", .double(123_456_789)),
        ("1e0000000000000000000000001", .double(10)),
    ])
    func parsesNumbers(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func negativeZeroDoubleKeepsItsSign() throws {
        let value = try JSONParser.parse("-0.0")
        #expect(value.doubleValue?.sign == .minus)
        #expect(value.doubleValue == 0)
    }

    @Test(arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u4E2D""#, "Aé中"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD83D\uDE00 smile""#, "😀 smile"),
        (#""\u0000""#, "\u{0}"),
        (#""\u2028\u2029""#, "\u{2028}\u{2029}"),
        (#""a\nb""#, "a\nb"),
        ("\"明天上午九点\"", "明天上午九点"),
        ("\"😀\"", "😀"),
        ("\"\u{7F}\"", "\u{7F}"),
    ])
    func parsesStrings(text: String, expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test func stringsMayContainEscapesAndRawUTF8Together() throws {
        #expect(try JSONParser.parse(#""中\"文\u6587😀\n""#) == "中\"文文😀\n")
    }

    @Test func allInputOverloadsAgree() throws {
        let text = #"{"a":[1,2.5,"x"]}"#
        let expected = try JSONParser.parse(text)
        let array = Array(text.utf8)
        #expect(try JSONParser.parse(array) == expected)
        #expect(try JSONParser.parse(Array("xx".utf8 + array + "yy".utf8)[2..<(array.count + 2)]) == expected)
        #expect(try array.withUnsafeBytes { try JSONParser.parse($0) } == expected)
        #expect(try array.withUnsafeBufferPointer { try JSONParser.parse($0) } == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(try JSONParser.parse(array.lazy.map { $0 }) == expected)
    }

    @Test func errorOffsetsInSlicesAreRelativeToTheSlice() {
        let buffer = Array("....[1,]".utf8)
        let error = #expect(throws: JSONError.self) { try JSONParser.parse(buffer[4...]) }
        #expect(error?.offset == 3)
    }

    @Test func largeObjectsKeepOrderAndCheckDuplicatesWithASet() throws {
        let keys = (0..<500).map { "key\($0)" }
        let text = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?.keys == keys)
        let duplicated = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + ",\"key250\":2}"
        #expect(parseError(duplicated)?.kind == .duplicateKey("key250"))
    }

    @Test func nestedContainersInsideObjectsKeepTheirKeys() throws {
        let value = try JSONParser.parse(#"{"a":{"b":[{"c":{}}],"d":[]},"e":{"f":1}}"#)
        let expected: JSONValue = ["a": ["b": [["c": [:]]], "d": []], "e": ["f": 1]]
        #expect(value == expected)
        #expect(value.objectValue?.keys == ["a", "e"])
    }
}
