import JSON
import Testing

@Suite struct JSONObjectTests {
    @Test func subscriptSetsReplacesAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["c"] = 3
        object["a"] = 10
        object["b"] = nil
        object["missing"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object.values == [10, 3])
        #expect(object["a"] == 10)
        #expect(object["b"] == nil)
    }

    @Test func setAppendAndRemove() {
        var object = JSONObject()
        object.append("x", 1)
        object.set("y", "two")
        object.set("x", 3)
        #expect(object.keys == ["x", "y"])
        #expect(object["x"] == 3)
        #expect(object.removeValue(forKey: "x") == 3)
        #expect(object.removeValue(forKey: "x") == nil)
        #expect(object.count == 1)
    }

    @Test func initFromPairsKeepsFirstPositionAndLastValue() {
        let object = JSONObject([(key: "a", value: 1), (key: "b", value: 2), (key: "a", value: 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test func iteratesInInsertionOrder() {
        let object: JSONObject = ["one": 1, "two": 2, "three": 3]
        var seen: [String] = []
        for (key, value) in object {
            seen.append("\(key)=\(value)")
        }
        #expect(seen == ["one=1", "two=2", "three=3"])
        #expect(object.index(forKey: "two") == 1)
        #expect(object[1].key == "two")
        #expect(object.pairs.count == 3)
    }

    @Test func canonicallyEquivalentKeysAreTheSameKey() throws {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301): Swift String equality, hence one key.
        let object: JSONObject = ["\u{E9}": 1]
        #expect(object["e\u{301}"] == 1)
        #expect(parseError("{\"\u{E9}\":1,\"e\u{301}\":2}")?.kind == .duplicateKey("e\u{301}"))
    }
}
