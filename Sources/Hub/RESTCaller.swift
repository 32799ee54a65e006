import JSON

/// Who calls the hub over REST (news center, community services): a user of the directory, or a campus system
/// with a service token.
public struct RESTCaller: Sendable, Equatable {
    public var id: String
    public var service: Bool
    /// The token's roles; they add to the directory's (a school admin's token may name a user the directory lacks).
    public var roles: Set<SchoolRole>

    public static func user(_ id: UserID, roles: Set<SchoolRole> = []) -> RESTCaller {
        RESTCaller(id: id, service: false, roles: roles)
    }

    public static func service(_ name: String) -> RESTCaller { RESTCaller(id: name, service: true, roles: []) }
}

/// A JSON answer, or a table for CSV/JSON export.
public enum RESTResponse: Sendable, Equatable {
    /// `created`: 201 rather than 200. `version`: the ETag of the resource.
    case json([UInt8], created: Bool = false, version: Int64? = nil)
    case table(TableExport)
    /// A document of its own type (an iCalendar feed), shown inline.
    case document([UInt8], contentType: String)
}

extension Hub {
    /// The directory record of a REST caller, with the token's roles added. A school admin's token may name a user
    /// the directory lacks (an operator account); anyone else must be an active user of the directory.
    func restUser(_ caller: RESTCaller) throws(HubError) -> UserRecord {
        if let record = users[caller.id], record.active {
            return UserRecord(
                id: record.id,
                name: record.name,
                roles: record.roles + caller.roles,
                classID: record.classID,
                orgUnitID: record.orgUnitID
            )
        }
        if caller.roles.contains(.admin) {
            return UserRecord(id: caller.id, name: caller.id, roles: Array(caller.roles))
        }
        throw HubError(.userNotFound, "User '\(caller.id)' is not in the directory or is no longer active.")
    }
}
