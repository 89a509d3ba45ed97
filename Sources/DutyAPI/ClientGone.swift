import DutyCalendar
import Foundation
import Glibc
import Hummingbird
import NIOCore
import Synchronization

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
