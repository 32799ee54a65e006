import Foundation
import TestSupport
import Testing

/// Runs a script from `Tests/Scripts` with python3 and returns (exit status, output).
func runPython(_ script: String, _ arguments: [String], stdin: String? = nil) throws -> (Int32, String) {
    let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scripts.appendingPathComponent(script).path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let input = Pipe()
    if stdin != nil { process.standardInput = input }
    try process.run()
    if let stdin {
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

@Suite struct InteropTests {
    @Test func pythonWebsocketsClientOverPlainTCP() throws {
        let server = try TestServer()
        let (status, output) = try runPython("websockets_echo_client.py", ["ws://127.0.0.1:\(server.port)/echo"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok"))
    }

    @Test func pythonWebsocketsClientOverTLS() throws {
        let certificate = try TestCertificate.make()
        let server = try TestServer {
            $0.tlsCertificate = certificate.certificatePath
            $0.tlsKey = certificate.keyPath
        }
        let (status, output) = try runPython(
            "websockets_echo_client.py",
            ["wss://localhost:\(server.port)/echo", certificate.certificatePath]
        )
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok"))
    }
}
