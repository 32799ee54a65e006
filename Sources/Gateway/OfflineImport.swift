import DirectoryImport
import Dispatch
import Foundation
import Hub
import Store

/// `yizhan import FILE` while no server runs: opens the store, applies the import through a hub (same rules, same
/// system messages) and closes. With a server running, the CLI goes through its REST endpoint instead.
public enum OfflineImport {
    public static func run(file: String, configuration: ServerConfiguration) throws -> ImportReport {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError("cannot read \(file)")
        }
        let directory = try DirectoryImportParser.parse(Array(data), fileName: (file as NSString).lastPathComponent)
        let store = try SQLiteStore(directory: configuration.dataDirectory, durability: configuration.durability)
        defer { store.close() }
        let snapshot = try store.loadSnapshot(recentPerGroup: 1)
        let hub = Hub(
            snapshot: snapshot,
            store: store,
            output: NoOutput(),
            configuration: configuration.hub,
            loops: 1,
            clock: { Int64(Date().timeIntervalSince1970 * 1000) }
        )
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        hub.queue.async {
            hub.importDirectory(directory) { outcome in
                result.value = outcome
                done.signal()
            }
        }
        done.wait()
        switch result.value! {
        case .success(let report): return report
        case .failure(let error): throw ConfigurationError(error.message)
        }
    }

    private final class ResultBox: @unchecked Sendable {
        var value: Result<ImportReport, HubError>?
    }

    /// Nobody is connected during an offline import.
    private final class NoOutput: HubOutput {
        func send(_ payload: [UInt8], to session: Session) {}
        func broadcast(_ payload: [UInt8], to sessions: [[Session]]) {}
        func close(_ session: Session, code: UInt16, reason: String) {}
    }
}
