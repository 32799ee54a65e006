import Dispatch
import Feeds
import Foundation
import HTTPClient
import Hub
import Logging

/// Imports the columns' RSS 2.0 and Atom feeds (the school's site group, 站群): polls each feed when due with a
/// conditional GET (ETag / Last-Modified), hands the items to the hub (de-duplicated there by guid or link), and
/// backs a failing feed off exponentially, up to six hours, without holding up the others for longer than its
/// timeout. Fetches run one at a time on the poller's own queue, never on the hub's or an event loop's.
final class FeedPoller: @unchecked Sendable {
    let hub: Hub
    let log: Logger
    let options: HTTPClientOptions
    private let queue = DispatchQueue(label: "yizhan.feed-poller")
    /// Made by `start()` (a suspended source must not be released, so there is none until then), before any
    /// other thread sees the poller; Dispatch sources are thread-safe.
    private var timer: DispatchSourceTimer?

    /// Longest back-off after repeated failures.
    static let maxBackoff: Int64 = 6 * 3600 * 1000

    init(hub: Hub, log: Logger, timeout: Double, caFile: String?) {
        self.hub = hub
        self.log = log
        var options = HTTPClientOptions()
        options.timeout = timeout
        options.maxBodyBytes = 5 << 20
        options.caFile = caFile
        self.options = options
    }

    func start(every seconds: Double = 30) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .seconds(1), repeating: seconds, leeway: .seconds(1))
        timer.setEventHandler { [self] in pollDue() }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        timer?.cancel()
    }

    /// Polls every feed that is due, one after another; on the poller queue.
    func pollDue(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
        let feeds = hub.queue.sync { hub.dueFeeds(at: now) }
        for feed in feeds { poll(feed, now: now) }
    }

    /// One poll: fetch, parse, import. Waits for the hub to have stored the outcome.
    func poll(_ feed: FeedSource, now: Int64) {
        var state = feed.state
        var items: [ImportedItem] = []
        do {
            var headers: [(String, String)] = [("Accept", "application/rss+xml, application/atom+xml, application/xml")]
            if let etag = state.etag { headers.append(("If-None-Match", etag)) }
            if let lastModified = state.lastModified { headers.append(("If-Modified-Since", lastModified)) }
            let response = try HTTPClient.send(HTTPClientRequest(url: feed.url, headers: headers), options: options)
            switch response.status {
            case 304:
                break
            case 200:
                let parsed = try FeedParser.parse(response.body, maxBytes: options.maxBodyBytes)
                items = parsed.items.map { item in
                    ImportedItem(
                        key: item.key,
                        title: item.title,
                        link: item.link,
                        html: item.content ?? item.summary ?? "",
                        published: item.published
                    )
                }
                state.etag = response.header("ETag")
                state.lastModified = response.header("Last-Modified")
            default:
                throw FeedFetchError(description: "HTTP \(response.status)")
            }
            state.failures = 0
            state.lastError = nil
            state.lastSuccessAt = now
            state.nextPollAt = now + feed.interval * 1000
        } catch {
            state.failures += 1
            state.lastError = Self.describe(error)
            let backoff = feed.interval * 1000 << Int64(min(state.failures, 10))
            state.nextPollAt = now + min(backoff, max(Self.maxBackoff, feed.interval * 1000))
            log.warning(
                "feed poll failed",
                ("column", .string(feed.column)),
                ("failures", .int(state.failures)),
                ("error", .string(state.lastError ?? ""))
            )
        }
        let done = DispatchSemaphore(value: 0)
        let finalState = state
        let itemsToImport = items
        hub.queue.async { [hub, log] in
            hub.importFeed(column: feed.column, items: itemsToImport, state: finalState) { result in
                if case .success(let counts) = result, counts.created + counts.updated > 0 {
                    log.info(
                        "feed imported",
                        ("column", .string(feed.column)),
                        ("created", .int(counts.created)),
                        ("updated", .int(counts.updated))
                    )
                }
                done.signal()
            }
        }
        done.wait()
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case let error as HTTPClientError: error.description
        case let error as FeedFetchError: error.description
        case FeedError.malformed(let what): "not a well-formed feed: \(what)"
        case FeedError.notAFeed: "neither RSS nor Atom"
        case FeedError.tooLarge(let limit): "larger than \(limit) bytes"
        default: "\(error)"
        }
    }
}

struct FeedFetchError: Error {
    var description: String
}
