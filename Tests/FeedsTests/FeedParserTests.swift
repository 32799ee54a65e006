import Testing

@testable import Feeds

@Suite struct FeedParserTests {
    static let rss = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel>
          <title>示范大学 · 通知公告</title>
          <link>https://www.example.edu.cn/tzgg/</link>
          <item>
            <title>关于2026年寒假放假安排的通知</title>
            <link>https://www.example.edu.cn/tzgg/2026/1123/c1a2.html</link>
            <guid isPermaLink="false">tzgg-1123-c1a2</guid>
            <description><![CDATA[<p>各学院：根据校历安排……</p>]]></description>
            <content:encoded><![CDATA[<p>全文 &amp; 附件</p>]]></content:encoded>
            <pubDate>Mon, 23 Nov 2026 08:30:00 +0800</pubDate>
          </item>
          <item>
            <title>图书馆闭馆通知 &amp; 开放时间调整</title>
            <link>https://www.example.edu.cn/tzgg/2026/1120/c9f0.html</link>
            <pubDate>Fri, 20 Nov 2026 01:00:00 GMT</pubDate>
          </item>
        </channel>
        </rss>
        """

    static let atom = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
          <title type="text">计算机学院 院系公告</title>
          <entry>
            <title>研究生开题报告安排</title>
            <link rel="alternate" href="https://cs.example.edu.cn/news/42"/>
            <link rel="enclosure" href="https://cs.example.edu.cn/files/42.pdf"/>
            <id>tag:cs.example.edu.cn,2026:news-42</id>
            <updated>2026-11-22T10:00:00Z</updated>
            <published>2026-11-21T09:15:30.250+08:00</published>
            <summary type="html">&lt;p&gt;请各位同学&lt;/p&gt;</summary>
          </entry>
        </feed>
        """

    @Test func readsRSS() throws {
        let feed = try FeedParser.parse(Array(Self.rss.utf8))
        #expect(feed.title == "示范大学 · 通知公告")
        #expect(feed.items.count == 2)
        let first = feed.items[0]
        #expect(first.key == "tzgg-1123-c1a2")
        #expect(first.title == "关于2026年寒假放假安排的通知")
        #expect(first.summary == "<p>各学院：根据校历安排……</p>")
        #expect(first.content == "<p>全文 &amp; 附件</p>")
        #expect(first.published == 1_795_393_800_000)  // 2026-11-23T00:30:00Z
        // No guid: the link is the key; entities in text are decoded.
        #expect(feed.items[1].key == "https://www.example.edu.cn/tzgg/2026/1120/c9f0.html")
        #expect(feed.items[1].title == "图书馆闭馆通知 & 开放时间调整")
        #expect(feed.items[1].published == 1_795_136_400_000)
    }

    @Test func readsAtom() throws {
        let feed = try FeedParser.parse(Array(Self.atom.utf8))
        #expect(feed.title == "计算机学院 院系公告")
        let entry = try #require(feed.items.first)
        #expect(entry.key == "tag:cs.example.edu.cn,2026:news-42")
        #expect(entry.link == "https://cs.example.edu.cn/news/42")
        #expect(entry.summary == "<p>请各位同学</p>")
        #expect(entry.published == 1_795_223_730_250)  // 2026-11-21T01:15:30.250Z
    }

    @Test(arguments: [
        ("Mon, 23 Nov 2026 08:30:00 +0800", Int64(1_795_393_800_000)),
        ("23 Nov 2026 00:30:00 GMT", 1_795_393_800_000),
        ("Sun, 22 Nov 2026 19:30 EST", 1_795_393_800_000),
        ("2026-11-23T00:30:00Z", 1_795_393_800_000),
        ("2026-11-23T08:30:00+08:00", 1_795_393_800_000),
        ("1970-01-01T00:00:00.5Z", 500),
    ])
    func parsesDates(_ text: String, _ expected: Int64) {
        #expect(FeedDate.parse(text) == expected)
    }

    @Test(arguments: ["2026-13-01T00:00:00Z", "yesterday", "Mon, 32 Foo 2026 08:30:00 +0800", "2026-11-23T08:30:00"])
    func refusesOtherDates(_ text: String) {
        #expect(FeedDate.parse(text) == nil)
    }

    @Test func refusesWhatIsNotAFeedOrNotWellFormed() {
        #expect(throws: FeedError.notAFeed) { try FeedParser.parse(Array("<html><body>登录</body></html>".utf8)) }
        #expect(throws: FeedError.notAFeed) { try FeedParser.parse(Array("not xml at all".utf8)) }
        #expect(throws: FeedError.self) { try FeedParser.parse(Array("<rss><channel><title>x</channel></rss>".utf8)) }
        #expect(throws: FeedError.self) { try FeedParser.parse(Array("<rss><channel>".utf8)) }
        #expect(throws: FeedError.self) { try FeedParser.parse(Array("<rss>&xxe;</rss>".utf8)) }
        #expect(throws: FeedError.tooLarge(limit: 10)) { try FeedParser.parse(Array(Self.rss.utf8), maxBytes: 10) }
    }

    @Test func keepsAtMostTheNewestItems() throws {
        let items = (0..<50).map { "<item><guid>g\($0)</guid><title>t\($0)</title></item>" }.joined()
        let feed = try FeedParser.parse(Array("<rss><channel>\(items)</channel></rss>".utf8), maxItems: 10)
        #expect(feed.items.map(\.key) == (0..<10).map { "g\($0)" })
    }

    /// Random cuts of a real feed never crash the parser: each either parses or is a `FeedError`.
    @Test func truncatedInputIsAnErrorNotACrash() {
        let bytes = Array(Self.rss.utf8)
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            _ = try? FeedParser.parse(Array(bytes[..<cut]))
        }
    }
}
