import JSON

/// Encodes what the hub sends: message objects, pushes and replies (Protocol/README.md "Envelope").
public enum Wire {
    /// A message as it appears in pushes, sync pages and history.
    static func messageObject(_ stored: StoredMessage) -> [UInt8] {
        let message = stored.message
        var writer = JSONWriter(capacity: 96 + message.body.count)
        writer.beginObject()
        writer.key("group")
        writer.int(message.group.rawValue)
        writer.key("seq")
        writer.int(stored.seq)
        writer.key("sender")
        if let sender = message.sender { writer.string(sender) } else { writer.null() }
        writer.key("kind")
        writer.string(message.kind.rawValue)
        writer.key("ts")
        writer.int(message.createdAt)
        if let clientMsgID = message.clientMsgID {
            writer.key("clientMsgId")
            writer.string(clientMsgID)
        }
        if let replyTo = message.replyTo {
            writer.key("replyTo")
            writer.int(replyTo)
        }
        if !message.mentions.isEmpty {
            writer.key("mentions")
            writer.beginArray()
            for user in message.mentions { writer.string(user) }
            writer.endArray()
        }
        if message.mentionAll {
            writer.key("mentionAll")
            writer.bool(true)
        }
        if stored.expired {
            writer.key("expired")
            writer.bool(true)
        } else if stored.recalled {
            writer.key("recalled")
            writer.bool(true)
        } else {
            writer.key("body")
            writer.raw(message.body)
        }
        writer.endObject()
        return writer.bytes
    }

    /// `{"type":"message","message":{…}}`: a new message in a group the session is live in.
    static func messagePush(_ object: [UInt8]) -> [UInt8] {
        var writer = JSONWriter(capacity: object.count + 32)
        writer.beginObject()
        writer.key("type")
        writer.string("message")
        writer.key("message")
        writer.raw(object)
        writer.endObject()
        return writer.bytes
    }

    /// A push of another type: `{"type":type, …fields written by body}`.
    static func push(_ type: String, _ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.key("type")
        writer.string(type)
        body(&writer)
        writer.endObject()
        return writer.bytes
    }

    /// `{"type":"reply","id":…,"ok":true,"data":{…}}`. `data` writes the data object's fields.
    static func reply(_ id: String, _ data: (inout JSONWriter) -> Void = { _ in }) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.key("type")
        writer.string("reply")
        writer.key("id")
        writer.string(id)
        writer.key("ok")
        writer.bool(true)
        writer.key("data")
        writer.beginObject()
        data(&writer)
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    /// `{"type":"reply","id":…,"ok":false,"error":{"code":…,"message":…}}`, or without an id
    /// `{"type":"error","error":{…}}` for a frame that was not a request.
    public static func error(_ error: HubError, id: String?) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.key("type")
        if let id {
            writer.string("reply")
            writer.key("id")
            writer.string(id)
            writer.key("ok")
            writer.bool(false)
        } else {
            writer.string("error")
        }
        writer.key("error")
        writer.beginObject()
        writer.key("code")
        writer.string(error.code.rawValue)
        writer.key("message")
        writer.string(error.message)
        if let retryAfter = error.retryAfter {
            writer.key("retryAfter")
            writer.double(retryAfter)
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    /// A system message body: `{"event":…, …}`.
    static func systemBody(_ event: String, _ fields: (inout JSONWriter) -> Void = { _ in }) -> [UInt8] {
        var writer = JSONWriter(capacity: 96)
        writer.beginObject()
        writer.key("event")
        writer.string(event)
        fields(&writer)
        writer.endObject()
        return writer.bytes
    }
}

extension JSONWriter {
    /// Writes `key: [users…]`.
    mutating func users(_ key: String, _ users: [UserID]) {
        self.key(key)
        beginArray()
        for user in users { string(user) }
        endArray()
    }

    /// Writes `key: user` or `key: null`.
    mutating func optionalString(_ key: String, _ value: String?) {
        self.key(key)
        if let value { string(value) } else { null() }
    }
}
