import DutyCalendar
import DutyCore
package import DutyDaemon
package import DutyFiles
import DutyNotify
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

#if canImport(Glibc)
import Glibc
#endif

/// dutyd's control API (`openapi.yaml` beside this file): HTTP/JSON on a Unix socket, version 1 under `/v1/`. Every
/// answer is computed by the same function direct mode uses (`DutyService/Commands/`, one file per resource),
/// on the configuration and store the scheduler has in force; a change wakes the scheduler at once.
///
/// Who may do what comes from the kernel (SO_PEERCRED, `Peer.swift`): queries for members of the
/// socket's group, changes for root and the `admin_groups`. Each change is a journal entry naming who.
///
/// Hummingbird's `Application` is not used: it runs a once-a-second timer for its `Date` header, and
/// an idle dutyd wakes only for its watchdog. The server is built from Hummingbird's parts instead.
package final class APIServer: Service {
    let settings: APISettings
    let scheduler: Scheduler
    let logger: Logger
    let version: String
    /// Questions are computed here, off the event loops; `status` is answered at once, even when
    /// this pool is full.
    let questions = QuestionPool("questions", workers: 2, queueLimit: 64)
    /// Changes, one at a time (they write one store), with a longer queue: they come from
    /// administrators, not from every reader.
    let changes = QuestionPool("changes", workers: 1, queueLimit: 32, cancellable: false)
    /// Connections per user and in all (`ConnectionLimit`).
    let connections = ConnectionLimit.forThisProcess()
    /// The largest request body (an import's CSV, base64 in JSON): a million units fit.
    static let maximumBody = 256 * 1024 * 1024

    package init(settings: APISettings, scheduler: Scheduler, logger: Logger, version: String) {
        self.settings = settings
        self.scheduler = scheduler
        self.logger = logger
        self.version = version
    }

    /// Every route: the operations of the registry and the few written out.
    func responder() -> RouterResponder<APIContext> {
        let router = Router(context: APIContext.self)
        routes(router, auth: Authorizer(readGroup: settings.group, adminGroups: settings.adminGroups))
        return router.buildResponder()
    }

    /// A request's response, an error turned into the API's error body; never cached.
    static func answer(
        _ request: Request,
        _ context: APIContext,
        _ responder: RouterResponder<APIContext>
    ) async -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await responder.respond(to: request, context: context)
            // The router's answer when no route took the request: 404 and no body.
            if response.status == .notFound && context.endpointPath == "NotFound" {
                response = APIServer.unrouted(request)
            }
        } catch {
            response = APIServer.failure(error)
        }
        response.headers[.cacheControl] = "no-store"
        // By the route's pattern (`/v1/occurrences/{id}`), never the path asked: bounded labels.
        DutyMetrics.request(
            front: "api",
            route: context.endpointPath ?? "unmatched",
            status: Int(response.status.code),
            seconds: (ContinuousClock.now - started).inSeconds
        )
        return response
    }

    package func run() async throws {
        let responder = self.responder()
        let logger = self.logger
        let socket = settings.socket
        let group = settings.group
        let folder = (socket as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let limit = self.connections
        let server = try HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [ConnectionLimitHandler(limit), ClientGoneHandler()],
                idleTimeout: .milliseconds(Int64(settings.idleTimeout * 1000))
            )
        ).buildServer(
            configuration: ServerConfiguration(address: .unixDomainSocket(path: socket), backlog: 128),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger.forServer,
            responder: { request, writer, channel in
                let context = APIContext(source: .init(channel: channel, logger: logger))
                // A client that goes away cancels its request (`ClientGoneHandler`).
                let response = await RequestsInFlight.run(on: channel) {
                    await APIServer.answer(request, context, responder)
                }
                try await writer.write(response: response.head, body: response.body)
            },
            onServerRunning: { _ in
                // Mode 0660, group `dutyd` (docs/design.md): the socket's group may ask, others cannot connect.
                chmod(socket, 0o660)
                if let g = getgrnam(group) { chown(socket, uid_t.max, g.pointee.gr_gid) }
                logger.info("API listening on \(socket)", metadata: ["DUTY_SOCKET": "\(socket)"])
            }
        )
        do {
            // SIGTERM: the server waits for the requests under way, so the questions stop at once
            // (their clients get 503) rather than being computed to the end.
            let questions = self.questions
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: {
                questions.stopAll()
                RequestsInFlight.closeStreams()
            }
        } catch {
            // Most often the socket's folder: missing, not writable, or /run/dutyd without systemd's
            // RuntimeDirectory=. A configuration matter, with the setting to change.
            throw Failure(
                ExitStatus.config,
                "cannot serve the API on \(socket): \(error); set [api] socket to a path dutyd may create (its folder must exist and be writable), or [api] enabled = false"
            )
        }
    }

    // MARK: Routes

    private func routes(_ router: Router<APIContext>, auth: Authorizer) {
        let v1 = router.group("v1")
        /// An operation of the registry. A question (`.read`): members of the socket's group may ask,
        /// the query string is its request, answered on the question pool within its time budget. A
        /// change (`.write`): root and the admin groups may make it, the body is its request in JSON,
        /// made one at a time, logged with who made it, and the scheduler is woken at once.
        func register<O: DutyOperation>(_ op: O.Type) {
            switch O.access {
            case .read:
                v1.get(RouterPath(O.route)) { request, ctx in
                    let (peer, access) = try await self.authorize(ctx, auth, .read)
                    let r = try query(O.Request.self, request)
                    return try await self.questions.run(budget: self.questionBudget) {
                        let answer = try self.perform(O.self, r, for: peer, access)
                        try StopSignal.throwIfStopped()
                        return try json(answer)
                    }
                }
            case .write:
                v1.post(RouterPath(O.route)) { request, ctx in
                    let (peer, access) = try await self.authorize(ctx, auth, .write)
                    let r = try await body(O.Request.self, request, ctx)
                    let answer = try await self.changes.run { Sendably(try self.perform(O.self, r, for: peer, access)) }
                        .value
                    let (what, fields) = O.journal(r, answer)
                    await self.changed(peer, what, fields.mapValues { Logger.MetadataValue.string($0) })
                    // A large request (an import's file) freed hundreds of megabytes: give them back.
                    if (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 16 << 20 {
                        StateCache.returnFreedMemory()
                    }
                    return try json(answer)
                }
            }
        }

        // Prometheus's text format (`DutyMetrics`), for members of the socket's group; also on
        // `[metrics] listen` over TCP (`MetricsServer`). Counted off the event loops, like `status`.
        router.get("metrics") { request, context in
            _ = try await self.authorize(context, auth, .read)
            return try await NIOThreadPool.singleton.runIfActive { try APIServer.metrics(self.scheduler, self.version) }
        }
        // `status` must answer while the question pool is full, but not on an event loop: it reads
        // the store. NIO's pool for blocking work (also the resolver's) takes it.
        v1.get("status") { request, context in
            _ = try await self.authorize(context, auth, .read)
            _ = try query(NoRequest.self, request)
            return try await NIOThreadPool.singleton.runIfActive { try json(try self.status()) }
        }
        /// A question whose answer can be as long as the organisation: streamed (`RowStream.swift`, `RowPipe.swift`).
        func registerRows<O: RowsOperation>(_ op: O.Type) {
            v1.get(RouterPath(O.route)) { request, ctx in
                let (peer, access) = try await self.authorize(ctx, auth, .read)
                let r = try query(O.Request.self, request)
                return try await self.streamed(
                    O.self,
                    r,
                    format: RowFormat.asked(by: request, key: O.rowsKey),
                    channel: ctx.channel,
                    uid: peer.uid
                ) { emit in
                    try self.withContext(for: peer, access) { try O.rows(r, $0, emit) }
                }
            }
        }
        // Every operation of the registry: its route, who may call it, its request and answer.
        for op in Operations.all {
            if let rows = op as? any RowsOperation.Type { registerRows(rows) } else { register(op) }
        }

        // The same feed as `calendar export`, as text/calendar for a client that subscribes, streamed.
        v1.get("calendar.ics") { request, ctx in
            let (peer, access) = try await self.authorize(ctx, auth, .read)
            let r = try query(CalendarRequest.self, request)
            return try await self.streamed(
                CalendarExport.self,
                r,
                format: .text(contentType: "text/calendar; charset=utf-8"),
                channel: ctx.channel,
                uid: peer.uid
            ) { emit in
                try self.withContext(for: peer, access) { try CalendarExport.rows(r, $0, emit) }
            }
        }
        // A test message through the daemon's own mail settings (its SMTP password is its credential).
        v1.post("notify/test") { request, context in
            let (peer, _) = try await self.authorize(context, auth, .write)
            let r = try await body(NotifyTestRequest.self, request, context)
            let answer = try await self.current().workspace.settings.notifyTest(r)
            // Logged with who sent it, like a change; the state is the same, so the scheduler sleeps on.
            await self.changed(peer, "sent a test message to \(r.to.joined(separator: ", "))", [:], wake: false)
            return try json(answer)
        }
        v1.post("reload") { _, context in
            let (peer, _) = try await self.authorize(context, auth, .write)
            if let why = await self.scheduler.reloadAndWait(by: AuditActor(who: peer.user, how: "api")) {
                throw Failure(
                    .config,
                    "the new configuration was refused and the previous one stays in force: \(why)",
                    http: 422
                )
            }
            let snap = try self.current()
            await self.changed(peer, "reloaded \(snap.configPath)", ["DUTY_CONFIG": "\(snap.configPath)"])
            return try json(
                ReloadAnswer(
                    config: snap.configPath,
                    loadedAt: snap.loadedAt.format(in: snap.workspace.settings.timezone)
                )
            )
        }
    }

    // MARK: Helpers

    /// The peer and what it may do, if it may do `needed`; else 403 and exit status 77 for dutyctl.
    /// The user and group lookups may ask LDAP or NIS, so they run on NIO's pool for blocking work, in
    /// one hop, never on an event loop.
    private func authorize(
        _ context: APIContext,
        _ auth: Authorizer,
        _ needed: Authorizer.Access
    ) async throws -> (peer: Peer, access: Authorizer.Access) {
        let c: Peer.Credentials
        if let given = context.credentials { c = given } else { c = try await Peer.credentials(of: context.channel) }
        let (peer, access) = try await NIOThreadPool.singleton.runIfActive {
            let peer = Peer(uid: c.uid, gid: c.gid, pid: c.pid)
            return (peer, auth.access(peer))
        }
        guard access >= needed else {
            let what =
                needed == .write
                ? "may not change dutyd's state: changes are for root and members of \(auth.adminGroups.map { "'\($0)'" }.joined(separator: " or ")) ([api] admin_groups in dutyd.toml); ask an administrator to run `usermod -aG \(auth.adminGroups.first ?? "dutyd-admin") \(peer.user)`"
                : "may not use dutyd's API: queries are for members of the group '\(auth.readGroup)'; ask an administrator to run `usermod -aG \(auth.readGroup) \(peer.user)`"
            throw Failure(.noPermission, "\(peer.user) \(what)")
        }
        return (peer, access)
    }

    private func current() throws -> DaemonSnapshot {
        guard let snap = scheduler.snapshot else {
            throw Failure(
                .unavailable,
                "dutyd is starting and has not built its plan yet; try again in a moment"
            )
        }
        return snap
    }

    /// Runs an operation on the configuration in force, the current records and planner (shared with
    /// the scheduler, made again only after a change), at the daemon's clock, for `peer`.
    private func perform<O: DutyOperation>(
        _ op: O.Type,
        _ request: O.Request,
        for peer: Peer,
        _ access: Authorizer.Access
    ) throws -> O.Answer {
        try withContext(for: peer, access) { try O.perform(request, $0) }
    }

    /// `body` with the context an operation runs in: the configuration in force, the store, the
    /// planner and the records, at the daemon's clock, for `peer`.
    func withContext<A>(
        for peer: Peer,
        _ access: Authorizer.Access,
        _ body: (OperationContext) throws -> A
    ) throws -> A {
        try withState { workspace, planner, records, store, cache, revisions in
            try body(
                OperationContext(
                    workspace: workspace,
                    store: { store },
                    planner: { planner },
                    records: records,
                    now: scheduler.now(),
                    user: peer.user,
                    channel: "api",
                    mayChange: access == .write,
                    yearTally: { at in try cache.yearTally(revisions: revisions, at: at) }
                )
            )
        }
    }

    /// The configuration in force, the planner and the records as the store has them now (kept
    /// between changes by the scheduler's `StateCache`, which the questions share) and the store. The
    /// revisions are read first: a question sees every change committed before it.
    private func withState<A>(
        _ body: (Workspace, Planner, @escaping () throws -> DutyRecords, DutyStore, StateCache, [Revision: Int]) throws
            -> A
    ) throws -> A {
        let snap = try current()
        let revisions = try snap.store.revisions()
        let planner = try snap.cache.planner(revision: revisions[.organisation] ?? 0)
        let cache = snap.cache
        return try body(
            snap.workspace,
            planner,
            { try cache.records(revision: revisions[.records] ?? 0) },
            snap.store,
            cache,
            revisions
        )
    }

    /// How long a question may compute: `[api] question_timeout` as last loaded.
    var questionBudget: Double {
        (try? current().workspace.settings.api.questionTimeout) ?? APISettings().questionTimeout
    }

    /// Logs who changed what, and wakes the scheduler so the change counts at once.
    private func changed(_ peer: Peer, _ what: String, _ fields: Logger.Metadata, wake: Bool = true) async {
        var metadata = fields
        metadata["DUTY_PEER_USER"] = "\(peer.user)"
        metadata["DUTY_PEER_UID"] = "\(peer.uid)"
        metadata["DUTY_PEER_PID"] = "\(peer.pid)"
        metadata["DUTY_CHANGE"] = "\(what)"
        logger.event(.changed, "\(peer.user) (uid \(peer.uid)): \(what)", metadata)
        if wake { await scheduler.changed() }
    }

    private func status() throws -> StatusView {
        let snap = try current()
        let s = snap.workspace.settings
        let zone = s.timezone
        let now = Instant.now
        let (units, officials, obligations) = try withState { _, planner, _, _, _, _ in
            (planner.organisation.units.count, planner.organisation.officials.count, planner.policy.obligations.count)
        }
        // The daemon's day (which `--start-at` shifts), like its next steps; uptime is real time.
        let today = zone.day(of: scheduler.now())
        let counts = try snap.store.ledgerCounts()
        var sender: StatusView.Sender?
        if let lease = scheduler.lease, let st = try snap.store.senderStatus(seenWithin: 3 * lease.takeover) {
            sender = StatusView.Sender(
                instance: lease.instance,
                sending: lease.term != nil,
                term: st.term,
                holder: st.sender,
                since: st.since?.format(in: zone),
                instances: st.instances.map { .init(name: $0.name, seen: $0.seen.format(in: zone)) }
            )
        }
        return StatusView(
            version: version,
            pid: getpid(),
            startedAt: snap.startedAt.format(in: zone),
            uptimeSeconds: max(0, now.seconds - snap.startedAt.seconds),
            config: snap.configPath,
            loadedAt: snap.loadedAt.format(in: zone),
            timezone: zone.identifier,
            // The store as it names itself: a connection string's password is never shown.
            state: snap.store.name,
            policy: s.policy,
            holidays: s.holidays,
            socket: settings.socket,
            units: units,
            officials: officials,
            obligations: obligations,
            next: snap.next.map { .init(at: $0.at.format(in: zone), obligation: $0.obligation, step: $0.step) },
            ledger: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
            holidayYears: snap.workspace.workdays.publishedYears.sorted(),
            provisionalYears: snap.workspace.workdays.unpublishedYears(from: today, through: today.adding(days: 400)),
            sender: sender
        )
    }

    /// `/metrics`: Prometheus's text format (`DutyMetrics`).
    static func metrics(_ scheduler: Scheduler, _ version: String) throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: try DutyMetrics.exposition(of: scheduler, version: version)))
        )
    }

    /// An error as the API's error body: the message dutyctl prints and the exit status it ends with,
    /// under the HTTP status of that exit status (`ExitStatus.httpStatus`).
    static func failure(_ error: any Error) -> Response {
        let (f, body) = failureBody(error)
        return Response(
            status: HTTPResponse.Status(code: f.httpStatus),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

extension APIServer {
    /// An error as the API's error body (`{"error": …, "exit_status": …}`) and the failure it stands for.
    static func failureBody(_ error: any Error) -> (failure: Failure, body: Data) {
        let f: Failure
        if let e = error as? HTTPError {
            f = Failure(.usage, e.body ?? "\(e.status)", http: e.status.code)
        } else {
            f = Failure(translating: error) ?? Failure(.runtime, "\(error)")
        }
        return (f, (try? JSONOutput.encode(APIErrorBody(error: f.message, exitStatus: f.status.rawValue))) ?? Data())
    }
}

/// An answer that crosses from the pool's thread back to the request's task. The answers are plain
/// values built for this one request and read once.
struct Sendably<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A request's context: Hummingbird's, plus the connection, whose peer credentials authorize it.
struct APIContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any NIOCore.Channel
    /// Who asks, when the request did not come through the socket (`InProcessAPI`).
    var credentials: Peer.Credentials?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Hummingbird's default is 2 MB, which an import of about 20,000 units already passes.
    var maxUploadSize: Int { APIServer.maximumBody }
}

/// JSON with the keys sorted, as dutyctl prints it.
private func json(_ value: some Encodable) throws -> Response {
    Response(
        status: .ok,
        headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(bytes: try JSONOutput.encode(value)))
    )
}

/// A GET request's query string as a request value; a mistake is bad usage.
private func query<R: Decodable>(_ type: R.Type, _ request: Request) throws -> R {
    do {
        return try URLEncodedFormDecoder().decode(R.self, from: request.uri.query ?? "")
    } catch {
        throw Failure(.usage, "the query string does not fit \(R.self): \(error)")
    }
}

/// A POST request's JSON body as a request value; a mistake is bad usage.
private func body<R: Decodable>(_ type: R.Type, _ request: Request, _ context: APIContext) async throws -> R {
    do {
        return try await request.decode(as: R.self, context: context)
    } catch let e as HTTPError where e.status == .contentTooLarge {
        throw tooLarge
    } catch is NIOTooManyBytesError {
        throw tooLarge
    } catch {
        throw Failure(.usage, "the request body is not a \(R.self) in JSON: \(error)")
    }
}

/// A request body past `APIServer.maximumBody`, and what to do instead.
private let tooLarge = Failure(
    .dataError,
    "the request is larger than \(APIServer.maximumBody / 1024 / 1024) MiB; split the file into smaller ones "
        + "and import each (parents before their units), or stop dutyd and import with --config",
    http: 413
)
