import Testing
import WebSocket

@Suite struct PerMessageDeflateTests {
    private func negotiate(_ header: String, _ options: DeflateOptions = DeflateOptions()) -> String? {
        PerMessageDeflate.negotiate(headerValues: [header], options: options)?.responseHeaderValue
    }

    static let base = "permessage-deflate; server_no_context_takeover"
    static let ownWindow = DeflateOptions(requestClientNoContextTakeover: false)

    @Test(
        arguments: [
            // Plain offers; the server always adds server_no_context_takeover.
            ("permessage-deflate", base),
            ("permessage-deflate; server_no_context_takeover", base),
            ("permessage-deflate; client_no_context_takeover", base + "; client_no_context_takeover"),
            // client_max_window_bits: offered bare, the server may pick (default 15, so nothing is said).
            ("permessage-deflate; client_max_window_bits", base),
            ("permessage-deflate; client_max_window_bits=10", base + "; client_max_window_bits=10"),
            ("permessage-deflate; client_max_window_bits=8", base + "; client_max_window_bits=8"),
            ("permessage-deflate; client_max_window_bits=15", base),
            // server_max_window_bits must be echoed when offered.
            ("permessage-deflate; server_max_window_bits=10", base + "; server_max_window_bits=10"),
            ("permessage-deflate; server_max_window_bits=15", base + "; server_max_window_bits=15"),
            ("permessage-deflate; server_max_window_bits=\"9\"", base + "; server_max_window_bits=9"),
            // Autobahn 13.x offers.
            (
                "permessage-deflate; client_no_context_takeover; client_max_window_bits",
                base + "; client_no_context_takeover"
            ),
            (
                "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; "
                    + "server_max_window_bits=9",
                base + "; client_no_context_takeover; server_max_window_bits=9"
            ),
            // Declined offers.
            ("permessage-deflate; server_max_window_bits=8", nil),  // zlib cannot deflate with 8 bits
            ("permessage-deflate; server_max_window_bits", nil),  // value required
            ("permessage-deflate; server_max_window_bits=7", nil),
            ("permessage-deflate; server_max_window_bits=16", nil),
            ("permessage-deflate; server_max_window_bits=010", nil),  // leading zero
            ("permessage-deflate; client_max_window_bits=0x9", nil),
            ("permessage-deflate; client_max_window_bits=7", nil),
            ("permessage-deflate; server_no_context_takeover=1", nil),  // no value allowed
            ("permessage-deflate; client_no_context_takeover=\"x\"", nil),
            ("permessage-deflate; client_no_context_takeover; client_no_context_takeover", nil),  // duplicate
            ("permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", nil),
            ("permessage-deflate; client_max_window_bits; client_max_window_bits=9", nil),
            ("permessage-deflate; mystery", nil),  // unknown parameter
            ("x-webkit-deflate-frame", nil),
            ("", nil),
            // The first acceptable offer wins; declined ones are skipped.
            (
                "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=12",
                base + "; server_max_window_bits=12"
            ),
            (
                "foo, permessage-deflate; bogus, permessage-deflate; client_max_window_bits=11",
                base + "; client_max_window_bits=11"
            ),
            ("permessage-deflate; server_max_window_bits=\"1 0\", permessage-deflate", base),
        ] as [(String, String?)]
    )
    func negotiatesWithOwnWindowPolicy(offer: String, response: String?) {
        #expect(negotiate(offer, Self.ownWindow) == response)
    }

    @Test func requestsClientNoContextTakeoverByDefault() {
        #expect(negotiate("permessage-deflate") == Self.base + "; client_no_context_takeover")
        let agreed = PerMessageDeflate.negotiate(headerValues: ["permessage-deflate"], options: DeflateOptions())
        #expect(agreed?.clientNoContextTakeover == true)
        #expect(agreed?.serverNoContextTakeover == true)
    }

    @Test(arguments: [
        ("permessage-deflate; client_max_window_bits", 10, "; client_max_window_bits=10"),
        ("permessage-deflate; client_max_window_bits=12", 10, "; client_max_window_bits=10"),
        ("permessage-deflate; client_max_window_bits=9", 10, "; client_max_window_bits=9"),
        // Not offered: RFC 7692 §7.1.2.2 forbids answering with it, and the inflater must use 15.
        ("permessage-deflate", 10, ""),
    ])
    func serverChoosesClientWindow(offer: String, preferred: Int, suffix: String) {
        let options = DeflateOptions(clientMaxWindowBits: preferred, requestClientNoContextTakeover: false)
        #expect(negotiate(offer, options) == Self.base + suffix)
        let agreed = PerMessageDeflate.negotiate(headerValues: [offer], options: options)
        let expectedBits = suffix.isEmpty ? 15 : Int(suffix.split(separator: "=").last!)!
        #expect(agreed?.clientMaxWindowBits == expectedBits)
    }

    @Test func serverWindowIsTheSmallerOfOfferAndOptions() {
        let options = DeflateOptions(serverMaxWindowBits: 12, requestClientNoContextTakeover: false)
        #expect(
            negotiate("permessage-deflate; server_max_window_bits=14", options) == Self.base
                + "; server_max_window_bits=12"
        )
        #expect(
            negotiate("permessage-deflate; server_max_window_bits=10", options) == Self.base
                + "; server_max_window_bits=10"
        )
        // Not offered: nothing to say, and a 12-bit deflater is fine for a client that accepts 15.
        let agreed = PerMessageDeflate.negotiate(headerValues: ["permessage-deflate"], options: options)
        #expect(agreed?.serverMaxWindowBits == 15)
        #expect(agreed?.responseHeaderValue == Self.base)
    }

    @Test func negotiatesAcrossRepeatedHeadersAndParsedOffers() {
        let values = ["permessage-deflate; nope", "permessage-deflate; client_max_window_bits=9"]
        let agreed = PerMessageDeflate.negotiate(headerValues: values, options: Self.ownWindow)
        #expect(agreed?.clientMaxWindowBits == 9)
        let parsed = PerMessageDeflate.negotiate(offers: ExtensionHeader.parse(values), options: Self.ownWindow)
        #expect(parsed == agreed)
    }
}
