import Glibc
import TestSupport
import Transport
import WebSocket

/// A blocking WebSocket client for tests: raw handshake, masked frames, the project's own decoder for the server's
/// frames (so it sees exactly what went over the wire).
final class TestWebSocket {
    let socket: TestSocket
    private var decoder = FrameDecoder(maxFrameSize: 64 << 20, expectsMaskedFrames: false)
    /// The 101 response head.
    let responseHead: String

    enum Failure: Error, CustomStringConvertible {
        case handshakeRefused(String)
        var description: String {
            switch self {
            case .handshakeRefused(let response): "handshake refused: \(response)"
            }
        }
    }

    init(
        port: UInt16,
        path: String = "/echo",
        headers: [String] = [],
        source: String? = nil,
        receiveBuffer: Int32? = nil
    ) throws {
        socket = try TestSocket(port: port, source: source, receiveBuffer: receiveBuffer)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for header in headers { request += header + "\r\n" }
        request += "\r\n"
        try socket.send(request)
        var head: [UInt8] = []
        while !head.ends(with: [13, 10, 13, 10]) {
            let byte = socket.receive(count: 1)
            guard byte.count == 1 else { break }
            head += byte
        }
        responseHead = String(decoding: head, as: UTF8.self)
        guard responseHead.hasPrefix("HTTP/1.1 101 ") else { throw Failure.handshakeRefused(responseHead) }
    }

    func send(_ opcode: Opcode, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false) throws {
        try socket.send(
            FrameEncoder.encode(opcode: opcode, payload: payload, fin: fin, rsv1: rsv1, maskingKey: (1, 2, 3, 4))
        )
    }

    func send(text: String) throws { try send(.text, Array(text.utf8)) }

    /// The next frame from the server, or nil on EOF/timeout.
    func receiveFrame() -> Frame? {
        while true {
            if let frame = try? decoder.next() { return frame }
            let bytes = socket.receive(count: 1)
            guard !bytes.isEmpty else { return nil }
            var more = bytes
            // Drain what is already there without blocking for more than needed.
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { more += buffer[0..<n] }
            decoder.feed(more)
        }
    }

    /// The next data frame's text, skipping pings and pongs.
    func receiveText() -> String? {
        while let frame = receiveFrame() {
            switch frame.opcode {
            case .text: return String(decoding: frame.payload, as: UTF8.self)
            case .ping, .pong: continue
            default: return nil
            }
        }
        return nil
    }

    /// Waits for the server's close frame and returns its code.
    func receiveClose() -> UInt16? {
        while let frame = receiveFrame() {
            if frame.opcode == .close {
                guard frame.payload.count >= 2 else { return 1005 }
                return UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1])
            }
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
