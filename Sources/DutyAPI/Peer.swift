import Foundation
import HTTPTypes
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of an API connection, from the kernel (SO_PEERCRED), never from the
/// request: the process, its user, and every group the user belongs to.
package struct Peer: Sendable, Equatable {
    package var pid: Int32
    package var uid: UInt32
    package var gid: UInt32
    package var user: String
    package var groups: Set<UInt32>

    /// `struct ucred` (Glibc's module hides it behind _GNU_SOURCE): pid, uid, gid.
    struct Credentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// The peer of a Unix socket channel.
    static func of(_ channel: any NIOCore.Channel) async throws -> Peer {
        guard let provider = channel as? any SocketOptionProvider else {
            throw APIFailure(.forbidden, 77, "cannot tell who is connecting")
        }
        let c: Credentials = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_PEERCRED)
        ).get()
        return Peer(uid: c.uid, gid: c.gid, pid: c.pid)
    }

    init(uid: UInt32, gid: UInt32, pid: Int32) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        var name = "uid \(uid)"
        var groups: Set<UInt32> = [gid]
        if let pw = getpwuid(uid), let n = pw.pointee.pw_name {
            name = String(cString: n)
            // Every group of the user (the supplementary ones are not in SO_PEERCRED).
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(n, gid, &list, &count) < 0 {
                list = [gid_t](repeating: 0, count: Int(count))
                _ = getgrouplist(n, gid, &list, &count)
            }
            groups.formUnion(list.prefix(Int(max(count, 0))))
        }
        self.user = name
        self.groups = groups
    }
}

/// What a peer may do (DESIGN.md, API socket): ask questions as a member of the socket's group,
/// change state as root or a member of `admin_groups`.
package struct Authorizer: Sendable {
    package enum Access: Int, Sendable, Comparable {
        case none, read, write
        package static func < (a: Access, b: Access) -> Bool { a.rawValue < b.rawValue }
    }

    let readers: Set<UInt32>
    let writers: Set<UInt32>
    let ownUID: UInt32
    package let readGroup: String
    package let adminGroups: [String]

    /// Group names are looked up now (and again on reload); a name that does not exist grants nothing.
    package init(readGroup: String, adminGroups: [String]) {
        func gid(_ name: String) -> UInt32? { getgrnam(name).map { $0.pointee.gr_gid } }
        self.readGroup = readGroup
        self.adminGroups = adminGroups
        readers = Set([readGroup].compactMap(gid))
        writers = Set(adminGroups.compactMap(gid))
        ownUID = getuid()
    }

    package func access(_ peer: Peer) -> Access {
        if peer.uid == 0 || !peer.groups.isDisjoint(with: writers) { return .write }
        if peer.uid == ownUID || !peer.groups.isDisjoint(with: readers) { return .read }
        return .none
    }
}
