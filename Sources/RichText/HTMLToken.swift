/// One piece of an HTML fragment, as the tokenizer sees it.
enum HTMLToken: Equatable {
    /// Character data, entities already decoded.
    case text(String)
    /// `<name attr=value …>`; names lower-cased, values decoded. `selfClosing` for `<br/>`.
    case start(name: String, attributes: [(name: String, value: String)], selfClosing: Bool)
    case end(name: String)

    static func == (lhs: HTMLToken, rhs: HTMLToken) -> Bool {
        switch (lhs, rhs) {
        case (.text(let a), .text(let b)): a == b
        case (.end(let a), .end(let b)): a == b
        case (.start(let a, let x, let p), .start(let b, let y, let q)):
            a == b && p == q && x.map(\.name) == y.map(\.name) && x.map(\.value) == y.map(\.value)
        default: false
        }
    }
}
