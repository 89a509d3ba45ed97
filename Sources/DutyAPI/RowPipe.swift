import DutyCalendar
import DutyNotify
import DutyOperations
import DutyQueries
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// A streamed answer on its way from the question thread that makes it to the connection that writes
/// it: chunks of about 64 KiB, at most four in flight. The maker blocks while the connection is
/// behind, so a national answer costs dutyd a few chunks, not the answer; a client that stops reading
/// for `stallLimit` seconds, or goes away, stops the maker.
final class RowPipe: @unchecked Sendable {
    static let chunkSize = 64 * 1024
    static let chunksInFlight = 4
    /// How long the maker waits for a client that does not read.
    static let stallLimit: TimeInterval = 30

    let signal: StopSignal
    /// Told when the maker starts and stops waiting for the client (`QuestionPool.park`).
    private let onWait: @Sendable (Bool) -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var chunks: [ByteBuffer] = []
    private var finished = false
    /// Before anything was sent: the error the request is answered with.
    private var failure: (any Error)?
    /// The connection gave up (the client went away, or dutyd stopped).
    private var closed = false
    private var sentAny = false
    private var waiting: CheckedContinuation<Void, Never>?
    // The maker's side, on its one thread.
    private var pending = ByteBuffer()

    init(signal: StopSignal, onWait: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.signal = signal
        self.onWait = onWait
    }

    // MARK: The maker (a question thread)

    /// Appends bytes; hands on a chunk when one is full. Throws `CancellationError` when the client is
    /// gone or dutyd is stopping, and a `Failure` when the client has not read for `stallLimit`.
    func write(_ bytes: some Collection<UInt8>) throws {
        pending.writeBytes(bytes)
        if pending.readableBytes >= Self.chunkSize { try flush() }
    }

    func write(_ text: String) throws {
        pending.writeString(text)
        if pending.readableBytes >= Self.chunkSize { try flush() }
    }

    private func flush() throws {
        guard pending.readableBytes > 0 else { return }
        let chunk = pending
        pending = ByteBuffer()
        condition.lock()
        let deadline = Date().addingTimeInterval(Self.stallLimit)
        // Waiting for the client computes nothing: the pool may start another thread meanwhile.
        let behind = chunks.count >= Self.chunksInFlight
        if behind { onWait(true) }
        defer { if behind { onWait(false) } }
        while chunks.count >= Self.chunksInFlight && !closed && !signal.isStopped {
            // Half a second at a time: dutyd stopping (`QuestionPool.stopAll`) stops the signal
            // without waking this wait.
            if !condition.wait(until: min(deadline, Date().addingTimeInterval(0.5))) && Date() >= deadline
                && chunks.count >= Self.chunksInFlight
            {
                closed = true
                condition.unlock()
                signal.stop()
                throw Failure(
                    .unavailable,
                    "the client read nothing for \(Int(Self.stallLimit)) s; the answer was given up"
                )
            }
        }
        if closed || signal.isStopped {
            condition.unlock()
            throw CancellationError()
        }
        chunks.append(chunk)
        sentAny = true
        let wake = waiting
        waiting = nil
        condition.unlock()
        wake?.resume()
    }

    /// The maker is done: what is left goes out, then the end.
    func finish() {
        do {
            try flush()
            end(nil)
        } catch {
            // The last chunk could not go (the client stopped reading or left): the connection is cut
            // rather than ended as if the answer were whole.
            end(CancellationError())
        }
    }

    /// The maker failed. Before any byte went out the request is answered with the error; after, the
    /// connection is cut (`tail` is written first, when given: the JSON Lines error line).
    func fail(_ error: any Error, tail: String?) {
        condition.lock()
        let started = sentAny
        condition.unlock()
        if started, let tail {
            pending.writeString(tail)
            try? flush()
            end(nil)
        } else if started {
            end(CancellationError())
        } else {
            end(error)
        }
    }

    /// Answers the request with `error` if no byte went out yet; whether it did.
    func failBeforeStart(_ error: any Error) -> Bool {
        condition.lock()
        guard !sentAny && !finished else {
            condition.unlock()
            return false
        }
        condition.unlock()
        end(error)
        return true
    }

    private func end(_ error: (any Error)?) {
        condition.lock()
        finished = true
        if error != nil && failure == nil { failure = error }
        let wake = waiting
        waiting = nil
        condition.unlock()
        wake?.resume()
    }

    // MARK: The connection (an async task)

    /// Waits for the first chunk or the end; throws the failure that came before any byte.
    func firstBytes() async throws {
        while true {
            switch poll(take: false) {
            case .chunk, .end: return
            case .failed(let error): throw error
            case .nothing: await wait()
            }
        }
    }

    /// The next chunk, `nil` at the end; throws when the maker failed after bytes went out.
    func next() async throws -> ByteBuffer? {
        while true {
            switch poll(take: true) {
            case .chunk(let chunk): return chunk ?? ByteBuffer()
            case .end: return nil
            case .failed(let error): throw error
            case .nothing: await wait()
            }
        }
    }

    private enum Poll {
        case chunk(ByteBuffer?)
        case end
        case failed(any Error)
        case nothing
    }

    private func poll(take: Bool) -> Poll {
        condition.lock()
        defer { condition.unlock() }
        // Stopped (dutyd stopping, the client gone): what is queued is not written either, or a slow
        // reader would hold SIGTERM until it had read four chunks.
        if signal.isStopped && !finished { return .failed(QuestionPool.stoppingFailure) }
        if !chunks.isEmpty {
            guard take else { return .chunk(nil) }
            let chunk = chunks.removeFirst()
            condition.broadcast()
            return .chunk(chunk)
        }
        if finished {
            if let failure { return .failed(failure) }
            return .end
        }
        return .nothing
    }

    private func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in park(c) }
    }

    private func park(_ c: CheckedContinuation<Void, Never>) {
        condition.lock()
        if !chunks.isEmpty || finished {
            condition.unlock()
            c.resume()
            return
        }
        waiting = c
        condition.unlock()
    }

    /// The connection gave up: the maker stops at its next row.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        let wake = waiting
        waiting = nil
        condition.unlock()
        signal.stop()
        wake?.resume()
    }
}
