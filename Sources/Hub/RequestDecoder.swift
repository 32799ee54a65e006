import JSON

/// Turns a client's text frame into a `Request`. Runs on the connection's event loop, so parsing and validation
/// are spread over the loops and the hub queue receives typed commands.
public enum RequestDecoder {
    /// A request that could not be decoded; `id` is set when the envelope had a usable one, so the error can be
    /// sent as that request's reply.
    public struct Failure: Error, Sendable, Equatable {
        public var id: String?
        public var error: HubError
    }

    /// Largest request frame accepted, in bytes (the WebSocket limit is larger; a command never needs more).
    public static let maxRequestBytes = 64 * 1024

    private static let limits: JSONLimits = {
        var limits = JSONLimits.default
        limits.maxInputBytes = maxRequestBytes
        limits.maxDepth = 16
        return limits
    }()

    public static func decode(_ bytes: [UInt8], configuration: HubConfiguration) -> Result<Request, Failure> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: limits)
        } catch {
            return .failure(Failure(id: nil, error: .invalid("The request is not valid JSON: \(error.message)")))
        }
        var fields: JSONFields
        let id: String
        do throws(JSONFieldError) {
            fields = try JSONFields(value)
            id = try fields.string("id", maxBytes: 64, nonEmpty: true)
        } catch {
            return .failure(Failure(id: nil, error: .invalid(error.message)))
        }
        do throws(HubError) {
            let command = try decodeCommand(&fields, configuration: configuration)
            return .success(Request(id: id, command: command))
        } catch {
            return .failure(Failure(id: id, error: error))
        }
    }

    private static func decodeCommand(
        _ fields: inout JSONFields,
        configuration: HubConfiguration
    ) throws(HubError) -> Command {
        let type: String
        do throws(JSONFieldError) {
            type = try fields.string("type", maxBytes: 64, nonEmpty: true)
        } catch {
            throw .invalid(error.message)
        }
        guard let decode = decoders[type] else {
            throw HubError(.unknownCommand, "Unknown command '\(type)'.")
        }
        do throws(JSONFieldError) {
            let command = try decode(&fields, configuration)
            try fields.rejectUnknownFields()
            return command
        } catch {
            throw .invalid(error.message)
        }
    }

    private typealias Decode = @Sendable (inout JSONFields, HubConfiguration) throws(JSONFieldError) -> Command

    private static let maxUsers = 1000
    private static let seqRange: ClosedRange<Int64> = 0...Int64.max

    private static func group(_ fields: inout JSONFields) throws(JSONFieldError) -> GroupID {
        GroupID(try fields.int("group", in: 1...Int64.max))
    }

    private static func user(_ fields: inout JSONFields, _ key: String = "user") throws(JSONFieldError) -> UserID {
        try fields.string(key, maxBytes: 128, nonEmpty: true)
    }

    private static func users(_ fields: inout JSONFields) throws(JSONFieldError) -> [UserID] {
        try fields.stringArray("users", maxCount: maxUsers, maxBytes: 128, nonEmpty: true)
    }

    private static func limit(
        _ fields: inout JSONFields,
        _ configuration: HubConfiguration
    ) throws(JSONFieldError) -> Int {
        try fields.optionalInt("limit", in: 1...configuration.maxPage) ?? configuration.defaultPage
    }

    private static let decoders: [String: Decode] = [
        "ping": { _, _ in .ping },
        "conversations": { _, _ in .conversations },
        "sync": { fields, configuration throws(JSONFieldError) in
            var cursors: [SyncCursor] = []
            if let value = fields.optionalValue("cursors") {
                guard case .array(let list) = value else {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.invalidType,
                        field: "cursors",
                        message: "Field 'cursors' must be an array."
                    )
                }
                guard list.count <= 10_000 else {
                    throw JSONFieldError(
                        code: JSONFieldError.Code.tooLong,
                        field: "cursors",
                        message: "Field 'cursors' has more than 10000 entries."
                    )
                }
                for (index, item) in list.enumerated() {
                    var cursor = try JSONFields(item, path: "cursors[\(index)]")
                    let group = GroupID(try cursor.int("group", in: 1...Int64.max))
                    let seq = try cursor.int("seq", in: seqRange)
                    try cursor.rejectUnknownFields()
                    cursors.append(SyncCursor(group: group, seq: seq))
                }
            }
            return .sync(cursors: cursors, limit: try limit(&fields, configuration))
        },
        "history": { fields, configuration throws(JSONFieldError) in
            .history(
                try group(&fields),
                before: try fields.optionalInt("before", in: seqRange),
                limit: try limit(&fields, configuration)
            )
        },
        "send": { fields, configuration throws(JSONFieldError) in
            let group = try group(&fields)
            let clientMsgID = try fields.string("clientMsgId", maxBytes: 64, nonEmpty: true)
            let kindName = try fields.string("kind", maxBytes: 16)
            guard let kind = MessageKind(rawValue: kindName), [.text, .image, .video, .file].contains(kind) else {
                throw JSONFieldError(
                    code: JSONFieldError.Code.outOfRange,
                    field: "kind",
                    message: "Field 'kind' must be one of text, image, video, file."
                )
            }
            let bodyValue = try fields.value("body")
            let body: [UInt8]
            do throws(HubError) {
                body = try MessageBody.canonical(kind: kind, bodyValue, configuration: configuration)
            } catch {
                throw JSONFieldError(code: JSONFieldError.Code.invalidType, field: "body", message: error.message)
            }
            let mentions =
                try fields.optionalStringArray(
                    "mentions",
                    maxCount: configuration.maxMentions,
                    maxBytes: 128,
                    nonEmpty: true
                ) ?? []
            return .send(
                SendCommand(
                    group: group,
                    clientMsgID: clientMsgID,
                    kind: kind,
                    body: body,
                    replyTo: try fields.optionalInt("replyTo", in: 1...Int64.max),
                    mentions: mentions,
                    mentionAll: try fields.optionalBool("mentionAll") ?? false
                )
            )
        },
        "recall": { fields, _ throws(JSONFieldError) in
            .recall(try group(&fields), seq: try fields.int("seq", in: 1...Int64.max))
        },
        "read": { fields, _ throws(JSONFieldError) in
            .read(try group(&fields), seq: try fields.int("seq", in: seqRange))
        },
        "receipts": { fields, _ throws(JSONFieldError) in
            .receipts(try group(&fields), seq: try fields.int("seq", in: 1...Int64.max))
        },
        "group.info": { fields, _ throws(JSONFieldError) in .groupInfo(try group(&fields)) },
        "group.create": { fields, configuration throws(JSONFieldError) in
            .groupCreate(
                name: try fields.string("name", maxBytes: configuration.maxGroupNameLength * 4, nonEmpty: true),
                members: try fields.optionalStringArray("members", maxCount: maxUsers, maxBytes: 128, nonEmpty: true)
                    ?? []
            )
        },
        "group.rename": { fields, configuration throws(JSONFieldError) in
            .groupRename(
                try group(&fields),
                name: try fields.string("name", maxBytes: configuration.maxGroupNameLength * 4, nonEmpty: true)
            )
        },
        "group.addMembers": { fields, _ throws(JSONFieldError) in
            .groupAddMembers(try group(&fields), users: try users(&fields))
        },
        "group.removeMembers": { fields, _ throws(JSONFieldError) in
            .groupRemoveMembers(try group(&fields), users: try users(&fields))
        },
        "group.leave": { fields, _ throws(JSONFieldError) in .groupLeave(try group(&fields)) },
        "group.setAdmin": { fields, _ throws(JSONFieldError) in
            .groupSetAdmin(try group(&fields), user: try user(&fields), admin: try fields.bool("admin"))
        },
        "group.transferOwner": { fields, _ throws(JSONFieldError) in
            .groupTransferOwner(try group(&fields), user: try user(&fields))
        },
        "group.muteAll": { fields, _ throws(JSONFieldError) in
            .groupMuteAll(try group(&fields), muted: try fields.bool("muted"))
        },
        "group.muteMember": { fields, _ throws(JSONFieldError) in
            .groupMuteMember(
                try group(&fields),
                user: try user(&fields),
                until: try fields.int("until", in: 1...Int64.max)
            )
        },
        "group.unmuteMember": { fields, _ throws(JSONFieldError) in
            .groupMuteMember(try group(&fields), user: try user(&fields), until: nil)
        },
        "group.freeze": { fields, _ throws(JSONFieldError) in
            .groupFreeze(try group(&fields), frozen: try fields.bool("frozen"))
        },
        "group.dissolve": { fields, _ throws(JSONFieldError) in .groupDissolve(try group(&fields)) },
        "group.settings": { fields, _ throws(JSONFieldError) in
            .groupSettings(try group(&fields), allowMemberCards: try fields.bool("allowMemberCards"))
        },
        "card.publish": { fields, _ throws(JSONFieldError) in
            .cardPublish(
                try group(&fields),
                clientMsgID: try fields.string("clientMsgId", maxBytes: 64, nonEmpty: true),
                card: try fields.value("card")
            )
        },
        "card.get": { fields, _ throws(JSONFieldError) in .cardGet(try id(&fields, "card")) },
        "card.respond": { fields, _ throws(JSONFieldError) in
            .cardRespond(try id(&fields, "card"), response: try fields.value("response"))
        },
        "card.stats": { fields, _ throws(JSONFieldError) in .cardStats(try id(&fields, "card")) },
        "card.close": { fields, _ throws(JSONFieldError) in .cardClose(try id(&fields, "card")) },
        "task.publish": { fields, _ throws(JSONFieldError) in
            .taskPublish(
                try group(&fields),
                clientMsgID: try fields.string("clientMsgId", maxBytes: 64, nonEmpty: true),
                task: try fields.value("task")
            )
        },
        "task.get": { fields, _ throws(JSONFieldError) in .taskGet(try id(&fields, "task")) },
        "task.complete": { fields, _ throws(JSONFieldError) in
            .taskComplete(
                try id(&fields, "task"),
                note: try fields.optionalString("note", maxBytes: 2000),
                attachment: try fields.optionalString("attachment", maxBytes: 128, nonEmpty: true)
            )
        },
        "task.undo": { fields, _ throws(JSONFieldError) in .taskUndo(try id(&fields, "task")) },
        "task.excuse": { fields, _ throws(JSONFieldError) in
            .taskExcuse(try id(&fields, "task"), user: try user(&fields), excused: try fields.bool("excused"))
        },
        "task.progress": { fields, _ throws(JSONFieldError) in .taskProgress(try id(&fields, "task")) },
        "task.remind": { fields, _ throws(JSONFieldError) in .taskRemind(try id(&fields, "task")) },
        "file.list": { fields, _ throws(JSONFieldError) in .fileList(try group(&fields)) },
        "file.add": { fields, _ throws(JSONFieldError) in
            .fileAdd(
                try group(&fields),
                object: try fields.string("object", maxBytes: 128, nonEmpty: true),
                name: try fields.optionalString("name", maxBytes: 1020, nonEmpty: true)
            )
        },
        "file.rename": { fields, _ throws(JSONFieldError) in
            .fileRename(try id(&fields, "file"), name: try fields.string("name", maxBytes: 1020, nonEmpty: true))
        },
        "file.delete": { fields, _ throws(JSONFieldError) in .fileDelete(try id(&fields, "file")) },
    ]

    private static func id(_ fields: inout JSONFields, _ key: String) throws(JSONFieldError) -> Int64 {
        try fields.int(key, in: 1...Int64.max)
    }
}
