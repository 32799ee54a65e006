import JSON

/// A user's choices about columns: ones subscribed beyond the defaults, defaults turned off, and their order
/// (栏目排序). Columns not in `order` follow, by their default position.
struct NewsPreferences: Equatable {
    var subscribed: Set<String> = []
    var unsubscribed: Set<String> = []
    var order: [String] = []

    func doc(user: UserID) -> NewsDoc {
        let value: JSONValue = [
            "subscribed": .array(subscribed.sorted().map { .string($0) }),
            "unsubscribed": .array(unsubscribed.sorted().map { .string($0) }),
            "order": .array(order.map { .string($0) }),
        ]
        return NewsDoc(kind: .preferences, id: user, body: value.encoded())
    }

    static func restore(_ doc: NewsDoc) -> NewsPreferences {
        let value = try? JSONParser.parse(doc.body)
        func list(_ key: String) -> [String] { (value?[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        return NewsPreferences(
            subscribed: Set(list("subscribed")),
            unsubscribed: Set(list("unsubscribed")),
            order: list("order")
        )
    }
}
