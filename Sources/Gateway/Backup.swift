import Foundation
import Store

/// `yizhan backup` and `yizhan restore`: a consistent copy of a data directory, taken while the server runs.
public enum Backup {
    /// What a backup or restore copied.
    public struct Report: Sendable {
        public var schemaVersion: Int
        public var objects: Int
        public var bytes: Int64
    }

    /// Copies the database (a `VACUUM INTO` snapshot), the uploaded objects and the token secret into `target`,
    /// which must not exist or be empty. Objects are content-addressed and never change once written, so copying
    /// them after the database snapshot includes every object the snapshot refers to.
    public static func run(dataDirectory: String, to target: String) throws -> Report {
        let files = FileManager.default
        try requireEmpty(target)
        try files.createDirectory(
            atPath: target,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let database = (target as NSString).appendingPathComponent(SQLiteStore.fileName)
        try SQLiteStore.backup(directory: dataDirectory, to: database)
        let version = try SQLiteStore.verify(file: database)
        var report = Report(schemaVersion: version, objects: 0, bytes: 0)
        try copyObjects(from: dataDirectory, to: target, report: &report)
        try copySecret(from: dataDirectory, to: target)
        let manifest: [String: Any] = [
            "createdAt": ISO8601DateFormatter().string(from: Date()),
            "schemaVersion": version,
            "objects": report.objects,
            "objectBytes": report.bytes,
            "yizhan": Version.current,
        ]
        let json = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted])
        try json.write(to: URL(fileURLWithPath: (target as NSString).appendingPathComponent("backup.json")))
        return report
    }

    /// Restores a backup into `dataDirectory`, which must not exist or be empty: the database is checked first
    /// (integrity, a schema this build knows), then copied with the objects and the secret.
    public static func restore(from source: String, into dataDirectory: String) throws -> Report {
        let database = (source as NSString).appendingPathComponent(SQLiteStore.fileName)
        guard FileManager.default.fileExists(atPath: database) else {
            throw ConfigurationError("\(source) is not a yizhan backup: it has no \(SQLiteStore.fileName)")
        }
        let version = try SQLiteStore.verify(file: database)
        try requireEmpty(dataDirectory)
        try FileManager.default.createDirectory(
            atPath: dataDirectory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        try FileManager.default.copyItem(
            atPath: database,
            toPath: (dataDirectory as NSString).appendingPathComponent(SQLiteStore.fileName)
        )
        var report = Report(schemaVersion: version, objects: 0, bytes: 0)
        try copyObjects(from: source, to: dataDirectory, report: &report)
        try copySecret(from: source, to: dataDirectory)
        return report
    }

    /// The lock file `restore` holds while it writes is the one entry allowed.
    private static func requireEmpty(_ directory: String) throws {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        guard entries.allSatisfy({ $0 == "yizhan.lock" }) else {
            throw ConfigurationError("\(directory) is not empty; use a new directory")
        }
    }

    /// Copies `objects/` (never `tmp/`: unfinished uploads are not data).
    private static func copyObjects(from source: String, to target: String, report: inout Report) throws {
        let files = FileManager.default
        let root = (source as NSString).appendingPathComponent("objects")
        guard let enumerator = files.enumerator(atPath: root) else { return }
        while let relative = enumerator.nextObject() as? String {
            let from = (root as NSString).appendingPathComponent(relative)
            let to = ((target as NSString).appendingPathComponent("objects") as NSString).appendingPathComponent(
                relative
            )
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: from, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try files.createDirectory(
                    atPath: to,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            } else {
                try files.createDirectory(
                    atPath: (to as NSString).deletingLastPathComponent,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
                try files.copyItem(atPath: from, toPath: to)
                report.objects += 1
                report.bytes += (try files.attributesOfItem(atPath: from)[.size] as? Int64) ?? 0
            }
        }
    }

    private static func copySecret(from source: String, to target: String) throws {
        let secret = (source as NSString).appendingPathComponent("secret.key")
        guard FileManager.default.fileExists(atPath: secret) else { return }
        let destination = (target as NSString).appendingPathComponent("secret.key")
        try FileManager.default.copyItem(atPath: secret, toPath: destination)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: destination)
    }
}
