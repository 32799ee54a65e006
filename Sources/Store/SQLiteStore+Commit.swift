import Hub

extension SQLiteStore {
    /// Applies `batch` in one transaction on the writer queue; see `HubStore.commit`.
    public func commit(
        _ batch: [WriteOp],
        completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void
    ) {
        writerQueue.async { [self] in
            completion(apply(batch))
        }
    }

    /// Writer queue only.
    func apply(_ batch: [WriteOp]) -> Result<[AppendOutcome], StoreError> {
        guard let db = writer else { return .failure(Self.closedError) }
        var writer = BatchWriter(db: db, committedSeqs: lastSeqs)
        do throws(SQLiteError) {
            try db.execute("BEGIN IMMEDIATE")
            for op in batch {
                try writer.apply(op)
            }
            try writer.writeLastSeqs()
            try db.execute("COMMIT")
        } catch {
            db.rollbackIfNeeded()
            return .failure(error.storeError)
        }
        // Only now are the batch's seqs (and new groups) real.
        lastSeqs.merge(writer.batchSeqs) { _, new in new }
        return .success(writer.outcomes)
    }
}
