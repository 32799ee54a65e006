/// A close status code (RFC 6455 §7.4).
///
/// Any 16-bit value can be represented, because a peer can send any value; ``isValidOnWire(_:)`` says whether a
/// value may appear in a close frame.
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit status code.
    public let rawValue: UInt16

    /// Wraps any 16-bit value.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// 1000: normal closure.
    public static let normal = CloseCode(rawValue: 1000)
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    public static let goingAway = CloseCode(rawValue: 1001)
    /// 1002: protocol error.
    public static let protocolError = CloseCode(rawValue: 1002)
    /// 1003: a data type the endpoint cannot accept.
    public static let unsupportedData = CloseCode(rawValue: 1003)
    /// 1005: no status code was present. Reported locally, never sent in a close frame.
    public static let noStatus = CloseCode(rawValue: 1005)
    /// 1006: the connection closed without a close frame. Reported locally, never sent in a close frame.
    public static let abnormal = CloseCode(rawValue: 1006)
    /// 1007: message data inconsistent with its type, such as invalid UTF-8 in a text message.
    public static let invalidPayload = CloseCode(rawValue: 1007)
    /// 1008: a message violates the endpoint's policy.
    public static let policyViolation = CloseCode(rawValue: 1008)
    /// 1009: a frame or message is too big to process.
    public static let messageTooBig = CloseCode(rawValue: 1009)
    /// 1010: the client expected the server to negotiate an extension it did not.
    public static let mandatoryExtension = CloseCode(rawValue: 1010)
    /// 1011: the server met an unexpected condition.
    public static let internalError = CloseCode(rawValue: 1011)
    /// 1012: the service is restarting (IANA registry).
    public static let serviceRestart = CloseCode(rawValue: 1012)
    /// 1013: try again later (IANA registry).
    public static let tryAgainLater = CloseCode(rawValue: 1013)
    /// 1014: a gateway or proxy received an invalid response upstream (IANA registry).
    public static let badGateway = CloseCode(rawValue: 1014)

    /// Whether `raw` may be sent or received in a close frame.
    ///
    /// Valid: 1000–1003, 1007–1014 and 3000–4999. Invalid: everything below 1000, 1004 (reserved), 1005 and 1006
    /// (local-only, RFC 6455 §7.4.1), 1015 (TLS failure, local-only), 1016–2999 (reserved for future RFCs and not
    /// registered) and 5000 and above. 1012–1014 are accepted because IANA registered them after RFC 6455 and servers
    /// do send them. This matches Autobahn cases 7.7.x (valid codes echoed) and 7.9.x (invalid codes answered with
    /// 1002).
    public static func isValidOnWire(_ raw: UInt16) -> Bool {
        switch raw {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    /// Whether this code may appear in a close frame. See ``isValidOnWire(_:)``.
    public var isValidOnWire: Bool {
        Self.isValidOnWire(rawValue)
    }

    /// The decimal code, such as `1000`.
    public var description: String {
        String(rawValue)
    }
}
