import JSON

/// Finds the uploaded objects a stored body refers to (message bodies, records, record entries), for the
/// retention purge: an object nothing live refers to can go.
public enum ObjectReferences {
    /// Keys whose string value (or array of strings) names an object, at any depth.
    static let keys: Set<String> = ["object", "thumbnail", "cover", "attachment", "attachments"]

    public static func ids(in body: [UInt8]) -> Set<String> {
        guard let value = try? JSONParser.parse(body) else { return [] }
        var found: Set<String> = []
        collect(value, into: &found)
        return found
    }

    private static func collect(_ value: JSONValue, into found: inout Set<String>) {
        switch value {
        case .object(let fields):
            for (key, field) in fields {
                if keys.contains(key) {
                    if let id = field.stringValue { found.insert(id) }
                    for item in field.arrayValue ?? [] { if let id = item.stringValue { found.insert(id) } }
                } else {
                    collect(field, into: &found)
                }
            }
        case .array(let items):
            for item in items { collect(item, into: &found) }
        default:
            break
        }
    }
}
