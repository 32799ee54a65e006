import CShims
import Foundation
import Glibc
import TestSupport
import Testing

@testable import Transport

/// A blocking TLS client over `TestSocket`, verifying nothing (the certificate is self-signed).
final class TestTLSClient {
    let socket: TestSocket
    let context: OpaquePointer
    let ssl: OpaquePointer

    init(port: UInt16, maxVersion: Int32 = 0) throws {
        socket = try TestSocket(port: port)
        context = SSL_CTX_new(TLS_client_method())!
        if maxVersion != 0 {
            SSL_CTX_ctrl(context, SSL_CTRL_SET_MAX_PROTO_VERSION, Int(maxVersion), nil)
            SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(maxVersion), nil)
            SSL_CTX_set_security_level(context, 0)
        }
        ssl = SSL_new(context)!
        SSL_set_fd(ssl, socket.fd)
        // deinit runs for a class whose init throws after full initialization, and frees both.
        guard SSL_connect(ssl) == 1 else { throw TLSError.fromQueue("SSL_connect") }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
    }

    func receive(count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while result.count < count {
            let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n <= 0 { break }
            result += buffer[0..<Int(n)]
        }
        return result
    }
}

@Suite struct TLSTests {
    let group = EventLoopGroup(count: 1, tickInterval: 0.05)

    func tlsListener() throws -> Listener {
        let certificate = try TestCertificate.make()
        let context = try TLSContext(
            certificateChainFile: certificate.certificatePath,
            privateKeyFile: certificate.keyPath
        )
        return try Listener(host: "127.0.0.1", port: 0, group: group, tls: context) { _ in
            EchoHandler(events: .init())
        }
    }

    @Test func echoesOverTLS() throws {
        let listener = try tlsListener()
        defer { listener.stop() }
        let client = try TestTLSClient(port: listener.address.port)
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        client.send(payload)
        let received = client.receive(count: payload.count)
        #expect(received.count == payload.count)
        let same = received == payload
        #expect(same)
    }

    @Test func refusesTLS11() throws {
        let listener = try tlsListener()
        defer { listener.stop() }
        #expect(throws: TLSError.self) { try TestTLSClient(port: listener.address.port, maxVersion: TLS1_1_VERSION) }
    }

    @Test func garbageOnTheTLSPortIsClosedWithoutLeakingTheConnection() throws {
        let listener = try tlsListener()
        defer { listener.stop() }
        let client = try TestSocket(port: listener.address.port)
        var generator = SystemRandomNumberGenerator()
        try client.send((0..<65536).map { _ in UInt8.random(in: 0...255, using: &generator) })
        #expect(client.waitForClose())
        #expect(waitUntil { listener.connectionCount == 0 })
    }
}
