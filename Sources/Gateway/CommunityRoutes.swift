import Auth
import HTTP
import Hub
import JSON

/// REST routes of the community services (社区服务). Protocol/openapi.json documents them.
enum CommunityRoutes {
    static func install(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        installSuggestions(into: &routes, hub: hub, authority: authority)
        installBorrowing(into: &routes, hub: hub, authority: authority)
        installBookings(into: &routes, hub: hub, authority: authority)
        installHousing(into: &routes, hub: hub, authority: authority)
        routes.add(
            .GET,
            "/v1/community/records",
            HubRESTRoute.make(hub, authority) { request throws(HTTPError) in
                let service = request.query["service"]
                let since = try time(request, "since")
                let until = try time(request, "until")
                let cursor = request.query["cursor"]
                let limit = try HubRESTRoute.limit(request)
                return { hub, caller, done in
                    hub.serviceRecords(
                        caller: caller,
                        service: service,
                        since: since,
                        until: until,
                        cursor: cursor,
                        limit: limit,
                        completion: done
                    )
                }
            }
        )
        routes.add(
            .GET,
            "/v1/community/records/stats",
            HubRESTRoute.make(hub, authority) { _ throws(HTTPError) in
                { hub, caller, done in hub.serviceRecordStats(caller: caller, completion: done) }
            }
        )
    }

    /// A time parameter in milliseconds since 1970.
    private static func time(_ request: HTTPRequest, _ name: String) throws(HTTPError) -> Int64? {
        guard let raw = request.query[name] else { return nil }
        guard let value = Int64(raw), value >= 0 else {
            throw .badRequest(code: "invalid_request", message: "Parameter '\(name)' must be a time in milliseconds.")
        }
        return value
    }

    static func installHousing(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        func housing(_ decode: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> HousingRequest) -> HTTPRoute {
            HubRESTRoute.make(hub, authority) { request throws(HTTPError) in
                let housing = try decode(request)
                return { hub, caller, done in hub.housing(housing, caller: caller, completion: done) }
            }
        }
        @Sendable func registration(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
            try HubRESTRoute.id(request, "registration", notFound: "request_not_found")
        }
        routes.add(
            .POST,
            "/v1/community/housing",
            housing { request throws(HTTPError) in .register(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .GET,
            "/v1/community/housing",
            housing { request throws(HTTPError) in
                .list(
                    state: request.query["state"],
                    before: try before(request),
                    limit: try HubRESTRoute.limit(request)
                )
            }
        )
        routes.add(.GET, "/v1/community/housing/stats", housing { _ throws(HTTPError) in .stats })
        routes.add(
            .GET,
            "/v1/community/housing/:registration",
            housing { request throws(HTTPError) in .get(try registration(request)) }
        )
        routes.add(
            .POST,
            "/v1/community/housing/:registration/:action",
            housing { request throws(HTTPError) in
                .act(
                    try registration(request),
                    action: request.parameters["action"] ?? "",
                    request.body.isEmpty ? [:] : try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
    }

    static func installBookings(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        func bookings(_ decode: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> BookingRequest) -> HTTPRoute {
            HubRESTRoute.make(hub, authority) { request throws(HTTPError) in
                let booking = try decode(request)
                return { hub, caller, done in hub.bookings(booking, caller: caller, completion: done) }
            }
        }
        @Sendable func venue(_ request: HTTPRequest) -> String { request.parameters["venue"] ?? "" }
        @Sendable func booking(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
            try HubRESTRoute.id(request, "booking", notFound: "request_not_found")
        }
        routes.add(.GET, "/v1/community/venues", bookings { _ throws(HTTPError) in .venues })
        routes.add(
            .POST,
            "/v1/community/venues",
            bookings { request throws(HTTPError) in .createVenue(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .PATCH,
            "/v1/community/venues/:venue",
            bookings { request throws(HTTPError) in
                .updateVenue(venue(request), try HubRESTRoute.body(request), ifMatch: try HubRESTRoute.ifMatch(request))
            }
        )
        routes.add(
            .GET,
            "/v1/community/venues/:venue/availability",
            bookings { request throws(HTTPError) in
                guard let date = request.query["date"] else {
                    throw .badRequest(
                        code: "invalid_request",
                        message: "Parameter 'date' (like 2026-12-25) is missing."
                    )
                }
                guard let days = Int(request.query["days"] ?? "1") else {
                    throw .badRequest(
                        code: "invalid_request",
                        message: "Parameter 'days' must be a number from 1 to 14."
                    )
                }
                return .availability(venue(request), date: date, days: days)
            }
        )
        routes.add(
            .GET,
            "/v1/community/venues/:venue/calendar.ics",
            bookings { request throws(HTTPError) in .venueCalendar(venue(request)) }
        )
        routes.add(
            .POST,
            "/v1/community/bookings",
            bookings { request throws(HTTPError) in .book(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .GET,
            "/v1/community/bookings",
            bookings { request throws(HTTPError) in
                .list(
                    state: request.query["state"],
                    since: try time(request, "since"),
                    until: try time(request, "until"),
                    before: try before(request),
                    limit: try HubRESTRoute.limit(request)
                )
            }
        )
        routes.add(.GET, "/v1/community/bookings.ics", bookings { _ throws(HTTPError) in .myCalendar })
        routes.add(
            .GET,
            "/v1/community/bookings/:booking",
            bookings { request throws(HTTPError) in .get(try booking(request)) }
        )
        routes.add(
            .POST,
            "/v1/community/bookings/:booking/:action",
            bookings { request throws(HTTPError) in
                .act(
                    try booking(request),
                    action: request.parameters["action"] ?? "",
                    request.body.isEmpty ? [:] : try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
    }

    static func installSuggestions(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        func suggestions(
            _ decode: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> SuggestionRequest
        )
            -> HTTPRoute
        {
            HubRESTRoute.make(hub, authority) { request throws(HTTPError) in
                let suggestion = try decode(request)
                return { hub, caller, done in hub.suggestions(suggestion, caller: caller, completion: done) }
            }
        }
        routes.add(.GET, "/v1/community/suggestions/settings", suggestions { _ throws(HTTPError) in .settings })
        routes.add(
            .PUT,
            "/v1/community/suggestions/settings",
            suggestions { request throws(HTTPError) in
                .updateSettings(try HubRESTRoute.body(request), ifMatch: try HubRESTRoute.ifMatch(request))
            }
        )
        routes.add(.GET, "/v1/community/suggestions/stats", suggestions { _ throws(HTTPError) in .stats })
        routes.add(
            .POST,
            "/v1/community/suggestions",
            suggestions { request throws(HTTPError) in .submit(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .GET,
            "/v1/community/suggestions",
            suggestions { request throws(HTTPError) in
                .list(
                    state: request.query["state"],
                    category: request.query["category"],
                    before: try before(request),
                    limit: try HubRESTRoute.limit(request)
                )
            }
        )
        routes.add(
            .GET,
            "/v1/community/suggestions/:suggestion",
            suggestions { request throws(HTTPError) in .get(try suggestion(request)) }
        )
        routes.add(
            .POST,
            "/v1/community/suggestions/:suggestion/reveal",
            suggestions { request throws(HTTPError) in .reveal(try suggestion(request)) }
        )
        routes.add(
            .POST,
            "/v1/community/suggestions/:suggestion/:action",
            suggestions { request throws(HTTPError) in
                .act(
                    try suggestion(request),
                    action: request.parameters["action"] ?? "",
                    request.body.isEmpty ? [:] : try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
    }

    static func installBorrowing(into routes: inout Routes, hub: Hub, authority: TokenAuthority) {
        func borrowing(
            _ decode: @escaping @Sendable (HTTPRequest) throws(HTTPError) -> BorrowingRequest
        )
            -> HTTPRoute
        {
            HubRESTRoute.make(hub, authority) { request throws(HTTPError) in
                let borrowing = try decode(request)
                return { hub, caller, done in hub.borrowing(borrowing, caller: caller, completion: done) }
            }
        }
        routes.add(.GET, "/v1/community/items", borrowing { _ throws(HTTPError) in .items })
        routes.add(
            .POST,
            "/v1/community/items",
            borrowing { request throws(HTTPError) in .createItem(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .PATCH,
            "/v1/community/items/:item",
            borrowing { request throws(HTTPError) in
                .updateItem(
                    request.parameters["item"] ?? "",
                    try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
        routes.add(
            .POST,
            "/v1/community/borrowings",
            borrowing { request throws(HTTPError) in .submit(try HubRESTRoute.body(request)) }
        )
        routes.add(
            .GET,
            "/v1/community/borrowings",
            borrowing { request throws(HTTPError) in
                .list(
                    state: request.query["state"],
                    before: try before(request),
                    limit: try HubRESTRoute.limit(request)
                )
            }
        )
        routes.add(
            .GET,
            "/v1/community/borrowings/:borrowing",
            borrowing { request throws(HTTPError) in
                .get(try HubRESTRoute.id(request, "borrowing", notFound: "request_not_found"))
            }
        )
        routes.add(
            .POST,
            "/v1/community/borrowings/:borrowing/:action",
            borrowing { request throws(HTTPError) in
                .act(
                    try HubRESTRoute.id(request, "borrowing", notFound: "request_not_found"),
                    action: request.parameters["action"] ?? "",
                    request.body.isEmpty ? [:] : try HubRESTRoute.body(request),
                    ifMatch: try HubRESTRoute.ifMatch(request)
                )
            }
        )
    }

    /// `?before=`: the last id of the previous page.
    private static func before(_ request: HTTPRequest) throws(HTTPError) -> Int64? {
        guard let raw = request.query["before"] else { return nil }
        guard let id = Int64(raw), id > 0 else {
            throw .badRequest(code: "invalid_request", message: "Parameter 'before' must be a positive id.")
        }
        return id
    }

    private static func suggestion(_ request: HTTPRequest) throws(HTTPError) -> Int64 {
        try HubRESTRoute.id(request, "suggestion", notFound: "request_not_found")
    }
}
