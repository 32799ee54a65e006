/// How much of an acknowledged commit survives a failure.
///
/// The store always runs SQLite in WAL mode. A commit's completion reports success only after SQLite's `COMMIT`
/// returned, i.e. after the transaction's pages were written to `yizhan.db-wal`.
///
/// - `process` (the default, `PRAGMA synchronous=NORMAL`): the WAL is written on every commit but only
///   `fsync`ed at checkpoints. Every acknowledged transaction survives a crash of the process, including
///   `kill -9`, because the written pages are in the operating system's page cache. A power loss or kernel crash
///   may lose the most recently acknowledged transactions (those since the last checkpoint's `fsync`); the
///   database stays consistent and seqs stay dense — whole transactions are lost, never parts of one.
/// - `power` (`PRAGMA synchronous=FULL`): the WAL is `fsync`ed before every commit is acknowledged, so acknowledged
///   transactions also survive a power loss or kernel crash, provided the disk honours flushes. Each commit costs
///   one `fsync`, which group commit spreads over a whole batch.
public enum Durability: Sendable, Equatable {
    case process
    case power
}
