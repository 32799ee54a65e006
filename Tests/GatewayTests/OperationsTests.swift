import Foundation
import Gateway
import Glibc
import TestSupport
import Testing

/// Health, readiness and Prometheus metrics.
@Suite struct OperationsTests {
    func get(_ port: UInt16, _ path: String, headers: String = "") throws -> String {
        let client = try TestSocket(port: port)
        try client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\(headers)Connection: close\r\n\r\n")
        return String(decoding: client.receiveAll(), as: UTF8.self)
    }

    func body(_ response: String) -> String {
        String(response.split(separator: "\r\n\r\n", maxSplits: 1).last ?? "")
    }

    @Test func metricsNeedTheOpsTokenAndParseAsPrometheusText() throws {
        let server = try HubTestServer { $0.opsToken = "ops-secret-token" }
        // Some traffic, so the counters have something to say.
        let client = try server.connect("S1")
        #expect(try client.request(["type": "sync"]).isOK)
        #expect(
            try client.request([
                "type": "send", "group": .int(server.group("class:se2301")), "clientMsgId": "m", "kind": "text",
                "body": ["text": "x"],
            ]).isOK
        )
        #expect(try get(server.port, "/metrics").hasPrefix("HTTP/1.1 401 "))
        #expect(
            try get(server.port, "/metrics", headers: "Authorization: Bearer wrong-token-xxxxxx\r\n").hasPrefix(
                "HTTP/1.1 401 "
            )
        )
        let response = try get(server.port, "/metrics", headers: "Authorization: Bearer ops-secret-token\r\n")
        #expect(response.hasPrefix("HTTP/1.1 200 "))
        #expect(response.contains("text/plain; version=0.0.4"))
        let (status, families) = try runPython("parse_metrics.py", [], stdin: body(response))
        #expect(status == 0, "\(families)")
        for name in [
            "yizhan_connections", "yizhan_websocket_connections", "yizhan_websocket_handshakes", "yizhan_hub_requests",
            "yizhan_hub_deliveries", "yizhan_outbound_queued_bytes", "yizhan_slow_consumer_disconnects",
            "yizhan_store_commit_seconds", "yizhan_store_batch_operations", "yizhan_scheduler_lag_seconds",
            "yizhan_http_requests", "yizhan_http_request_duration_seconds", "process_cpu_seconds",
            "process_resident_memory_bytes",
        ] {
            #expect(families.contains("\(name) "), "missing \(name)")
        }
        #expect(body(response).contains(#"yizhan_websocket_handshakes_total{outcome="ok"} 1"#))
        #expect(body(response).contains("yizhan_store_commit_seconds_count"))
        // The send above was pushed to the sender's own connection.
        let deliveries = body(response).split(separator: "\n").first { $0.hasPrefix("yizhan_hub_deliveries_total ") }
        #expect((deliveries?.split(separator: " ").last).flatMap { Double($0) } ?? 0 >= 1, "\(deliveries ?? "none")")
    }

    @Test func anOpsListenerServesMetricsWithoutTheMainPort() throws {
        let server = try HubTestServer { $0.opsListen = "127.0.0.1:0" }
        let opsPort = try #require(server.server.opsAddress?.port)
        #expect(try get(opsPort, "/metrics").hasPrefix("HTTP/1.1 200 "))
        #expect(try get(opsPort, "/readyz").contains(#""status":"ready""#))
        // Without ops.token the main port has no metrics at all.
        #expect(try get(server.port, "/metrics").hasPrefix("HTTP/1.1 404 "))
        #expect(try get(server.port, "/readyz").hasPrefix("HTTP/1.1 200 "))
    }
}
