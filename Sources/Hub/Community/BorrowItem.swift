import JSON

/// An item of the community's lending catalog (社区物资: sports equipment, tools, umbrellas): how many there are,
/// who lends them out, where, and the limits of one request. `held` counts what requests hold now (requested,
/// approved, borrowed or overdue); the store refuses to let it pass `stock` or go below zero.
final class BorrowItem {
    let id: String
    var name: String
    var category: String
    var stock: Int64
    var held: Int64 = 0
    var managers: [UserID]
    /// Where it is picked up and returned.
    var place: String
    var maxPerRequest: Int64
    var maxDays: Int64
    var archived: Bool
    var version: Int64 = 1

    init(id: String) {
        self.id = id
        self.name = id
        self.category = "other"
        self.stock = 0
        self.managers = []
        self.place = ""
        self.maxPerRequest = 1
        self.maxDays = 7
        self.archived = false
    }

    var available: Int64 { max(0, stock - held) }

    func apply(_ fields: inout JSONFields, creating: Bool) throws(JSONFieldError) {
        if creating || fields.contains("name") { name = try fields.string("name", maxBytes: 200, nonEmpty: true) }
        if let category = try fields.optionalString("category", maxBytes: 64, nonEmpty: true) {
            self.category = category
        }
        if creating || fields.contains("stock") { stock = try fields.int("stock", in: Int64(0)...Int64(100_000)) }
        if creating || fields.contains("managers") {
            managers = Array(Set(try fields.stringArray("managers", maxCount: 50, maxBytes: 128, nonEmpty: true)))
                .sorted()
        }
        if let place = try fields.optionalString("place", maxBytes: 200) { self.place = place }
        if let limit = try fields.optionalInt("maxPerRequest", in: Int64(1)...Int64(1000)) { maxPerRequest = limit }
        if let days = try fields.optionalInt("maxDays", in: Int64(1)...Int64(365)) { maxDays = days }
        if let flag = try fields.optionalBool("archived") { archived = flag }
    }

    var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "category": .string(category), "stock": .int(stock),
            "available": .int(available), "managers": .array(managers.map { .string($0) }), "place": .string(place),
            "maxPerRequest": .int(maxPerRequest), "maxDays": .int(maxDays), "archived": .bool(archived),
            "version": .int(version),
        ]
    }

    var doc: CommunityDoc {
        var value = json
        if case .object(var object) = value {
            object["available"] = nil
            object["held"] = .int(held)
            value = .object(object)
        }
        return CommunityDoc(kind: "borrow.item", id: id, body: value.encoded())
    }

    static func restore(_ doc: CommunityDoc) -> BorrowItem? {
        guard let value = try? JSONParser.parse(doc.body) else { return nil }
        let item = BorrowItem(id: doc.id)
        item.name = value["name"]?.stringValue ?? doc.id
        item.category = value["category"]?.stringValue ?? "other"
        item.stock = value["stock"]?.int64Value ?? 0
        item.held = value["held"]?.int64Value ?? 0
        item.managers = (value["managers"]?.arrayValue ?? []).compactMap(\.stringValue)
        item.place = value["place"]?.stringValue ?? ""
        item.maxPerRequest = value["maxPerRequest"]?.int64Value ?? 1
        item.maxDays = value["maxDays"]?.int64Value ?? 7
        item.archived = value["archived"]?.boolValue ?? false
        item.version = value["version"]?.int64Value ?? 1
        return item
    }
}
