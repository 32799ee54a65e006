import Foundation
import Glibc
import TestSupport
import Testing

/// Behaviour that only a real `yizhan` process shows.
@Suite(.serialized) struct ProcessTests {
    @Test func sigtermClosesWebSocketsWith1001AndExitsZero() throws {
        let server = try ServerProcess(arguments: ["--echo"])
        let socket = try TestWebSocket(port: server.port)
        try socket.send(text: "hi")
        #expect(socket.receiveText() == "hi")
        kill(server.pid, SIGTERM)
        #expect(socket.receiveClose() == 1001)
        try socket.send(.close, [0x03, 0xE9])
        server.process.waitUntilExit()
        usleep(50_000)
        #expect(server.process.terminationStatus == 0)
        #expect(server.logs().contains("\"msg\":\"stopped\""))
    }

    @Test func acceptBacksOffOnDescriptorExhaustionInsteadOfSpinning() throws {
        // 48 descriptors: a few for the process itself, the rest fill up quickly.
        let server = try ServerProcess(arguments: [], shellPrefix: "ulimit -n 48;")
        var clients: [TestSocket] = []
        for _ in 0..<80 {
            guard let client = try? TestSocket(port: server.port, timeout: 1) else { break }
            clients.append(client)
        }
        #expect(waitUntil { server.logs().contains("accept paused") || !server.process.isRunning })
        let before = server.cpuSeconds
        usleep(1_000_000)
        let used = server.cpuSeconds - before
        // A spinning accept loop burns a whole core; backing off costs a few wakeups per second.
        #expect(used < 0.3, "server used \(used) s of CPU in 1 s while out of descriptors")
        clients.removeAll()
        // With descriptors free again, new clients are served.
        #expect(
            waitUntil {
                guard let client = try? TestSocket(port: server.port, timeout: 1) else { return false }
                try? client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return String(decoding: client.receiveAll(), as: UTF8.self).hasPrefix("HTTP/1.1 200 ")
            }
        )
        let status = server.stop()
        #expect(status == 0, "\(server.logs().suffix(4000))")
    }
}
