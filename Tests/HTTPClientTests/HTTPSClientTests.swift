import TestSupport
import XCTest

@testable import HTTPClient

/// HTTPS against a local OpenSSL server with a self-signed certificate for localhost and 127.0.0.1.
final class HTTPSClientTests: XCTestCase {
    private var certificate: TestCertificate!
    private var context: TestTLSContext!

    override func setUpWithError() throws {
        certificate = try TestCertificate.make()
        context = try TestTLSContext(certificateFile: certificate.certificatePath, keyFile: certificate.keyPath)
    }

    private func serveOnce() throws -> LoopbackServer {
        let context = context!
        return try LoopbackServer([
            { connection in
                guard connection.startTLS(context), connection.readRequest() != nil else { return }
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")
            }
        ])
    }

    func testTrustedCertificateForLocalhost() throws {
        let server = try serveOnce()
        defer { server.stop() }
        let options = HTTPClientOptions(timeout: 5, caFile: certificate.certificatePath)
        let response = try HTTPClient.send(
            HTTPClientRequest(url: "https://localhost:\(server.port)/"),
            options: options
        )
        XCTAssertEqual(response.body, Array("secure".utf8))
        XCTAssertTrue(server.requests.first?.head.contains("\r\nHost: localhost:\(server.port)\r\n") == true)
    }

    func testTrustedCertificateForIPAddress() throws {
        let server = try serveOnce()
        defer { server.stop() }
        let options = HTTPClientOptions(timeout: 5, caFile: certificate.certificatePath)
        let response = try HTTPClient.send(
            HTTPClientRequest(url: "https://127.0.0.1:\(server.port)/"),
            options: options
        )
        XCTAssertEqual(response.status, 200)
    }

    func testUntrustedCertificateFailsVerification() throws {
        let server = try serveOnce()
        defer { server.stop() }
        XCTAssertThrowsError(
            try HTTPClient.send(HTTPClientRequest(url: "https://localhost:\(server.port)/"), options: .init(timeout: 5))
        ) { error in
            let message = (error as? HTTPClientError)?.description ?? ""
            XCTAssertTrue(message.hasPrefix("certificate verification failed: "), message)
        }
    }
}
