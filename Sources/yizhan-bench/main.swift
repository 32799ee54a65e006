import Foundation
import Glibc

/// `yizhan-bench <scenario> [options]`: exit 0 when every check passed, 1 when a check failed (loss, duplicates,
/// errors), 2 for a usage error, 3 when the server or the fixture could not be set up.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
    print(BenchCommand.help)
    exit(arguments.isEmpty ? 2 : 0)
}

let command: BenchCommand
do {
    command = try BenchCommand.parse(arguments)
} catch {
    FileHandle.standardError.write(Data("yizhan-bench: \(error)\n\n\(BenchCommand.help)\n".utf8))
    exit(2)
}

signal(SIGPIPE, SIG_IGN)
exit(Runner.run(command))
