import JSON

/// Validates a client's message body for its kind and re-encodes it canonically (fixed key order, only known
/// fields), so what is stored and fanned out is exactly what the protocol allows.
enum MessageBody {
    static func canonical(
        kind: MessageKind,
        _ value: JSONValue,
        configuration: HubConfiguration
    ) throws(HubError) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        do throws(JSONFieldError) {
            var fields = try JSONFields(value, path: "body")
            writer.beginObject()
            switch kind {
            case .text:
                let text = try fields.string("text", maxBytes: configuration.maxTextLength * 4, nonEmpty: true)
                guard text.count <= configuration.maxTextLength else {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.tooLong,
                        field: "body.text",
                        message: "Field 'body.text' is longer than \(configuration.maxTextLength) characters."
                    )
                }
                writer.key("text")
                writer.string(text)
            case .image, .video, .file:
                writer.key("object")
                writer.string(try fields.string("object", maxBytes: 128, nonEmpty: true))
                if kind == .file {
                    writer.key("name")
                    writer.string(try fields.string("name", maxBytes: 255, nonEmpty: true))
                } else {
                    try optionalString(&fields, "name", 255, &writer)
                }
                // The hub replaces size and mime with the stored object's, so a client need not send them.
                try optionalInt(&fields, "size", 0...(1 << 40), &writer)
                try optionalString(&fields, "mime", 127, &writer)
                try optionalInt(&fields, "width", 0...100_000, &writer)
                try optionalInt(&fields, "height", 0...100_000, &writer)
                if kind == .video {
                    if let duration = try fields.optionalDouble("duration", in: 0...86_400) {
                        writer.key("duration")
                        writer.double(duration)
                    }
                    try optionalString(&fields, "cover", 128, &writer)
                }
                if kind == .image { try optionalString(&fields, "thumbnail", 128, &writer) }
            case .system, .card, .task, .reminder, .app:
                throw JSONFieldError(
                    code: JSONFieldError.Code.outOfRange,
                    field: "kind",
                    message: "Messages of kind \(kind.rawValue) are written by the server, not sent."
                )
            }
            writer.endObject()
            try fields.rejectUnknownFields()
        } catch {
            throw HubError.invalid(error.message)
        }
        guard writer.bytes.count <= configuration.maxBodyBytes else {
            throw HubError.invalid("The message body is larger than \(configuration.maxBodyBytes) bytes.")
        }
        return writer.bytes
    }

    private static func optionalString(
        _ fields: inout JSONFields,
        _ key: String,
        _ maxBytes: Int,
        _ writer: inout JSONWriter
    ) throws(JSONFieldError) {
        guard let value = try fields.optionalString(key, maxBytes: maxBytes) else { return }
        writer.key(key)
        writer.string(value)
    }

    private static func optionalInt(
        _ fields: inout JSONFields,
        _ key: String,
        _ range: ClosedRange<Int>,
        _ writer: inout JSONWriter
    ) throws(JSONFieldError) {
        guard let value = try fields.optionalInt(key, in: range) else { return }
        writer.key(key)
        writer.int(value)
    }
}
