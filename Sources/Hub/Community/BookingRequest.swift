import JSON

/// One REST request to venue booking (社区场地预约), decoded by the gateway; bodies are validated here.
public enum BookingRequest: Sendable {
    case venues
    case createVenue(JSONValue)
    case updateVenue(String, JSONValue, ifMatch: Int64?)
    /// Opening hours and busy slots of `days` local days from `date` (`2026-12-25`).
    case availability(String, date: String, days: Int)
    /// The venue's approved and pending bookings as iCalendar.
    case venueCalendar(String)
    case book(JSONValue)
    /// Newest first; `before` is the last id of the previous page; `since`/`until` bound the slots' start.
    case list(state: String?, since: Int64?, until: Int64?, before: Int64?, limit: Int)
    /// The caller's bookings as iCalendar.
    case myCalendar
    case get(Int64)
    /// `approve`, `reject`, `cancel`, `revoke` with `comment`.
    case act(Int64, action: String, JSONValue, ifMatch: Int64?)
}
