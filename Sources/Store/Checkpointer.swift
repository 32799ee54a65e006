import Dispatch
import Synchronization

/// Copies the write-ahead log into the database file on a connection and queue of its own, so commits never wait
/// for it. SQLite's automatic checkpoint runs inside the commit that crosses its threshold, and that commit then
/// waits for the database file's fsync: 20–30 ms here, every few seconds under load, which was most of the ack
/// p99. A passive checkpoint runs alongside the writer; once it has copied every frame, the writer's next
/// transaction starts the log over.
final class Checkpointer: @unchecked Sendable {
    /// Start a background checkpoint when the log holds this many pages (about 40 MiB): pages that consecutive
    /// batches rewrite (index leaves, each group's newest page) are copied once per checkpoint, so checkpointing
    /// less often costs less CPU.
    static let threshold = 10_000
    /// If the log still grows past this (checkpoints slower than writes), the writer checkpoints itself: the log
    /// must not grow without bound, and a slower commit is the right back-pressure.
    static let limit = 4 * threshold

    private let queue = DispatchQueue(label: "yizhan.store.checkpoint", qos: .utility)
    /// Queue only; nil once closed.
    private var db: SQLiteDatabase?
    private let running = Atomic<Bool>(false)

    init(path: String) throws(SQLiteError) {
        let db = try SQLiteDatabase(path: path, create: false)
        try db.execute("PRAGMA busy_timeout = 5000")
        self.db = db
    }

    /// From the writer's commit hook, with the log's size after the commit.
    func committed(walPages: Int, writer: SQLiteDatabase) {
        if walPages >= Self.limit {
            writer.checkpointPassive()
            return
        }
        guard walPages >= Self.threshold, !running.exchange(true, ordering: .acquiring) else { return }
        queue.async { [self] in
            db?.checkpointPassive()
            running.store(false, ordering: .releasing)
        }
    }

    /// Waits for a running checkpoint, then closes the connection.
    func close() {
        queue.sync {
            db?.close()
            db = nil
        }
    }
}
