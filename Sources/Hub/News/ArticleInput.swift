import JSON
import RichText

/// The fields of an article create, edit or upsert request, validated; the body already sanitised.
struct ArticleInput {
    var column: String?
    var title: String?
    var summary: String?
    var content: ArticleContent?
    var cover: String??
    var attachments: [String]?
    var link: String??
    /// `publishAt`: a time to publish at (null: clear the schedule).
    var publishAt: Timestamp??
    /// Publish at once (create) — upserts always publish.
    var publish: Bool
    var pinned: Bool?
    var important: Bool?

    static let maxTitleCharacters = 200
    static let maxSummaryCharacters = 500

    /// Reads a request body. `creating` requires column, title and body; `external` (service upserts) also takes
    /// `publishedAt` instead of `publishAt`.
    static func decode(_ body: JSONValue, creating: Bool, external: Bool) throws(HubError) -> ArticleInput {
        var input = ArticleInput(publish: external)
        do throws(JSONFieldError) {
            var fields = try JSONFields(body)
            if creating || fields.contains("column") {
                input.column = try fields.string("column", maxBytes: 64, nonEmpty: true)
            }
            if creating || fields.contains("title") {
                input.title = try fields.string("title", maxBytes: 1000, nonEmpty: true)
            }
            input.summary = try fields.optionalString("summary", maxBytes: 4000)
            if creating || fields.contains("body") {
                let html = try fields.string("body", maxBytes: 1 << 20)
                let clean: String
                do {
                    clean = try HTMLSanitizer.sanitize(html)
                } catch {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.tooLong,
                        field: "body",
                        message: "Field 'body' is longer than \(error.limit) bytes."
                    )
                }
                input.content = ArticleContent(html: clean, text: HTMLText.plainText(clean))
            }
            if fields.contains("cover") {
                input.cover = .some(try fields.optionalString("cover", maxBytes: 128, nonEmpty: true))
            }
            input.attachments = try fields.optionalStringArray(
                "attachments",
                maxCount: 20,
                maxBytes: 128,
                nonEmpty: true
            )
            if fields.contains("link") {
                let link = try fields.optionalString("link", maxBytes: 2000, nonEmpty: true)
                if let link, !(link.hasPrefix("https://") || link.hasPrefix("http://")) {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.outOfRange,
                        field: "link",
                        message: "Field 'link' must be an http:// or https:// URL."
                    )
                }
                input.link = .some(link)
            }
            let timeKey = external ? "publishedAt" : "publishAt"
            if fields.contains(timeKey) { input.publishAt = .some(try fields.optionalInt(timeKey, in: 0...Int64.max)) }
            if !external, let flag = try fields.optionalBool("publish") { input.publish = flag }
            input.pinned = try fields.optionalBool("pinned")
            input.important = try fields.optionalBool("important")
            try fields.rejectUnknownFields()
        } catch {
            throw HubError(error)
        }
        if let title = input.title, title.count > maxTitleCharacters {
            throw .invalid("Field 'title' has more than \(maxTitleCharacters) characters.")
        }
        if let summary = input.summary, summary.count > maxSummaryCharacters {
            throw .invalid("Field 'summary' has more than \(maxSummaryCharacters) characters.")
        }
        return input
    }
}
