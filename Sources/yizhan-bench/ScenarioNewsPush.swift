import Glibc
import JSON
import Synchronization

/// `news-push`: N clients online (default `max`: as many as the open-file limits and the server's default
/// connection cap of 19,000 allow), every one subscribed to a news column for everyone; an editor publishes
/// `--messages` articles (default 20) through `POST /v1/news/articles`, one at a time. The server encodes each
/// article's `news.article` push once and writes it to every session. Measured per article: from sending the
/// POST to the last client receiving the push with the article's id; over all articles: server CPU per delivery.
/// The delivery check: every client got exactly one push per article, and none for anything else.
struct NewsPushScenario: Scenario {
    let name = "news-push"
    let unit = "delivery"
    let perUnitMetric = "serverCpuPerDeliveryUs"
    let command: BenchCommand
    /// Clients asked for (`Int.max` for `max`).
    let requested: Int
    let articles: Int
    let classSize = 1000
    let clientFileLimit: Int
    static let column = "bench"

    init(_ command: BenchCommand, clientFileLimit: Int) {
        self.command = command
        switch command.connections {
        case .count(let count): requested = count
        // As many as the open-file limits allow (capped in `run`).
        case .max, nil: requested = Int.max
        }
        articles = command.messages ?? 20
        self.clientFileLimit = clientFileLimit
    }

    var parameters: [(String, JSONValue)] {
        [
            ("connections", requested == Int.max ? .string("max") : .int(Int64(requested))),
            ("articles", .int(Int64(articles))), ("inFlight", .int(Int64(command.inFlight))),
            ("clientThreads", .int(Int64(command.threads))),
        ]
    }

    /// Clients both processes can hold: the bench's open-file limit, and the server's (its default connection cap,
    /// 19,000, included), with room for the REST requests and the files each side opens while working.
    private func capacity(_ server: ServerUnderTest) -> (count: Int, limitedBy: String) {
        let client = clientFileLimit - ProcessSampler.openDescriptors(pid: getpid()) - 64
        let serverLimit = ProcessSampler.openFileLimit(pid: server.pid)?.soft ?? 20_000
        let serverRoom = min(serverLimit, 19_000) - ProcessSampler.openDescriptors(pid: server.pid) - 64
        return serverRoom < client
            ? (serverRoom, "server (open-file limit \(serverLimit), default connection cap 19000)")
            : (client, "client open-file limit \(clientFileLimit)")
    }

    func run(_ context: RunContext) throws -> RunResult {
        var result = RunResult()
        let (capacity, limitedBy) = capacity(context.server)
        var clients = requested
        if clients > capacity {
            clients = capacity
            result.notes.append(
                requested == Int.max
                    ? "max = \(capacity) connections, limited by the \(limitedBy)"
                    : "connections capped at \(capacity) by the \(limitedBy)"
            )
        }
        let groups = (clients + classSize - 1) / classSize
        var fixture = Fixture(
            prefix: "np\(groups)x\(classSize)",
            groups: groups,
            members: classSize,
            counselors: .perClass,
            admin: true
        )
        try fixture.install(on: context.server)
        context.progress("imported \(fixture.userIDs.count) users in \(Report.format(fixture.importSeconds)) s")
        let editor = fixture.counselor(of: 0)
        try createColumn(context.server, admin: fixture.tokens[fixture.admin!], editor: fixture.userIDs[editor])

        let pool = context.makePool(fixture)
        defer { pool.shutdown() }
        let progress = Progress()
        let watch = NewsWatch()
        let command = self.command
        pool.broadcast { worker in
            worker.handler = NewsClient(
                progress: progress,
                idKind: command.idKind,
                textBytes: command.textBytes,
                watch: watch
            )
        }
        ConnectPhase.start(pool, users: Array(0..<clients))
        _ = try ConnectPhase.waitLive(progress, count: clients, live: 0, context: context, what: "subscribers")
        guard progress.value(.failed) == 0 else {
            throw ServerUnderTest.Failure(description: "\(progress.value(.failed)) subscribers could not connect")
        }
        // The hub registers a session on its queue after the handshake; let every one land, and the server idle.
        Clock.sleep(milliseconds: 1000)

        var published: [Int64] = []
        var lastDelivery: [Double] = []
        var firstDelivery: [Double] = []
        var replies: [Double] = []
        let measurement = Measurement(serverPID: context.server.pid)
        for round in 1...articles {
            let before = watch.pushes.load(ordering: .relaxed)
            let start = Clock.now()
            let article = try publish(context, token: fixture.tokens[editor], round: round)
            replies.append(Clock.seconds(from: start, to: Clock.now()))
            published.append(article)
            let outcome = Wait.until(timeout: 60, stall: 10, progress: watch.pushes.load(ordering: .relaxed)) {
                watch.pushes.load(ordering: .relaxed) - before >= clients
            }
            let arrival = pool.collect { ($0.handler as! NewsClient).arrivals[article] ?? NewsClient.Arrival() }
                .reduce(into: NewsClient.Arrival()) { $0.merge($1) }
            if outcome != .done || arrival.count < clients {
                result.notes.append(
                    "article \(round): \(arrival.count) of \(clients) clients got the push (\(outcome))"
                )
            }
            lastDelivery.append(arrival.count > 0 ? Clock.seconds(from: start, to: arrival.last) : .nan)
            firstDelivery.append(arrival.count > 0 ? Clock.seconds(from: start, to: arrival.first) : .nan)
        }
        let window = measurement.finish()
        context.progress(
            "\(articles) article(s) to \(clients) clients: last push after "
                + lastDelivery.map { Report.format($0 * 1000) }.joined(separator: ", ") + " ms"
        )

        let articleIDs = published
        let check = pool.collect { ($0.handler as! NewsClient).check(articleIDs, worker: $0) }
            .reduce(into: NewsCheck()) { $0.merge($1) }
        let deliveries = check.delivered
        result.add("connections", Double(progress.value(.opened)), "")
        result.add("articles", Double(articles), "")
        result.add("lastDeliveryP50Ms", Self.percentile(lastDelivery, 0.5) * 1000, "ms")
        result.add("lastDeliveryP99Ms", Self.percentile(lastDelivery, 0.99) * 1000, "ms")
        result.add("lastDeliveryMaxMs", (lastDelivery.max() ?? .nan) * 1000, "ms")
        result.add("firstDeliveryP50Ms", Self.percentile(firstDelivery, 0.5) * 1000, "ms")
        result.add("publishReplyP50Ms", Self.percentile(replies, 0.5) * 1000, "ms")
        result.add("deliveries", Double(deliveries), "")
        result.add("serverCpuPerArticleMs", window.serverCPUSeconds / Double(articles) * 1000, "ms")
        result.addCPU(window, units: deliveries, unit: "delivery", threads: command.threads)
        result.add("serverRssBytes", Double(window.serverRSSEnd), "B")
        result.missed = check.missed
        result.duplicated = check.duplicated
        result.errors = progress.value(.errors) + progress.value(.dropped) + check.unexpected + check.malformed
        if check.unexpected > 0 {
            result.notes.append("pushes of articles the bench did not publish: \(check.unexpected)")
        }
        if check.malformed > 0 { result.notes.append("news.article pushes without an article id: \(check.malformed)") }
        let errorCodes = pool.collect { ($0.handler as! GroupClient).errorCodes }.reduce(into: [String: Int]()) {
            $0.merge($1, uniquingKeysWith: +)
        }
        if !errorCodes.isEmpty { result.notes.append("errors: \(errorCodes)") }
        return result
    }

    /// The nearest-rank percentile of a few values (one per article); NaN for none.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = max(1, Int((Double(sorted.count) * fraction).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }

    /// `POST /v1/news/columns` as the school admin: a column for everyone, subscribed by default, edited by
    /// `editor`. One the bench made before on this server (`--url`) is fine.
    private func createColumn(_ server: ServerUnderTest, admin: String, editor: String) throws {
        let body: JSONValue = .object([
            "id": .string(Self.column), "name": .string("压测栏目"), "audience": .object(["everyone": .bool(true)]),
            "subscribeByDefault": .bool(true), "editors": .array([.string(editor)]),
        ])
        let response = try RESTClient.post(
            host: server.host,
            port: server.port,
            path: "/v1/news/columns",
            bearer: admin,
            body: body.encoded()
        )
        guard response.status == 201 || (response.status == 400 && response.body.contains("exists already")) else {
            throw ServerUnderTest.Failure(
                description: "creating the news column failed: HTTP \(response.status) \(response.body.prefix(500))"
            )
        }
    }

    /// Publishes article `round` as the column's editor and returns its id.
    private func publish(_ context: RunContext, token: String, round: Int) throws -> Int64 {
        let paragraph = "第\(round)条压测资讯：教务处通知，请同学们按时查看本周课程安排与考试时间。"
        let body: JSONValue = .object([
            "column": .string(Self.column), "title": .string("压测资讯 \(context.run)-\(round)"),
            "body": .string("<p>\(paragraph)</p><p>\(paragraph)</p>"), "publish": .bool(true),
        ])
        let response = try RESTClient.post(
            host: context.server.host,
            port: context.server.port,
            path: "/v1/news/articles",
            bearer: token,
            body: body.encoded(),
            timeoutSeconds: 60
        )
        guard response.status == 201, let id = (try? JSONParser.parse(response.body))?["id"]?.int64Value else {
            throw ServerUnderTest.Failure(
                description: "publishing article \(round) failed: HTTP \(response.status) \(response.body.prefix(500))"
            )
        }
        return id
    }
}

/// What the main thread watches while an article goes out: `news.article` pushes received, in all.
final class NewsWatch: Sendable {
    let pushes = Atomic<Int>(0)
}

/// The delivery check of one worker's clients against the articles published.
struct NewsCheck: Sendable {
    /// Pushes of published articles, each counted once per client.
    var delivered = 0
    /// (client, article) pairs without a push.
    var missed = 0
    /// Pushes beyond the first of one article to one client.
    var duplicated = 0
    /// Pushes of articles the bench did not publish.
    var unexpected = 0
    /// `news.article` pushes whose article id could not be read.
    var malformed = 0

    mutating func merge(_ other: NewsCheck) {
        delivered += other.delivered
        missed += other.missed
        duplicated += other.duplicated
        unexpected += other.unexpected
        malformed += other.malformed
    }
}

/// A subscriber: holds its connection idle (no sync: news pushes go to every session of a subscribed user) and
/// notes every `news.article` push: the article ids each connection got, and when this worker's clients got the
/// first and the last push of each article.
final class NewsClient: GroupClient {
    struct Arrival: Sendable {
        var count = 0
        var first = UInt64.max
        var last: UInt64 = 0

        mutating func merge(_ other: Arrival) {
            count += other.count
            first = min(first, other.first)
            last = max(last, other.last)
        }
    }

    let watch: NewsWatch
    /// Article ids each connection received, by slot.
    private var received: [[Int64]] = []
    /// Per article id: pushes and arrival times on this worker.
    private(set) var arrivals: [Int64: Arrival] = [:]
    private var malformed = 0
    private static let prefix = Array(#"{"type":"news.article","#.utf8)

    init(progress: Progress, idKind: RequestWriter.MessageIDKind, textBytes: Int, watch: NewsWatch) {
        self.watch = watch
        super.init(progress: progress, idKind: idKind, textBytes: textBytes)
    }

    override func syncs(_ connection: ClientConnection) -> Bool { false }

    override func other(_ message: UnsafeRawBufferPointer, _ connection: ClientConnection, on worker: ClientWorker) {
        guard message.starts(with: Self.prefix) else { return }
        let now = Clock.now()
        watch.pushes.add(1, ordering: .relaxed)
        guard let id = ServerMessage.integer(after: #""article":{"id":"#, in: message, from: Self.prefix.count)
        else {
            malformed += 1
            return
        }
        while received.count <= connection.slot { received.append([]) }
        received[connection.slot].append(id.value)
        arrivals[id.value, default: Arrival()].merge(Arrival(count: 1, first: now, last: now))
    }

    /// Every client of `worker` must hold exactly one push of each of `published`, and no other.
    func check(_ published: [Int64], worker: ClientWorker) -> NewsCheck {
        var check = NewsCheck()
        check.malformed = malformed
        let expected = Set(published)
        for connection in worker.connections {
            let ids = connection.slot < received.count ? received[connection.slot] : []
            var counts: [Int64: Int] = [:]
            for id in ids { counts[id, default: 0] += 1 }
            for article in published {
                let count = counts[article] ?? 0
                if count == 0 { check.missed += 1 } else { check.delivered += 1 }
                check.duplicated += max(0, count - 1)
            }
            check.unexpected += ids.count(where: { !expected.contains($0) })
        }
        return check
    }
}
