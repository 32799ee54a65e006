/// The community services' in-memory state, owned by the hub (all on the hub queue).
final class CommunityState {
    var suggestions: [Int64: Suggestion] = [:]
    var suggestionSettings = SuggestionSettings()
    var lastSuggestionID: Int64 = 0
    var items: [String: BorrowItem] = [:]
    var borrowings: [Int64: Borrowing] = [:]
    var lastBorrowingID: Int64 = 0
    var venues: [String: Venue] = [:]
    var bookings: [Int64: Booking] = [:]
    var lastBookingID: Int64 = 0
    var housing: [Int64: HousingRegistration] = [:]
    var lastHousingID: Int64 = 0
}
