// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Yizhan",
    products: [
        .executable(name: "yizhan", targets: ["yizhan"]),
        .executable(name: "yizhan-bench", targets: ["yizhan-bench"]),
    ],
    targets: [
        // System libraries, linked from Debian's -dev packages (no Swift package dependencies).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Wraps the C macros Swift cannot import (deflateInit2, SSL_CTX_set_mode, ...).
        .target(name: "CShims", dependencies: ["COpenSSL", "CZlib"]),

        // Sans-I/O protocol code: bytes in, events out.
        .target(name: "JSON"),
        .target(name: "HTTP"),
        .target(name: "WebSocket", dependencies: ["CShims"]),

        // Sockets, event loops, timers, TLS, backpressure. Knows nothing about chat.
        .target(name: "Transport", dependencies: ["CShims"]),

        .target(name: "Logging", dependencies: ["JSON"]),
        // Prometheus counters, gauges and histograms.
        .target(name: "Metrics"),
        // HS256 access tokens for users and campus systems.
        .target(name: "Auth", dependencies: ["CShims", "JSON"]),

        // The connection hub: groups, members, messages, receipts. No sockets, no SQL.
        .target(name: "Hub", dependencies: ["JSON", "RichText", "Workflow"]),
        // Hub storage on SQLite.
        .target(name: "Store", dependencies: ["Hub", "JSON", "CSQLite", "Auth"]),
        // Untrusted HTML (news articles) cleaned to an allow-list. Sans-I/O.
        .target(name: "RichText"),
        // RSS 2.0 and Atom feeds read into items for the news center. Sans-I/O.
        .target(name: "Feeds"),
        // Outbound HTTP/1.1 over plain sockets or OpenSSL (feed polling, webhooks). Blocking; run off the loops.
        .target(name: "HTTPClient", dependencies: ["CShims"]),
        // Community services' requests as state machines: states, transitions per party, history, deadlines. Pure.
        .target(name: "Workflow"),
        // Directory files (JSON, CSV) parsed into the hub's records.
        .target(name: "DirectoryImport", dependencies: ["Hub", "JSON"]),

        // HTTP server, WebSocket channels, configuration: binds the protocol layers to the transport.
        .target(
            name: "Gateway",
            dependencies: [
                "Transport", "HTTP", "WebSocket", "JSON", "Logging", "Auth", "Hub", "Store", "DirectoryImport",
                "CShims", "Metrics", "Feeds", "RichText", "HTTPClient",
            ]
        ),

        .executableTarget(name: "yizhan", dependencies: ["Gateway", "Logging", "Auth", "JSON", "Store"]),

        // Load generator for the real protocol (README "Performance").
        .executableTarget(name: "yizhan-bench", dependencies: ["WebSocket", "JSON", "Auth", "Hub", "CShims"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket", "TestSupport"]),
        .target(name: "TestSupport", dependencies: ["Transport", "CShims"], path: "Tests/TestSupport"),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "CShims", "TestSupport"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth"]),
        .testTarget(name: "HubTests", dependencies: ["Hub", "JSON", "TestSupport"]),
        .testTarget(name: "BenchTests", dependencies: ["TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Hub"]),
        .testTarget(name: "RichTextTests", dependencies: ["RichText", "TestSupport"]),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds"]),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "TestSupport", "CShims"]),
        .testTarget(name: "DirectoryImportTests", dependencies: ["DirectoryImport", "Hub"], exclude: ["Fixtures"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "WebSocket", "HTTP", "JSON", "Transport", "TestSupport", "Hub", "Auth"]
        ),
    ]
)
