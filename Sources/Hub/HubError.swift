import JSON
import Workflow

/// Why the hub refused a command. `code` is the stable id clients branch on; `message` is for people.
public struct HubError: Error, Sendable, Equatable {
    public var code: Code
    public var message: String
    /// Seconds to wait before retrying (`rate_limited` only).
    public var retryAfter: Double?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The stable error codes (Protocol/README.md "Errors").
    public enum Code: String, Sendable, CaseIterable {
        case invalidRequest = "invalid_request"
        case unknownCommand = "unknown_command"
        case groupNotFound = "group_not_found"
        case userNotFound = "user_not_found"
        case messageNotFound = "message_not_found"
        case notMember = "not_member"
        case forbidden
        case muted
        case groupMuted = "group_muted"
        case groupFrozen = "group_frozen"
        case groupDissolved = "group_dissolved"
        case directoryManaged = "directory_managed"
        case recallWindowPassed = "recall_window_passed"
        case alreadyMember = "already_member"
        case groupFull = "group_full"
        case ownerCannotLeave = "owner_cannot_leave"
        case storageUnavailable = "storage_unavailable"
        case cardNotFound = "card_not_found"
        case taskNotFound = "task_not_found"
        case fileNotFound = "file_not_found"
        case objectNotFound = "object_not_found"
        /// The card stopped accepting responses (closed, or past its deadline).
        case cardClosed = "card_closed"
        /// The check-in has not started yet.
        case notOpenYet = "not_open_yet"
        /// The member was not in the group when the card or task was published.
        case notRecipient = "not_recipient"
        case alreadyResponded = "already_responded"
        case wrongCode = "wrong_code"
        case tooFar = "too_far"
        case rateLimited = "rate_limited"
        case columnNotFound = "column_not_found"
        case articleNotFound = "article_not_found"
        case versionMismatch = "version_mismatch"
        case deliveryNotFound = "delivery_not_found"
        case requestNotFound = "request_not_found"
        case invalidTransition = "invalid_transition"
        case commentRequired = "comment_required"
        case insufficientStock = "insufficient_stock"
        case slotTaken = "slot_taken"
    }

    static func invalid(_ message: String) -> HubError { HubError(.invalidRequest, message) }

    /// A refused workflow step of a community request.
    init(_ refusal: WorkflowRefusal) {
        switch refusal {
        case .unknownAction: self.init(.invalidRequest, refusal.description)
        case .notFromState: self.init(.invalidTransition, refusal.description)
        case .notPermitted: self.init(.forbidden, refusal.description)
        case .commentRequired: self.init(.commentRequired, refusal.description)
        case .versionMismatch: self.init(.versionMismatch, refusal.description)
        }
    }

    /// A request body that failed validation; the message names the field.
    init(_ error: JSONFieldError) {
        self.init(.invalidRequest, error.message)
    }
    static let groupNotFound = HubError(.groupNotFound, "The group does not exist.")
    static let notMember = HubError(.notMember, "You are not a member of this group.")
    static let frozen = HubError(.groupFrozen, "The group is frozen: it is read-only until an admin unfreezes it.")
    static let dissolved = HubError(.groupDissolved, "The group has been dissolved.")
    static let storage = HubError(.storageUnavailable, "The server cannot store data right now; retry shortly.")

    static func forbidden(_ what: String) -> HubError {
        HubError(.forbidden, "Only \(what) may do this.")
    }
}
