import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One request as it is sent, and the answer's status and body: HTTP/1.1 over the API's Unix socket
/// with blocking system calls on the calling thread. Not `APIClient` (dutyctl's, on NIO): a test runs
/// on Swift's cooperative pool, where its blocking calls could wait for a task that has no thread
/// left to run on. Not curl either: the tests poll with it (a daemon's status every 20 ms while it
/// starts or takes over), and the 800 curl processes of a run were 5 % of the suite's processor time.
struct RawClient {
    let socket: String

    /// Waits at most `seconds` for the whole answer (as every wait in the tests is bounded), and throws
    /// naming the request and what went wrong when none came.
    func raw(_ method: String, _ uri: String, body: Data? = nil, seconds: Int = 120) throws -> (status: Int, body: Data)
    {
        let uri = uri.replacingOccurrences(of: "[", with: "%5B").replacingOccurrences(of: "]", with: "%5D")
        do {
            return try exchange(method, uri, body: body, until: Date().addingTimeInterval(Double(seconds)))
        } catch {
            throw ToolError("\(method) \(uri) on \(socket): no answer (\(error))")
        }
    }

    private func exchange(_ method: String, _ uri: String, body: Data?, until deadline: Date) throws -> (Int, Data) {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ToolError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try bound(fd, until: deadline)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socket.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ToolError("the socket's path is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw ToolError("connect: \(String(cString: strerror(errno)))") }

        var head = "\(method) \(uri) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        } else if method != "GET" && method != "HEAD" {
            head += "Content-Length: 0\r\n"
        }
        var request = Array((head + "\r\n").utf8)
        request += body ?? Data()
        var sent = 0
        while sent < request.count {
            try bound(fd, until: deadline)
            let n = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ToolError("write: \(String(cString: strerror(errno)))") }
            sent += n
        }

        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if Self.mayBeWhole(answer), let whole = try Self.parse(answer, ended: false) { return whole }
            try bound(fd, until: deadline)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && Date() < deadline { continue }
            guard n >= 0 else { throw ToolError("read: \(String(cString: strerror(errno)))") }
            if n == 0 {
                guard let whole = try Self.parse(answer, ended: true) else {
                    throw ToolError("the connection closed after \(answer.count) bytes, before a whole answer")
                }
                return whole
            }
            answer += buffer[..<n]
        }
    }

    /// Each read and write waits at most until `deadline` (SO_RCVTIMEO, SO_SNDTIMEO).
    private func bound(_ fd: Int32, until deadline: Date) throws {
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else { throw ToolError("no whole answer in time") }
        // Rounded up to the next microsecond, which must stay below a second (setsockopt refuses
        // 1,000,000, and the read would then wait for ever).
        var t = timeval(tv_sec: Int(left), tv_usec: min(Int((left - left.rounded(.down)) * 1e6) + 1, 999_999))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(fd, SOL_SOCKET, option, &t, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Whether `bytes` may hold a whole answer: its length reached, or the last chunk come. Cheap (the
    /// header only), so that a long answer is not parsed again after every read.
    static func mayBeWhole(_ bytes: [UInt8]) -> Bool {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return false }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).lowercased()
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            return bytes.count - end.upperBound >= length
        }
        return head.contains("chunked") && bytes.suffix(5).elementsEqual("0\r\n\r\n".utf8)
    }

    /// The status and body of `bytes` once they hold a whole answer (by Content-Length, chunks, or
    /// the end of the connection); nil while more is to come.
    static func parse(_ bytes: [UInt8], ended: Bool) throws -> (Int, Data)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else {
            if ended { throw ToolError("no header in \(bytes.count) bytes") }
            return nil
        }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw ToolError("not an HTTP answer: \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        let rest = Array(bytes[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let body = try dechunk(rest) else {
                if ended { throw ToolError("the chunked body ended early") }
                return nil
            }
            return (status, body)
        }
        if let length = headers["content-length"].flatMap(Int.init) {
            if rest.count >= length { return (status, Data(rest[..<length])) }
            if ended { throw ToolError("the body ended after \(rest.count) of \(length) bytes") }
            return nil
        }
        return ended ? (status, Data(rest)) : nil
    }

    /// A chunked body, or nil while its last chunk has not come.
    static func dechunk(_ bytes: [UInt8]) throws -> Data? {
        var body = Data()
        var i = 0
        let crlf: [UInt8] = [13, 10]
        while true {
            guard let lineEnd = bytes[i...].firstRange(of: crlf) else { return nil }
            let sizeText = String(decoding: bytes[i..<lineEnd.lowerBound], as: UTF8.self)
            guard
                let size = Int(
                    sizeText.split(separator: ";", omittingEmptySubsequences: false)[0].trimmingCharacters(
                        in: .whitespaces
                    ),
                    radix: 16
                )
            else { throw ToolError("a chunk size that is not hexadecimal: \(sizeText)") }
            let start = lineEnd.upperBound
            // The last chunk, then the empty line that ends the (absent) trailer.
            if size == 0 { return bytes.count >= start + 2 ? body : nil }
            guard bytes.count >= start + size + 2 else { return nil }
            body.append(contentsOf: bytes[start..<start + size])
            i = start + size + 2
        }
    }
}

@Suite("the tests' raw HTTP client", .ownThreads)
struct RawClientTests {
    @Test("an answer is whole only once its last byte came: by Content-Length, by chunks, or by the end")
    func wholeAnswers() throws {
        let chunked = Array(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n".utf8
        )
        for cut in 0..<chunked.count {
            #expect(try RawClient.parse(Array(chunked[..<cut]), ended: false) == nil, "whole after \(cut) bytes")
            #expect(!RawClient.mayBeWhole(Array(chunked[..<cut])), "whole after \(cut) bytes")
        }
        #expect(RawClient.mayBeWhole(chunked))
        let (status, body) = try #require(try RawClient.parse(chunked, ended: false))
        #expect(status == 200 && String(decoding: body, as: UTF8.self) == "{\"a\": 1}")
        let sized = Array("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy".utf8)
        #expect(try RawClient.parse(Array(sized.dropLast()), ended: false) == nil)
        #expect(!RawClient.mayBeWhole(Array(sized.dropLast())) && RawClient.mayBeWhole(sized))
        #expect(try RawClient.parse(sized, ended: false).map { $0.0 } == 503)
        #expect(throws: ToolError.self) { try RawClient.parse(Array(sized.dropLast()), ended: true) }
        let unsized = Array("HTTP/1.1 200 OK\r\n\r\nto the end".utf8)
        #expect(try RawClient.parse(unsized, ended: false) == nil)
        #expect(try RawClient.parse(unsized, ended: true).map { String(decoding: $0.1, as: UTF8.self) } == "to the end")
    }
}
