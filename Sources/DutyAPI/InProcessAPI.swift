package import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded

/// The API without its socket: the same routes, answers and authorization, the caller's user, group
/// and pid given instead of read from the connection. The tests ask it directly (no socket, no child
/// process); dutyd itself serves only the socket.
package struct InProcessAPI: Sendable {
    let responder: RouterResponder<APIContext>
    let logger: Logger

    /// An answer's status and body.
    package struct Answer: Sendable {
        package var status: Int
        package var body: Data
        package var contentType: String?
        package var allow: String?
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `method uri` with `body`, as the process `pid` of user `uid` and group `gid` would send it.
    package func send(
        _ method: String,
        _ uri: String,
        body: Data? = nil,
        accept: String? = nil,
        uid: UInt32 = getuid(),
        gid: UInt32 = getgid(),
        pid: Int32 = getpid()
    ) async -> Answer {
        var head = HTTPRequest(method: HTTPRequest.Method(method) ?? .get, scheme: nil, authority: nil, path: uri)
        if let accept { head.headerFields[.accept] = accept }
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body ?? Data())))
        // Connected, as a socket's channel is while its request is answered (a channel that is not
        // active is a client gone, whose streamed answer stops).
        let channel = EmbeddedChannel()
        _ = try? await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).get()
        var context = APIContext(source: .init(channel: channel, logger: logger))
        context.credentials = Peer.Credentials(pid: pid, uid: uid, gid: gid)
        let response = await APIServer.answer(request, context, responder)
        let collected = Collected()
        try? await response.body.write(CollectingWriter(into: collected))
        return Answer(
            status: Int(response.status.code),
            body: Data(collected.buffer.readableBytesView),
            contentType: response.headers[.contentType],
            allow: response.headers[.allow]
        )
    }
}

extension APIServer {
    /// This server's routes, to be asked in process.
    package func inProcess() -> InProcessAPI {
        InProcessAPI(responder: responder(), logger: logger)
    }
}

/// Where `CollectingWriter` puts a response body: written by one request's task, read after it.
private final class Collected: @unchecked Sendable {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let into: Collected

    mutating func write(_ buffer: ByteBuffer) async throws {
        var part = buffer
        into.buffer.writeBuffer(&part)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
