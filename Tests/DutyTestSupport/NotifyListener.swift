import Foundation

#if canImport(Glibc)
import Glibc
#endif

package struct NotifyListenerError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// A datagram socket named by `NOTIFY_SOCKET`, as systemd listens for sd_notify messages: the
/// end-to-end tests and the daemon benchmark stand in for systemd with it.
package final class NotifyListener {
    package let path: String
    private let fd: Int32

    package init() throws(NotifyListenerError) {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            let bytes = Array(path.utf8)
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard ok == 0 else { throw NotifyListenerError(message: "cannot bind \(path): errno \(errno)") }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The messages waiting now, without blocking.
    package func drain() -> [String] {
        var out: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard n > 0 else { return out }
            out.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
    }

    /// The next message, or `nil` after `timeout` seconds.
    package func next(timeout: Double = 20) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { return String(decoding: buffer[0..<n], as: UTF8.self) }
        }
        return nil
    }

    /// Waits for a message starting with `prefix` (or containing it as a line); returns it and what came before.
    package func wait(for line: String, timeout: Double = 20) -> (found: String?, before: [String]) {
        var before: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let m = next(timeout: deadline.timeIntervalSinceNow) else { break }
            if m.split(separator: "\n").contains(where: { $0.hasPrefix(line) }) { return (m, before) }
            before.append(m)
        }
        return (nil, before)
    }
}
