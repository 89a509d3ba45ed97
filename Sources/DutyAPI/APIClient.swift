import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
package import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix

/// dutyctl's side of the API: one HTTP/1.1 request per connection over dutyd's Unix socket (plain
/// swift-nio; `Foundation.URLSession` cannot use Unix sockets on Linux). An error answer becomes the
/// `Failure` it describes, so dutyctl prints the daemon's message and exits with its status.
package struct APIClient: Sendable {
    package let socket: String
    /// Told how much of a large request body has gone (sent, total; `done` once all of it has): dutyctl
    /// draws an import's progress with it.
    package var upload: (@Sendable (_ sent: Int, _ total: Int, _ done: Bool) -> Void)?
    /// Bodies at least this large are sent in pieces and reported to `upload`.
    static let uploadPiece = 1 << 20

    package init(socket: String) { self.socket = socket }

    /// `GET path?query`, the request's fields as the query string.
    package func get<A: Decodable>(_ path: String, _ request: some Encodable, as: A.Type = A.self) throws -> A {
        // The encoder leaves '+' as it is, which a server reads as a space: `--at ...+08:00`.
        let query = try URLEncodedFormEncoder().encode(request).replacingOccurrences(of: "+", with: "%2B")
        return try decode(
            A.self,
            try wait { try await self.send(.GET, path + (query.isEmpty ? "" : "?" + query), nil) }
        )
    }

    /// `POST path` with the request as JSON.
    package func post<A: Decodable>(_ path: String, _ request: some Encodable, as: A.Type = A.self) throws -> A {
        let body = try JSONOutput.encode(request)
        return try decode(A.self, try wait { try await self.send(.POST, path, body) })
    }

    /// One raw request and its answer's status and body (tests check answers against the OpenAPI file).
    package func raw(_ method: String, _ uri: String, body: Data? = nil) throws -> (status: Int, body: Data) {
        try wait { try await self.send(HTTPMethod(rawValue: method), uri, body) }
    }

    /// The same, without blocking a thread (the API benchmark's clients).
    package func request(_ method: String, _ uri: String, body: Data? = nil) async throws -> (status: Int, body: Data) {
        try await send(HTTPMethod(rawValue: method), uri, body)
    }

    /// `GET path?query` answered in JSON Lines (a `RowsOperation`): `line` gets each line as it
    /// arrives, without its newline, so the answer is never held whole. An error answer (before any
    /// row) throws the `Failure` it describes.
    package func lines(
        _ path: String,
        _ request: some Encodable,
        _ line: @escaping @Sendable (ArraySlice<UInt8>) throws -> Void
    ) throws {
        let query = try URLEncodedFormEncoder().encode(request).replacingOccurrences(of: "+", with: "%2B")
        let uri = path + (query.isEmpty ? "" : "?" + query)
        let answer = try wait {
            var pending: [UInt8] = []
            return try await self.send(.GET, uri, nil, accept: "application/jsonl") { code, bytes in
                guard code == 200 else { return false }
                pending.append(contentsOf: bytes)
                var start = 0
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    if newline > start { try line(pending[start..<newline]) }
                    start = newline + 1
                }
                pending.removeFirst(start)
                if bytes.isEmpty && !pending.isEmpty {
                    // The end of the answer: a last line without its newline.
                    try line(pending[...])
                    pending = []
                }
                return true
            }
        }
        if answer.status != 200 { throw failure(answer) }
    }

    /// The answer's status and body.
    func send(_ method: HTTPMethod, _ uri: String, _ body: Data?) async throws -> (status: Int, body: Data) {
        try await send(method, uri, body, accept: nil, nil)
    }

    /// The answer's status and body; with `consume`, the body of a 200 answer goes to it piece by piece
    /// as it arrives (an empty piece at the end) instead of into the returned body.
    func send(
        _ method: HTTPMethod,
        _ uri: String,
        _ body: Data?,
        accept: String?,
        _ consume: ((Int, [UInt8]) throws -> Bool)?
    ) async throws -> (status: Int, body: Data) {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(unixDomainSocketPath: socket) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel
                        )
                    }
                }
        } catch {
            throw unreachable(error)
        }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
            head.headers.add(name: "Host", value: "dutyd")
            head.headers.add(name: "Connection", value: "close")
            if let accept { head.headers.add(name: "Accept", value: accept) }
            if let body {
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: String(body.count))
            }
            var cutShort: (any Error)?
            if let body, let upload, body.count >= 4 * Self.uploadPiece {
                // A large body (an import) in pieces, each written before the next: its progress. dutyd
                // may answer before it has read it all (403 for a reader, 413 past the limit) and close:
                // then its answer, not the failed write, is what the user must see.
                do {
                    try await outbound.write(.head(head))
                    var sent = 0
                    while sent < body.count {
                        let end = min(body.count, sent + Self.uploadPiece)
                        let piece = body[body.startIndex + sent..<body.startIndex + end]
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: piece))))
                        sent += piece.count
                        upload(sent, body.count, false)
                    }
                    try await outbound.write(.end(nil))
                    upload(sent, body.count, true)
                } catch {
                    cutShort = error
                    FileHandle.standardError.write(Data("\n".utf8))
                }
            } else {
                // One write: a server that has its answer after the head (a GET) may close the connection
                // before a second write would reach it ("I/O on closed channel").
                var parts: [HTTPClientRequestPart] = [.head(head)]
                if let body { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                parts.append(.end(nil))
                try await outbound.write(contentsOf: parts)
            }
            var status = 0
            var data = Data()
            for try await part in inbound {
                switch part {
                case .head(let h): status = Int(h.status.code)
                case .body(var b):
                    let bytes = b.readBytes(length: b.readableBytes) ?? []
                    if let consume, try consume(status, bytes) { continue }
                    data.append(contentsOf: bytes)
                case .end:
                    if let consume, status == 200 { _ = try consume(status, []) }
                    return (status, data)
                }
            }
            if let cutShort { throw cutShort }
            throw Failure(
                .unavailable,
                "dutyd closed the connection on \(socket) before answering; see `journalctl -u dutyd`"
            )
        }
    }

    /// An error answer as the `Failure` it describes.
    private func failure(_ answer: (status: Int, body: Data)) -> Failure {
        if let e = try? JSONDecoder().decode(APIErrorBody.self, from: answer.body) {
            return Failure(ExitStatus(rawValue: e.exitStatus) ?? .runtime, e.error)
        }
        return Failure(.runtime, "dutyd answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
    }

    private func decode<A: Decodable>(_ type: A.Type, _ answer: (status: Int, body: Data)) throws -> A {
        guard answer.status == 200 else { throw failure(answer) }
        do {
            return try JSONDecoder().decode(A.self, from: answer.body)
        } catch {
            throw Failure(
                .runtime,
                "dutyd's answer is not what this dutyctl expects (\(error)); are dutyd and dutyctl the same version? (dutyd --version, dutyctl --version)"
            )
        }
    }

    /// Why the socket cannot be reached, and what to do (69: no daemon; 77: not allowed to connect).
    private func unreachable(_ error: any Error) -> Failure {
        let errno = (error as? IOError)?.errnoCode ?? 0
        switch errno {
        case EACCES, EPERM:
            let user = getpwuid(getuid())?.pointee.pw_name.map { String(cString: $0) } ?? "you"
            // The socket's group is a setting ([api] group); the socket itself says which.
            let group = (try? FileManager.default.attributesOfItem(atPath: socket))?[.groupOwnerAccountName] as? String
            let name = group ?? "dutyd"
            return Failure(
                .noPermission,
                "\(user) may not connect to \(socket): the API is for members of the group '\(name)'; ask an administrator to run `usermod -aG \(name) \(user)`, then log in again"
            )
        default:
            return Failure(
                .unavailable,
                "dutyd is not running: nothing answers on \(socket) (\(errno == 0 ? "\(error)" : String(cString: strerror(errno)))). Start it with `systemctl start dutyd`, or work on the files without it: the same command with --config /etc/dutyd/dutyd.toml after it (dutyctl upcoming --config /etc/dutyd/dutyd.toml)"
            )
        }
    }

    /// Runs `body` as a task and blocks the calling thread until it ends: dutyctl's commands are
    /// synchronous and run on the main thread. Not for a thread of Swift's cooperative pool (a test,
    /// an async caller): blocking those can leave the task no thread to run on; use `request`.
    private func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: T.self)
        promise.completeWithTask(body)
        return try promise.futureResult.wait()
    }
}
