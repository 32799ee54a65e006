import Auth
import DirectoryImport
import Dispatch
import Foundation
import HTTP
import Hub
import JSON
import Logging
import Store
import Transport

/// The hub with its store, timers and routes: what `yizhan serve` runs besides the network.
public final class HubService: @unchecked Sendable {
    public let hub: Hub
    public let store: SQLiteStore
    public let authority: TokenAuthority
    /// Uploaded files (`objects/` and `tmp/` in the data directory).
    public let files: FileStore
    private let configuration: ServerConfiguration
    private let log: Logger
    private var ticker: DispatchSourceTimer?
    /// Imports the columns' RSS/Atom feeds.
    let feedPoller: FeedPoller

    public let metrics: ServerMetrics
    private let observer: MetricsObserver

    /// Opens the store in the data directory, loads the hub's state and starts its timer.
    public init(configuration: ServerConfiguration, log: Logger, metrics: ServerMetrics = ServerMetrics()) throws {
        self.configuration = configuration
        self.log = log
        self.metrics = metrics
        let purged = PurgeHandler(log: log)
        self.observer = MetricsObserver(metrics: metrics) { result in purged.handle(result) }
        let directory = DataDirectory(path: configuration.dataDirectory)
        try directory.create()
        guard let authority = TokenAuthority(secret: try directory.tokenSecret(configured: configuration.authSecret))
        else {
            throw ConfigurationError("auth.secret must be at least 32 bytes")
        }
        self.authority = authority
        files = try FileStore(directory: configuration.dataDirectory, syncWrites: configuration.durability == .power)
        purged.files = files
        let staleUploads = files.removeStaleTemporaryFiles()
        if staleUploads > 0 { log.info("removed unfinished uploads", ("files", .int(staleUploads))) }
        let started = MonotonicClock.now()
        store = try SQLiteStore(directory: configuration.dataDirectory, durability: configuration.durability)
        purged.store = store
        let snapshot = try store.loadSnapshot(recentPerGroup: configuration.hub.recentMessages)
        let output = WebSocketHubOutput(
            deflate: configuration.deflate,
            threshold: configuration.webSocket.compressionThreshold,
            metrics: metrics
        )
        hub = Hub(
            snapshot: snapshot,
            store: store,
            output: output,
            configuration: configuration.hub,
            loops: configuration.resolvedEventLoops,
            clock: configuration.clock ?? { Int64(Date().timeIntervalSince1970 * 1000) }
        )
        log.info(
            "hub loaded",
            ("users", .int(snapshot.users.count)),
            ("groups", .int(snapshot.groups.count)),
            ("ms", .int(Int((MonotonicClock.now() - started) / 1_000_000)))
        )
        hub.observer = observer
        if let url = configuration.newsWebhookURL {
            let webhook = try NewsWebhook(
                url: url,
                secret: configuration.newsWebhookSecret ?? "",
                caFile: configuration.outboundCAFile,
                log: log
            )
            hub.webhookSender = webhook.sender
        }
        feedPoller = FeedPoller(
            hub: hub,
            log: log,
            timeout: configuration.newsFeedTimeout,
            caFile: configuration.outboundCAFile
        )
        if configuration.newsFeedCheckInterval > 0 { feedPoller.start(every: configuration.newsFeedCheckInterval) }
        hub.calendar = LocalCalendar(utcOffsetSeconds: Self.localUTCOffset())
        let ticker = DispatchSource.makeTimerSource(queue: hub.queue)
        ticker.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250), leeway: .milliseconds(20))
        ticker.setEventHandler { [hub] in hub.tick() }
        ticker.resume()
        self.ticker = ticker
    }

    /// Adds the hub's WebSocket endpoint and REST routes.
    public func install(into routes: inout Routes) {
        routes.add(
            .GET,
            "/v1/ws",
            HTTPRoute(
                .upgrade(
                    HubEndpoint(
                        hub: hub,
                        authority: authority,
                        hubConfiguration: configuration.hub,
                        configuration: configuration.webSocket,
                        requestLimit: configuration.requestsPerConnection,
                        metrics: metrics
                    )
                )
            )
        )
        routes.add(.POST, "/v1/admin/directory", DirectoryRoute.make(hub: hub, authority: authority, log: log))
        ServiceRoutes.install(into: &routes, hub: hub, authority: authority)
        NewsRoutes.install(into: &routes, hub: hub, authority: authority)
        CommunityRoutes.install(into: &routes, hub: hub, authority: authority)
        FilesRoute.install(
            into: &routes,
            hub: hub,
            authority: authority,
            store: files,
            maxUploadBytes: configuration.maxUploadBytes,
            quota: UploadQuota(limit: configuration.uploadMiBPerUser),
            log: log
        )
    }

    /// Readiness for `/readyz`: the hub's last commit succeeded.
    public var readiness: @Sendable (@escaping @Sendable (Bool) -> Void) -> Void {
        { [hub] done in hub.queue.async { done(hub.storageHealthy) } }
    }

    /// The offset of the process's time zone (`TZ`, `/etc/localtime`) now: the retention purge runs at local time.
    static func localUTCOffset() -> Int {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    /// Stops the timer and closes the store after pending writes.
    public func close() {
        ticker?.cancel()
        ticker = nil
        feedPoller.stop()
        hub.queue.sync {}
        store.close()
    }
}

/// Forwards the hub's commit and job events to the metrics, and purge reports to the purge handler.
private final class MetricsObserver: HubObserver {
    let metrics: ServerMetrics
    let purged: @Sendable (Result<PurgeReport, StoreError>) -> Void

    init(metrics: ServerMetrics, purged: @escaping @Sendable (Result<PurgeReport, StoreError>) -> Void) {
        self.metrics = metrics
        self.purged = purged
    }

    func purgeFinished(_ result: Result<PurgeReport, StoreError>) {
        purged(result)
    }

    func batchCommitted(operations: Int, seconds: Double) {
        metrics.storeCommitSeconds.observe(seconds)
        metrics.storeBatchOperations.observe(Double(operations))
    }

    func batchFailed(operations: Int) {
        metrics.storeCommitFailures.increment()
    }

    func jobRan(lateBySeconds: Double) {
        metrics.schedulerLagSeconds.observe(max(0, lateBySeconds))
    }
}

/// Finishes a retention purge outside the hub: deletes the files no object refers to any more and logs what went.
private final class PurgeHandler: @unchecked Sendable {
    let log: Logger
    /// Set once during `HubService.init`, before the hub can purge.
    var files: FileStore?
    var store: SQLiteStore?

    init(log: Logger) { self.log = log }

    func handle(_ result: Result<PurgeReport, StoreError>) {
        guard let files, let store else { return }
        DispatchQueue.global(qos: .utility).async { [log] in
            switch result {
            case .success(let report):
                var filesRemoved = 0
                for sha256 in report.unreferencedFiles
                where files.remove(sha256: sha256, isReferenced: { store.hasObject(sha256: sha256) }) {
                    filesRemoved += 1
                }
                log.info(
                    "retention purge",
                    ("messagesExpired", .int(report.messagesExpired)),
                    ("recordsDeleted", .int(report.recordsDeleted)),
                    ("entriesDeleted", .int(report.entriesDeleted)),
                    ("sharesRemoved", .int(report.sharesRemoved.count)),
                    ("objectsDeleted", .int(report.objectsDeleted.count)),
                    ("filesRemoved", .int(filesRemoved))
                )
            case .failure(let error):
                log.error("retention purge failed", ("error", .string(error.description)))
            }
        }
    }
}
