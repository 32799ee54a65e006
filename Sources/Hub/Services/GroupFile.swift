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

/// Scheduled jobs by due time (a min-heap), mirrored in the store's `jobs` table.
struct JobQueue {
    private var heap: [JobRecord] = []

    var isEmpty: Bool { heap.isEmpty }

    mutating func insert(_ job: JobRecord) {
        heap.append(job)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].dueAt < heap[parent].dueAt else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popDue(_ now: Timestamp) -> [JobRecord] {
        var due: [JobRecord] = []
        while let first = heap.first, first.dueAt <= now {
            due.append(first)
            let last = heap.removeLast()
            guard !heap.isEmpty else { break }
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].dueAt < heap[smallest].dueAt { smallest = left }
                if right < heap.count, heap[right].dueAt < heap[smallest].dueAt { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}
