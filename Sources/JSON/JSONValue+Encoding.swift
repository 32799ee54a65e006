extension JSONValue {
    /// The compact UTF-8 JSON encoding of this value. Deterministic: object keys keep insertion order, and the
    /// escaping and number formats are those documented on ``JSONWriter``.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    /// The compact JSON text of this value; see ``encoded()``.
    public var jsonString: String {
        String(decoding: encoded(), as: UTF8.self)
    }
}
