import DutyAPI
import DutyCalendar
import DutyCore
package import DutyDaemon
package import DutyFiles
package import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
package import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The officials' pages (`[web]`), served by dutyd itself on a TCP address behind the organisation's
/// reverse proxy: a personal link from the mail starts a session, the official's page lists their
/// duties with the forms that answer them (签收, 办结, 申请延期), each answer made through the same
/// operations as dutyctl's and audited as the official's, `via web`.
///
/// Like the API, the server is built from Hummingbird's parts (docs/decisions/0005): its event loops
/// never block; the pages are made on NIO's pool for blocking work.
package final class WebServer: Service {
    let settings: WebSettings
    let links: PersonalLinks
    let scheduler: Scheduler
    let logger: Logger
    let pages: WebPages
    let failures = LinkFailures()

    static let cookie = "dutyd_session"
    /// The largest form taken.
    static let maximumForm = 16 * 1024
    /// Connections open at once: an office of officials with browsers of six connections each, or a
    /// reverse proxy's pool, fit well under it.
    package static let maximumConnections = 256

    package init(settings: WebSettings, links: PersonalLinks, scheduler: Scheduler, logger: Logger, language: String) {
        self.settings = settings
        self.links = links
        self.scheduler = scheduler
        self.logger = logger
        self.pages = WebPages(zh: language != "en")
    }

    package func run() async throws {
        let router = Router(context: WebContext.self)
        routes(router)
        let responder = router.buildResponder()
        let logger = self.logger
        let pages = self.pages
        let (host, port) = (settings.host, settings.port)
        // Past `maximumConnections` open at once a new connection is closed at once: a program
        // opening thousands of idle ones cannot take the descriptors the store and deliveries need.
        // Counted in all, not per address: behind a reverse proxy every browser is the proxy's address.
        let limit = ConnectionLimit(perUser: Self.maximumConnections, total: Self.maximumConnections)
        let server = try HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [ConnectionLimitHandler(limit, byPeer: false)],
                idleTimeout: .seconds(30)
            )
        ).buildServer(
            configuration: ServerConfiguration(address: .hostname(host, port: port), backlog: 256),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger.forServer,
            responder: { request, writer, channel in
                let context = WebContext(source: .init(channel: channel, logger: logger))
                let started = ContinuousClock.now
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch let e as HTTPError {
                    response = Self.html(
                        e.status,
                        pages.refused(
                            e.status.code == 401 ? pages.t("请先登录", "Please sign in") : "\(e.status.code)",
                            e.body ?? ""
                        )
                    )
                } catch {
                    response = Self.plain(.internalServerError, "\(error)")
                }
                Self.secure(&response.headers)
                DutyMetrics.request(
                    front: "web",
                    route: context.endpointPath ?? "unmatched",
                    status: Int(response.status.code),
                    seconds: (ContinuousClock.now - started).inSeconds
                )
                try await writer.write(response: response.head, body: response.body)
            },
            onServerRunning: { _ in
                logger.info("web pages on \(host):\(port)", metadata: ["DUTY_WEB": "\(host):\(port)"])
            }
        )
        do {
            try await server.run()
        } catch {
            throw Failure(
                ExitStatus.config,
                "cannot serve the web pages on \(host):\(port): \(error); set [web] listen to a free address and port, or remove [web]"
            )
        }
    }

    /// The headers every answer carries: no script, no framing, no referrer, nothing cached.
    static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n"))
        )
    }

    static func html(_ status: HTTPResponse.Status = .ok, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    // MARK: Routes

    private func routes(_ router: Router<WebContext>) {
        router.get("/static/dutyd.css") { _, _ in
            var r = Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: WebAssets.css))
            )
            r.headers[.cacheControl] = "public, max-age=86400"
            return r
        }
        router.get("/") { _, _ in Self.redirect("/me") }
        // The link from the mail: exchanged for the session cookie, and taken out of the address bar.
        router.get("/l/:token") { _, context in
            let address = context.address
            if self.failures.blocked(address, now: Int(Instant.now.seconds)) {
                return Self.html(
                    .tooManyRequests,
                    self.pages.refused(
                        self.pages.t("请稍后再试", "Try again later"),
                        self.pages.t(
                            "此地址打开失效链接的次数过多，请十分钟后再试，或使用最新邮件中的链接。",
                            "Too many links that do not work were opened from this address; wait ten minutes, or use the link in your latest mail."
                        )
                    )
                )
            }
            let token = context.parameters.get("token") ?? ""
            let now = Int(Instant.now.seconds)
            guard let claim = self.links.verify(token, .link, now: now),
                try await self.stillGood(claim)
            else {
                self.failures.add(address, now: now)
                self.logger.notice("a personal link was refused", metadata: ["DUTY_WEB_ADDRESS": "\(address)"])
                return Self.html(
                    .forbidden,
                    self.pages.refused(
                        self.pages.t("链接已失效", "This link does not work"),
                        self.pages.t(
                            "这个链接已过期、已被收回或不完整。请使用最新一封提醒邮件中的链接；如仍无法打开，请联系本级党委办公室。",
                            "It has expired, was revoked or is incomplete. Use the link in the latest reminder mail; if that fails too, ask your committee office."
                        )
                    )
                )
            }
            let session = self.links.token(.session, official: claim.official, now: now)
            var cookie = "\(Self.cookie)=\(session); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(self.links.lifetime)"
            if self.settings.secure { cookie += "; Secure" }
            return Self.redirect("/me", cookie: cookie)
        }
        router.get("/me") { request, context in
            let (official, session) = try await self.session(request)
            let message = request.uri.queryParameters.get("m").flatMap(self.message)
            return try await self.blocking {
                try self.officialPage(official, form: self.links.formToken(session: session), message: message)
            }
        }
        // An occurrence, named by its id sealed (an id can name an official: nothing personal in an
        // address but the link token).
        router.get("/o/:ref") { request, context in
            let (official, _) = try await self.session(request)
            let id = self.links.reveal(context.parameters.get("ref") ?? "") ?? ""
            return try await self.blocking { try self.occurrencePage(id, for: official) }
        }
        router.get("/board") { request, _ in
            let (official, session) = try await self.session(request)
            let unit = request.uri.queryParameters.get("unit")
            return try await self.blocking {
                try self.boardPage(official, unitID: unit, form: self.links.formToken(session: session))
            }
        }
        router.get("/board/bulletin") { request, _ in
            let (official, _) = try await self.session(request)
            let period = request.uri.queryParameters.get("period") ?? ""
            return try await self.blocking { try self.bulletinPage(official, period: period) }
        }
        router.get("/board/bulletin.csv") { request, _ in
            let (official, _) = try await self.session(request)
            let period = request.uri.queryParameters.get("period") ?? ""
            return try await self.blocking { try self.bulletinCSV(official, period: period) }
        }
        router.post("/decide") { request, _ in
            try await self.posted(request, back: "/board", what: ["decision", "request"]) { form, official in
                try self.decide(form, official: official)
            }
        }
        router.post("/act") { request, _ in
            try await self.posted(request, back: "/me", what: ["action", "occurrence"]) { form, official in
                try self.act(form, official: official)
            }
        }
    }

    /// A form posted to the pages: its session, its size bounded, its form token checked; `perform`
    /// on NIO's pool for blocking work; a change done is journaled like one through the API, the
    /// scheduler woken, and the browser sent back to `back` (with the outcome's message); a refusal
    /// is a page saying why.
    private func posted(
        _ request: Request,
        back: String,
        what fields: [String],
        _ perform: @escaping @Sendable ([String: String], String) throws -> Outcome
    ) async throws -> Response {
        let (official, session) = try await self.session(request)
        let buffer = try await request.body.collect(upTo: Self.maximumForm)
        let form = Self.form(String(buffer: buffer))
        guard let csrf = form["csrf"], links.checkFormToken(csrf, session: session) else {
            return Self.html(
                .forbidden,
                pages.refused(
                    pages.t("表单已失效", "This form has expired"),
                    pages.t("请回到原页面重新提交。", "Go back to the page and send it again.")
                )
            )
        }
        switch try await blocking({ try perform(form, official) }) {
        case .done(let message):
            let change = fields.map { form[$0] ?? "" }.joined(separator: " ")
            logger.event(
                .changed,
                "\(official) (web): \(change)",
                ["DUTY_OFFICIAL": "\(official)", "DUTY_CHANGE": "\(change)"]
            )
            await scheduler.changed()
            return Self.redirect(back + (message.isEmpty ? "" : "?m=\(message)"))
        case .refused(let why):
            return Self.html(.unprocessableContent, pages.refused(pages.t("未能办理", "Not recorded"), why))
        }
    }

    /// The official a request's session cookie names, and the cookie; a page that says to open the
    /// link again otherwise.
    private func session(_ request: Request) async throws -> (official: String, token: String) {
        let now = Int(Instant.now.seconds)
        // Single sign-on: the reverse proxy names the official (`[web] trust_user_header`).
        if let name = settings.trustUserHeader, let field = HTTPField.Name(name),
            let official = request.headers[field]?.trimmingCharacters(in: .whitespaces), !official.isEmpty,
            official.utf8.count <= 200
        {
            let known = try await blocking { try self.state().0.organisation.officialIndex[official] != nil }
            if known { return (official, "header\n" + official) }
        }
        for field in request.headers[values: .cookie] {
            for part in field.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces)
                guard kv.hasPrefix(Self.cookie + "=") else { continue }
                let token = String(kv.dropFirst(Self.cookie.count + 1))
                if let claim = links.verify(token, .session, now: now), try await stillGood(claim) {
                    return (claim.official, token)
                }
            }
        }
        throw HTTPError(
            .unauthorized,
            message: pages.t(
                "请打开提醒邮件中的个人链接登录（链接有效期内可反复使用）。",
                "Open the personal link in your reminder mail to sign in (it works until it expires)."
            )
        )
    }

    /// Whether the official still exists and their links were not revoked after this was issued.
    private func stillGood(_ claim: PersonalLinks.Claim) async throws -> Bool {
        try await blocking {
            let (planner, _, store) = try self.state()
            guard planner.organisation.officialIndex[claim.official] != nil else { return false }
            if let revoked = try store.linksRevoked(of: claim.official), claim.issued <= revoked { return false }
            return true
        }
    }

    /// Work that reads the store or plans: on NIO's pool for blocking work, never on an event loop.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { try body() }
    }

    /// The planner, the records and the store as the scheduler has them now.
    func state() throws -> (Planner, () throws -> DutyRecords, DutyStore) {
        guard let snap = scheduler.snapshot else {
            throw HTTPError(
                .serviceUnavailable,
                message: pages.t("dutyd 正在启动，请稍后刷新。", "dutyd is starting; reload in a moment.")
            )
        }
        let revisions = try snap.store.revisions()
        let planner = try snap.cache.planner(revision: revisions[.organisation] ?? 0)
        let cache = snap.cache
        return (planner, { try cache.records(revision: revisions[.records] ?? 0) }, snap.store)
    }

    /// An operation's context for `official`, its changes audited as theirs, `via web`.
    func context(for official: String) throws -> OperationContext {
        guard let snap = scheduler.snapshot else { throw HTTPError(.serviceUnavailable) }
        let revisions = try snap.store.revisions()
        let planner = try snap.cache.planner(revision: revisions[.organisation] ?? 0)
        let cache = snap.cache
        let store = snap.store
        return OperationContext(
            workspace: snap.workspace,
            store: { store },
            planner: { planner },
            records: { try cache.records(revision: revisions[.records] ?? 0) },
            now: scheduler.now(),
            user: official,
            channel: "web",
            mayChange: true,
            // The year's tally the scheduler keeps per revision (the board's counts), as the API has it.
            yearTally: { at in try cache.yearTally(revisions: revisions, at: at) }
        )
    }

    /// `application/x-www-form-urlencoded` fields (the last of a name wins).
    static func form(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            out[decode(kv[0])] = kv.count == 2 ? decode(kv[1]) : ""
        }
        return out
    }
}

/// A request to the pages: where it came from (the rate limit's key).
struct WebContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any NIOCore.Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    var maxUploadSize: Int { WebServer.maximumForm }

    /// The peer's address (the reverse proxy's, behind one: each proxy then shares the limit).
    var address: String { channel.remoteAddress?.ipAddress ?? "?" }
}

/// Failed link attempts per address: past `limit` in `window` seconds, links from that address are
/// refused until the window passes. At most `capacity` addresses are remembered (the oldest go first).
final class LinkFailures: Sendable {
    static let limit = 20
    static let window = 600
    static let capacity = 10_000
    private let state = Mutex<[String: (count: Int, since: Int)]>([:])

    func blocked(_ address: String, now: Int) -> Bool {
        state.withLock { s in
            guard let e = s[address] else { return false }
            if now - e.since >= Self.window {
                s[address] = nil
                return false
            }
            return e.count >= Self.limit
        }
    }

    func add(_ address: String, now: Int) {
        state.withLock { s in
            if s.count >= Self.capacity, s[address] == nil {
                s = s.filter { now - $0.value.since < Self.window }
                if s.count >= Self.capacity, let oldest = s.min(by: { $0.value.since < $1.value.since }) {
                    s[oldest.key] = nil
                }
            }
            var e = s[address] ?? (0, now)
            if now - e.since >= Self.window { e = (0, now) }
            e.count += 1
            s[address] = e
        }
    }
}
