import JSON

/// A file in a group's library (群文件): an uploaded object under a display name.
struct GroupFile: Sendable, Equatable {
    var id: Int64
    var group: GroupID
    var object: String
    var name: String
    var uploader: UserID
    var createdAt: Timestamp
    var deletedAt: Timestamp?

    var record: ServiceRecord {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.key("object")
        writer.string(object)
        writer.key("name")
        writer.string(name)
        writer.key("uploader")
        writer.string(uploader)
        writer.endObject()
        return ServiceRecord(
            kind: .groupFile,
            id: id,
            group: group,
            body: writer.bytes,
            createdAt: createdAt,
            closedAt: deletedAt
        )
    }

    static func restore(_ record: ServiceRecord) -> GroupFile? {
        guard let value = try? JSONParser.parse(record.body), let object = value["object"]?.stringValue,
            let name = value["name"]?.stringValue, let uploader = value["uploader"]?.stringValue
        else { return nil }
        return GroupFile(
            id: record.id,
            group: record.group,
            object: object,
            name: name,
            uploader: uploader,
            createdAt: record.createdAt,
            deletedAt: record.closedAt
        )
    }

    func write(to writer: inout JSONWriter, object record: ObjectRecord?) {
        writer.beginObject()
        writer.key("file")
        writer.int(id)
        writer.key("object")
        writer.string(object)
        writer.key("name")
        writer.string(name)
        writer.key("uploader")
        writer.string(uploader)
        writer.key("createdAt")
        writer.int(createdAt)
        if let record {
            writer.key("size")
            writer.int(record.size)
            writer.key("mime")
            writer.string(record.mime)
        }
        writer.endObject()
    }
}
