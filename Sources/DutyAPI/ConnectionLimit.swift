import DutyCalendar
import Foundation
import Hummingbird
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How many API connections one user may hold open at once, and all users together. A reader who
/// opens thousands of idle connections is refused past `perUser` (the connection is closed at once),
/// and the total stays far below the descriptors dutyd keeps for its store, mail and hooks.
///
/// `perUser` is 128: twice what 50 busy clients of one user need, because a connection a client has
/// closed is counted until dutyd's event loop sees it end, which lags under load (at 64 a 50-client
/// flood on a loaded machine was sometimes refused at accept, with no answer to read).
///
/// The counts are kept by `ConnectionLimitHandler`, one per connection, from the kernel's peer
/// credentials (SO_PEERCRED) at the moment the connection is accepted.
final class ConnectionLimit: Sendable {
    let perUser: Int
    let total: Int
    private let counts = Mutex<(byUser: [UInt32: Int], all: Int, refused: Int)>(([:], 0, 0))

    init(perUser: Int, total: Int) {
        self.perUser = perUser
        self.total = total
    }

    /// Counts a new connection of `uid` in, or says no.
    func admit(_ uid: UInt32) -> Bool {
        counts.withLock { tally in
            let mine = tally.byUser[uid, default: 0]
            guard mine < perUser, tally.all < total else {
                tally.refused += 1
                return false
            }
            tally.byUser[uid] = mine + 1
            tally.all += 1
            return true
        }
    }

    func release(_ uid: UInt32) {
        counts.withLock { tally in
            let mine = tally.byUser[uid, default: 1] - 1
            tally.byUser[uid] = mine > 0 ? mine : nil
            tally.all -= 1
        }
    }

    /// Open connections, and how many were refused since the start.
    var snapshot: (open: Int, refused: Int) { counts.withLock { ($0.all, $0.refused) } }

    /// The limits for this process: `total` is at most a quarter of the descriptors the soft limit
    /// allows (the rest are the store's, the mail's and the hooks'), and at most 1,024.
    static func forThisProcess(perUser: Int = 128) -> ConnectionLimit {
        var limit = rlimit()
        let soft =
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
        return ConnectionLimit(perUser: perUser, total: max(8, min(1024, soft / 4)))
    }
}

/// Admits or closes one API connection as soon as it is set up, and counts it out when it closes.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let limit: ConnectionLimit
    let byPeer: Bool
    private var admitted: UInt32?
    /// The one count of a listener that does not tell users apart.
    static let anyone = UInt32.max

    /// `byPeer`: counted per user, from the peer's credentials (the API's Unix socket); false: all
    /// connections as one (a TCP listener, `[metrics] listen`), so only `limit.total` bounds them.
    init(_ limit: ConnectionLimit, byPeer: Bool = true) {
        self.limit = limit
        self.byPeer = byPeer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard byPeer else {
            if limit.admit(Self.anyone) { admitted = Self.anyone } else { context.close(promise: nil) }
            return
        }
        guard let provider = context.channel as? any SocketOptionProvider else { return }
        // On the channel's own loop the option is read at once and the future is already complete.
        let future: EventLoopFuture<Peer.Credentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_PEERCRED)
        )
        let limit = self.limit
        future.hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let c) where limit.admit(c.uid):
                admitted = c.uid
            default:
                context.close(promise: nil)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let uid = admitted { limit.release(uid) }
        admitted = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}

/// Cancels the request under way on a connection whose client has gone (end of input: Ctrl-C, a
/// killed dutyctl, a closed connection), and closes the connection. Hummingbird allows half-closed
/// connections, and on a Unix socket a client that exits looks the same as one that half-closes;
/// our clients never half-close, so end of input is taken as gone.
final class ClientGoneHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            RequestsInFlight.cancel(on: context.channel)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        RequestsInFlight.cancel(on: context.channel)
        context.fireChannelInactive()
    }
}

/// The request each connection has under way (HTTP/1 answers one at a time), so that a client that
/// goes away cancels it: a question then stops computing at once instead of holding a worker. One
/// entry per connection while a request runs, none after: nothing piles up on a connection that
/// lives long.
enum RequestsInFlight {
    private static let running = Mutex<[ObjectIdentifier: Task<Response, Never>]>([:])

    /// Runs `body` as the request under way on `channel`.
    static func run(on channel: any Channel, _ body: @escaping @Sendable () async -> Response) async -> Response {
        let key = ObjectIdentifier(channel)
        let task = Task { await body() }
        running.withLock { $0[key] = task }
        defer { _ = running.withLock { $0.removeValue(forKey: key) } }
        // Gone before the request was registered: its end of input has been seen already.
        if !channel.isActive { task.cancel() }
        return await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Streamed answers being written, by connection: their maker stops when the client goes.
    private static let streams = Mutex<[ObjectIdentifier: (channel: any Channel, signal: StopSignal, uid: UInt32)]>(
        [:]
    )

    /// Streamed answers at once, per user and in all. Each holds a question thread while its reader
    /// reads (`QuestionPool.maximumThreads`, 64): a user reading slowly but steadily is never stopped
    /// by the 30 s stall limit, so without a cap 64 such streams would hold every thread.
    static let streamsPerUser = 8
    static let streamsInAll = 48

    /// Registers a streamed answer for `uid`; false (and nothing registered) when that user or
    /// everyone has as many as may stream at once.
    static func watch(_ channel: any Channel, _ signal: StopSignal, uid: UInt32) -> Bool {
        let admitted = streams.withLock { streams in
            guard streams.count < streamsInAll, streams.values.count(where: { $0.uid == uid }) < streamsPerUser
            else { return false }
            streams[ObjectIdentifier(channel)] = (channel, signal, uid)
            return true
        }
        if admitted && !channel.isActive { cancel(on: channel) }
        return admitted
    }

    /// dutyd is stopping: every streamed answer stops and its connection closes, rather than waiting
    /// for a slow reader to take what is already on its way.
    static func closeStreams() {
        let all = streams.withLock { Array($0.values) }
        for stream in all {
            stream.signal.stop()
            stream.channel.close(promise: nil)
        }
    }

    static func unwatch(_ channel: any Channel) {
        _ = streams.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    static func cancel(on channel: any Channel) {
        running.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }?.cancel()
        streams.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }?.signal.stop()
    }
}
