import JSON

extension Hub {
    /// An audit log entry for `action` now, to write with the change it describes.
    func audit(_ action: AuditAction, by actor: UserID?, target: String?, _ detail: JSONObject = [:]) -> WriteOp {
        .appendAudit(
            AuditEntry(
                at: clock(),
                actor: actor,
                action: action,
                target: target,
                detail: JSONValue.object(detail).encoded()
            )
        )
    }

    /// Writes `entry` and then serves a privileged read: nothing is handed out unless its audit entry is durable.
    func auditedRead<Value>(
        _ entry: WriteOp,
        completion: @escaping (Result<Value, HubError>) -> Void,
        serve: @escaping () -> Value
    ) {
        write([entry]) { result in
            switch result {
            case .success: completion(.success(serve()))
            case .failure: completion(.failure(.storage))
            }
        }
    }
}
