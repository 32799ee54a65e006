/// What article bodies may contain: formatting, lists, quotes, tables, links and images. Everything else is
/// removed — scripts and styles with their content, other tags keeping their text — and no attribute survives
/// that is not listed here (so no `on…` handlers and no `style`).
public struct RichTextPolicy: Sendable {
    /// Allowed elements and, for each, its allowed attributes.
    public var elements: [String: Set<String>]
    /// Attributes holding URLs, and the schemes they may use (relative URLs are always allowed).
    public var urlAttributes: [String: Set<String>]
    /// Input larger than this is refused (the caller answers 413 or a validation error).
    public var maxInputBytes: Int
    /// Elements nested deeper than this are dropped (their text stays).
    public var maxDepth: Int

    public init(
        elements: [String: Set<String>],
        urlAttributes: [String: Set<String>],
        maxInputBytes: Int = 1 << 20,
        maxDepth: Int = 32
    ) {
        self.elements = elements
        self.urlAttributes = urlAttributes
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
    }

    /// The policy for news articles.
    public static let article = RichTextPolicy(
        elements: [
            "p": [], "br": [], "hr": [], "strong": [], "b": [], "em": [], "i": [], "u": [], "s": [], "sub": [],
            "sup": [], "blockquote": [], "pre": [], "code": [], "ul": [], "ol": ["start"], "li": [], "h2": [],
            "h3": [], "h4": [], "table": [], "thead": [], "tbody": [], "tr": [], "th": ["colspan", "rowspan"],
            "td": ["colspan", "rowspan"], "figure": [], "figcaption": [], "span": [], "div": [],
            "a": ["href", "title"], "img": ["src", "alt", "width", "height"],
        ],
        urlAttributes: ["href": ["http", "https", "mailto"], "src": ["http", "https"]]
    )

    /// Elements that have no end tag.
    static let void: Set<String> = ["br", "hr", "img"]
    /// Elements removed with everything inside them (beyond the tokenizer's raw-text ones).
    static let droppedWithContent: Set<String> = [
        "object", "embed", "applet", "template", "svg", "math", "head",
        "frameset", "frame", "select", "option", "button", "form", "input", "audio", "video", "canvas",
    ]
}
