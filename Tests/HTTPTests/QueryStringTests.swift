import HTTP
import Testing

@Suite struct QueryStringTests {
    @Test func parsesPairs() {
        let pairs = QueryString.parse("q=hello+world&tag=a&tag=b%26c&empty=&flag&&=v&x=%E4%B8%AD")
        #expect(pairs.map(\.0) == ["q", "tag", "tag", "empty", "flag", "", "x"])
        #expect(pairs.map(\.1) == ["hello world", "a", "b&c", "", "", "v", "中"])
    }

    @Test func lookups() {
        let query = QueryString("limit=10&tag=a&tag=b&flag")
        #expect(query["limit"] == "10")
        #expect(query["missing"] == nil)
        #expect(query.values(for: "tag") == ["a", "b"])
        #expect(query.contains("flag"))
        #expect(query["flag"] == "")
        #expect(query.count == 4)
        #expect(query.map(\.name) == ["limit", "tag", "tag", "flag"])
    }

    @Test(arguments: [nil, "", "&", "&&&"] as [String?])
    func emptyQueries(_ raw: String?) {
        #expect(QueryString(raw).isEmpty)
    }

    @Test func malformedEscapesAreKept() {
        #expect(QueryString("a=%&b=%4&c=%zz&d=%FF&e=1%2B1")["a"] == "%")
        let query = QueryString("a=%&b=%4&c=%zz&d=%FF&e=1%2B1")
        #expect(query["b"] == "%4")
        #expect(query["c"] == "%zz")
        #expect(query["d"] == "\u{FFFD}")
        #expect(query["e"] == "1+1")
    }
}
