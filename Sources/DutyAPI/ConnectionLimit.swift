import DutyCalendar
import Foundation
import Hummingbird
package import NIOCore
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
package final class ConnectionLimit: Sendable {
    let perUser: Int
    let total: Int
    private let counts = Mutex<(byUser: [UInt32: Int], all: Int, refused: Int)>(([:], 0, 0))

    package init(perUser: Int, total: Int) {
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
package final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = NIOAny

    let limit: ConnectionLimit
    let byPeer: Bool
    private var admitted: UInt32?
    /// The one count of a listener that does not tell users apart.
    static let anyone = UInt32.max

    /// `byPeer`: counted per user, from the peer's credentials (the API's Unix socket); false: all
    /// connections as one (a TCP listener, `[metrics] listen`, `[web] listen`), so only `limit.total`
    /// bounds them.
    package init(_ limit: ConnectionLimit, byPeer: Bool = true) {
        self.limit = limit
        self.byPeer = byPeer
    }

    package func handlerAdded(context: ChannelHandlerContext) {
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

    package func handlerRemoved(context: ChannelHandlerContext) {
        if let uid = admitted { limit.release(uid) }
        admitted = nil
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}
