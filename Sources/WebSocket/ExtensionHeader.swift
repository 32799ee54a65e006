/// One parameter of an extension offer: `name` or `name=value`.
public struct ExtensionParameter: Hashable, Sendable {
    /// The parameter name, lowercased.
    public var name: String
    /// The value with quotes and escapes removed, or `nil` if the parameter has none.
    public var value: String?

    /// Creates a parameter.
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// One element of a `Sec-WebSocket-Extensions` header: an extension name and its parameters.
public struct ExtensionOffer: Hashable, Sendable {
    /// The extension name, lowercased, such as `permessage-deflate`.
    public var name: String
    /// The parameters in the order given (duplicates are kept so that negotiation can reject them).
    public var parameters: [ExtensionParameter]

    /// Creates an offer.
    public init(name: String, parameters: [ExtensionParameter] = []) {
        self.name = name
        self.parameters = parameters
    }
}

/// A linear-time parser for `Sec-WebSocket-Extensions` (RFC 6455 §9.1):
///
///     extension-list  = 1#extension
///     extension       = token *( OWS ";" OWS extension-param )
///     extension-param = token [ OWS "=" OWS ( token / quoted-string ) ]
///
/// A quoted value must be a token once unquoted (§9.1). An element that does not parse is skipped — it is a
/// declined offer, not a failed handshake — and parsing resumes after the next comma outside a quoted string.
/// Every byte is examined a bounded number of times, with no backtracking, so hostile headers cost time
/// proportional to their length (cf. CVE-2020-7662, CVE-2021-32640).
public enum ExtensionHeader {
    /// Parses every element of one header value.
    public static func parse(_ value: String) -> [ExtensionOffer] {
        parse(CollectionOfOne(value))
    }

    /// Parses every element of several header values (a header may be repeated), in order.
    public static func parse(_ values: some Sequence<String>) -> [ExtensionOffer] {
        var offers: [ExtensionOffer] = []
        for value in values {
            var value = value
            value.withUTF8 { bytes in
                _ = scan(bytes) { name, parameters in
                    offers.append(
                        ExtensionOffer(
                            name: lowercasedString(bytes[name]),
                            parameters: parameters.map { parameter in
                                ExtensionParameter(
                                    name: lowercasedString(bytes[parameter.name]),
                                    value: parameter.value.map { unquoted(bytes[$0]) }
                                )
                            }
                        )
                    )
                    return true
                }
            }
        }
        return offers
    }

    /// Byte ranges of a parameter inside the scanned buffer; `value` includes the quotes of a quoted string.
    struct RawParameter {
        var name: Range<Int>
        var value: Range<Int>?
    }

    /// Calls `visit` with the name range and parameters of each well-formed element until it returns `false`;
    /// returns `false` if stopped early. The parameter array passed to `visit` is reused between calls.
    @discardableResult
    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ visit: (_ name: Range<Int>, _ parameters: [RawParameter]) -> Bool
    ) -> Bool {
        var parameters: [RawParameter] = []
        var index = 0
        let end = bytes.count

        func skipWhitespace() {
            while index < end && ASCII.isWhitespace(bytes[index]) { index += 1 }
        }
        func token() -> Range<Int>? {
            let start = index
            while index < end && ASCII.isTokenCharacter(bytes[index]) { index += 1 }
            return start < index ? start..<index : nil
        }
        // A quoted-string whose unescaped content is a non-empty token; index is on the opening quote. Always
        // consumes through the closing quote, so that recovery resumes outside the string.
        func quotedToken() -> Range<Int>? {
            let start = index
            index += 1
            var length = 0
            var isToken = true
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return isToken && length > 0 ? start..<index : nil
                }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < end else { return nil }
                }
                if !ASCII.isTokenCharacter(bytes[index]) { isToken = false }
                length += 1
                index += 1
            }
            return nil
        }
        // One element; nil if malformed. Leaves index on the comma or end that follows a well-formed element.
        func element() -> Range<Int>? {
            guard let name = token() else { return nil }
            parameters.removeAll(keepingCapacity: true)
            skipWhitespace()
            while index < end && bytes[index] == UInt8(ascii: ";") {
                index += 1
                skipWhitespace()
                guard let parameterName = token() else { return nil }
                skipWhitespace()
                var value: Range<Int>?
                if index < end && bytes[index] == UInt8(ascii: "=") {
                    index += 1
                    skipWhitespace()
                    guard index < end else { return nil }
                    value = bytes[index] == UInt8(ascii: "\"") ? quotedToken() : token()
                    guard value != nil else { return nil }
                    skipWhitespace()
                }
                parameters.append(RawParameter(name: parameterName, value: value))
            }
            guard index == end || bytes[index] == UInt8(ascii: ",") else { return nil }
            return name
        }
        // Moves past the next comma that is not inside a quoted string (or to the end).
        func skipMalformed() {
            var quoted = false
            while index < end {
                let byte = bytes[index]
                index += 1
                if quoted {
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        quoted = false
                    }
                } else if byte == UInt8(ascii: "\"") {
                    quoted = true
                } else if byte == UInt8(ascii: ",") {
                    return
                }
            }
        }

        while index < end {
            skipWhitespace()
            guard index < end else { break }
            // RFC 9110 §5.6.1: empty list elements are allowed and ignored.
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if let name = element() {
                if !visit(name, parameters) { return false }
                index += 1
            } else {
                skipMalformed()
            }
        }
        return true
    }

    static func lowercasedString(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(decoding: bytes.map(ASCII.lowercased), as: UTF8.self)
    }

    /// A token, or a quoted-string with its quotes and backslash escapes removed.
    static func unquoted(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        guard bytes.first == UInt8(ascii: "\"") else { return String(decoding: bytes, as: UTF8.self) }
        var result: [UInt8] = []
        var escaped = false
        for byte in bytes.dropFirst().dropLast() {
            if !escaped && byte == UInt8(ascii: "\\") {
                escaped = true
                continue
            }
            escaped = false
            result.append(byte)
        }
        return String(decoding: result, as: UTF8.self)
    }
}
