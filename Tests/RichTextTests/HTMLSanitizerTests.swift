import TestSupport
import Testing

@testable import RichText

/// The article policy against what editors paste and what attackers try (OWASP XSS filter evasion cheat sheet).
@Suite struct HTMLSanitizerTests {
    func clean(_ html: String) -> String {
        (try? HTMLSanitizer.sanitize(html)) ?? "<refused>"
    }

    @Test func keepsTheFormattingArticlesUse() {
        let article = """
            <h2>关于寒假离校的通知</h2><p>各位同学：<br>请于<strong>1月15日</strong>前完成<em>离校登记</em>。</p>\
            <ul><li>关好门窗</li><li>拔掉电源</li></ul><p><a href="https://www.example.edu.cn/notice" title="原文">原文</a>\
            <img src="/v1/files/k5tdr2wq7ymbx3fzh4nc6gvle4" alt="示意图" width="600"></p>\
            <table><tbody><tr><td colspan="2">1</td></tr></tbody></table>
            """
        #expect(clean(article) == article)
    }

    @Test(arguments: [
        ("<script>alert(1)</script>正文", "正文"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>正文", "正文"),
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
        ("<style>body{display:none}</style>正文", "正文"),
        ("<iframe src=\"https://evil.example\">内嵌</iframe>正文", "正文"),
        ("<svg><script>alert(1)</script></svg>正文", "正文"),
        ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ("<p onclick=\"alert(1)\" style=\"color:red\">段落</p>", "<p>段落</p>"),
        ("<a href=\"javascript:alert(1)\">点</a>", "<a>点</a>"),
        ("<a href=\"JaVaScRiPt:alert(1)\">点</a>", "<a>点</a>"),
        ("<a href=\" javascript:alert(1)\">点</a>", "<a>点</a>"),
        ("<a href=\"java&#x09;script:alert(1)\">点</a>", "<a>点</a>"),
        ("<a href=\"java&#0000009script:alert(1)\">点</a>", "<a>点</a>"),
        ("<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">点</a>", "<a>点</a>"),
        ("<a href=\"javascript&colon;alert(1)\">点</a>", "<a>点</a>"),
        ("<a href=\"data:text/html;base64,PHNjcmlwdD4=\">点</a>", "<a>点</a>"),
        ("<a href=\"vbscript:msgbox(1)\">点</a>", "<a>点</a>"),
        ("<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">", "<img>"),
        ("<a href=\"mailto:xsc@example.edu.cn\">信箱</a>", "<a href=\"mailto:xsc@example.edu.cn\">信箱</a>"),
        ("<a href=\"/news/12?x=a:b\">站内</a>", "<a href=\"/news/12?x=a:b\">站内</a>"),
        ("<img src=\"x\" width=\"100%\" height=\"1e9\">", "<img src=\"x\">"),
        ("<a href='x' title='a\"b'>t</a>", "<a href=\"x\" title=\"a&quot;b\">t</a>"),
        ("<div><p>未闭合", "<div><p>未闭合</p></div>"),
        ("</p>多余的结束标签</div>", "多余的结束标签"),
        ("<b><i>交叉</b></i>", "<b><i>交叉</i></b>"),
        ("<!-- <script>alert(1)</script> -->注释后", "注释后"),
        ("<!DOCTYPE html><?xml version=\"1.0\"?>文本", "文本"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<font color=red>颜色</font>", "颜色"),
        ("<form action=\"https://evil.example\"><input name=p></form>表单后", "表单后"),
        ("<img src=\"x\"/><br/>", "<img src=\"x\"><br>"),
        ("<p title=\"&#0;\">x</p>", "<p>x</p>"),
        ("<img src", ""),
    ])
    func neutralises(_ input: String, _ expected: String) {
        #expect(clean(input) == expected, "\(input)")
    }

    @Test func unsafeAttributeValuesAreEscapedNotTrusted() {
        // An allowed attribute keeps its text, quoted and escaped: it cannot close the tag.
        #expect(clean("<a title='\"><script>'>x</a>") == "<a title=\"&quot;&gt;&lt;script&gt;\">x</a>")
        // `p` allows no attributes at all.
        #expect(clean("<p title='x\" onmouseover=\"alert(1)'>t</p>") == "<p>t</p>")
    }

    @Test func limitsHold() {
        let deep = String(repeating: "<div>", count: 100) + "底" + String(repeating: "</div>", count: 100)
        let cleaned = clean(deep)
        #expect(
            cleaned.split(separator: "<div>", omittingEmptySubsequences: false).count - 1
                == RichTextPolicy.article.maxDepth
        )
        #expect(cleaned.contains("底"))
        let big = String(repeating: "a", count: RichTextPolicy.article.maxInputBytes + 1)
        #expect(throws: HTMLSanitizer.TooLarge.self) { try HTMLSanitizer.sanitize(big) }
    }

    /// The tags of sanitized output: every `<` in it starts one (text has its `<` escaped).
    static func tags(in html: String) -> [Substring] {
        var tags: [Substring] = []
        var rest = html[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else {
                tags.append(rest[open...])
                break
            }
            tags.append(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return tags
    }

    /// Whatever the input, the output re-sanitizes to itself and opens no tag outside the allow-list.
    @Test func outputIsAFixedPointOnNoise() {
        var generator = SplitMix64(seed: 2026)
        let pieces = [
            "<", ">", "/", "a", "p", "script", "img", " src=", "\"", "'", "=", "javascript:", "&#", "x", ";",
            "onerror", "<!--", "-->", "中", " ", "\t",
        ]
        for _ in 0..<2000 {
            let input = (0..<Int.random(in: 1...30, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            let once = clean(input)
            #expect(clean(once) == once, "\(input) → \(once)")
            // Text may say anything (it is escaped); what matters is inside the tags.
            for tag in Self.tags(in: once) {
                let name = tag.dropFirst(tag.hasPrefix("</") ? 2 : 1).prefix { $0.isLetter || $0.isNumber }
                #expect(RichTextPolicy.article.elements[String(name)] != nil, "\(input) → \(tag)")
                // Attribute names (what is left without the quoted values) are all allowed ones…
                let names = tag.split(separator: "\"").enumerated().filter { $0.offset.isMultiple(of: 2) }
                    .map(\.element).joined()
                let attributes = names.split(separator: " ").dropFirst()
                #expect(!attributes.contains { $0.hasPrefix("on") }, "\(input) → \(tag)")
                // …and URL values are relative or of an allowed scheme.
                for attribute in ["href=\"", "src=\""] {
                    guard let range = tag.range(of: attribute) else { continue }
                    let value = tag[range.upperBound...].prefix { $0 != "\"" }.lowercased()
                    #expect(!value.hasPrefix("javascript:") && !value.hasPrefix("data:"), "\(input) → \(tag)")
                }
            }
        }
    }
}
