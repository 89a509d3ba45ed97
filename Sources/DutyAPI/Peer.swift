import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
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
    struct Credentials: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// What the kernel says of the peer of a Unix socket channel; `Peer(uid:gid:pid:)` then looks up
    /// its user and groups (blocking: not on an event loop).
    static func credentials(of channel: any NIOCore.Channel) async throws -> Credentials {
        guard let provider = channel as? any SocketOptionProvider else {
            throw Failure(.noPermission, "cannot tell who is connecting")
        }
        let c: Credentials = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_PEERCRED)
        ).get()
        return c
    }

    init(uid: UInt32, gid: UInt32, pid: Int32) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        var groups: Set<UInt32> = [gid]
        // The reentrant lookups: requests are answered on several threads at once.
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0, found != nil, let n = entry.pw_name {
            self.user = String(cString: n)
            // Every group of the user (the supplementary ones are not in SO_PEERCRED).
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(n, gid, &list, &count) < 0 {
                list = [gid_t](repeating: 0, count: Int(count))
                _ = getgrouplist(n, gid, &list, &count)
            }
            groups.formUnion(list.prefix(Int(max(count, 0))))
        } else {
            self.user = "uid \(uid)"
        }
        self.groups = groups
    }
}

/// What a peer may do (docs/design.md, API socket): ask questions as a member of the socket's group,
/// change state as root or a member of `admin_groups`.
package struct Authorizer: Sendable {
    package enum Access: Int, Sendable, Comparable {
        case none, read, write
        package static func < (a: Access, b: Access) -> Bool { a.rawValue < b.rawValue }
    }

    let ownUID: UInt32
    package let readGroup: String
    package let adminGroups: [String]

    package init(readGroup: String, adminGroups: [String]) {
        self.readGroup = readGroup
        self.adminGroups = adminGroups
        ownUID = getuid()
    }

    /// Group names are looked up at each request, so a group made after dutyd started (`groupadd -f
    /// dutyd-admin`) counts at once; a name that does not exist grants nothing.
    package func access(_ peer: Peer) -> Access {
        func member(_ names: [String]) -> Bool {
            names.contains { name in Authorizer.gid(of: name).map(peer.groups.contains) ?? false }
        }
        if peer.uid == 0 || member(adminGroups) { return .write }
        if peer.uid == ownUID || member([readGroup]) { return .read }
        return .none
    }

    /// A group's id by name (reentrant: requests are answered on several threads at once).
    static func gid(of name: String) -> UInt32? {
        var entry = group()
        var found: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 65_536)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &found) == 0, found != nil else { return nil }
        return entry.gr_gid
    }
}
