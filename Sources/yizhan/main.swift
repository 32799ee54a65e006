import Dispatch
import Foundation
import Gateway
import Glibc
import Logging

/// `yizhan` command line: `serve`, `version`, `help`.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: yizhan <command> [options]

    commands:
      serve     start the server (yizhan serve --help lists the options)
      version   print the version
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("yizhan: \(message)\n".utf8))
    exit(2)
}

switch arguments.first {
case "serve":
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
        print(CommandLineOptions.serveHelp)
        exit(0)
    }
    let configuration: ServerConfiguration
    do {
        configuration = try CommandLineOptions.configuration(from: rest) { path in
            try String(contentsOfFile: path, encoding: .utf8)
        }
    } catch {
        fail("\(error)")
    }
    let log = Logger(minimumLevel: configuration.logLevel)
    let server = Server(configuration: configuration, log: log)
    server.handleTerminationSignals()
    do {
        try server.start()
    } catch {
        log.error("cannot start", ("error", .string("\(error)")))
        exit(1)
    }
    server.parkMainThread()
case "version", "--version":
    print("yizhan \(Version.current)")
case nil, "help", "--help", "-h":
    print(usage)
default:
    fail("unknown command '\(arguments[0])'\n\(usage)")
}
