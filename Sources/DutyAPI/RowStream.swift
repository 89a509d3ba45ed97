import DutyCalendar
import DutyNotify
import DutyOperations
import DutyQueries
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

/// How a streamed answer is written: JSON Lines (one row a line, then `{"end": …}`; an error after
/// the first row is a last line `{"error": …, "exit_status": …}`) for a client that accepts
/// `application/jsonl`, else the whole answer's JSON (`{"occurrences":[…],"count":…,…}`) written as
/// it goes; or, for rows that are text of their own (`PlainTextRow`: the `.ics` feed), that text and
/// nothing else (an error after the first row cuts it short).
enum RowFormat {
    case lines
    case whole(key: String)
    case text(contentType: String)

    static func asked(by request: Request, key: String) -> RowFormat {
        let accept = request.headers[.accept] ?? ""
        return accept.contains("application/jsonl") || accept.contains("application/x-ndjson")
            ? .lines : .whole(key: key)
    }

    var contentType: String {
        switch self {
        case .lines: "application/jsonl"
        case .whole: "application/json"
        case .text(let contentType): contentType
        }
    }
}

extension APIServer {
    /// A `RowsOperation`'s answer, streamed: made on the question pool, written as it is made. The
    /// time budget counts until the first bytes; after that the answer goes on while the client
    /// reads (a national question is not refused, it streams), and stops when it goes away, stops
    /// reading for `RowPipe.stallLimit`, or dutyd stops.
    func streamed<O: RowsOperation>(
        _ op: O.Type,
        _ r: O.Request,
        format: RowFormat,
        channel: any NIOCore.Channel,
        uid: UInt32,
        perform: @escaping @Sendable (_ emit: (O.Row) throws -> Void) throws -> O.Ending
    ) async throws -> Response {
        let signal = StopSignal()
        // Admitted before any work starts: a stream holds a question thread while its reader reads.
        guard RequestsInFlight.watch(channel, signal, uid: uid) else {
            throw Failure(
                .unavailable,
                "too many long answers are being read at once (at most \(RequestsInFlight.streamsPerUser) per user, "
                    + "\(RequestsInFlight.streamsInAll) in all); ask again when one has ended, or ask for less (--unit, a shorter --within)"
            )
        }
        let questions = self.questions
        let pipe = RowPipe(signal: signal) { waiting in waiting ? questions.park() : questions.unpark() }
        let budget = questionBudget
        questions.start(signal) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var first = true
            do {
                if case .whole(let key) = format { try pipe.write("{\"\(key)\":[") }
                var json = JSONBytes()
                let ending = try perform { row in
                    if case .text = format {
                        if let text = row as? any PlainTextRow { try pipe.write(text.plainText) }
                        return
                    }
                    let bytes: [UInt8]
                    if let fast = row as? any JSONRow {
                        json.bytes.removeAll(keepingCapacity: true)
                        fast.writeJSON(to: &json)
                        bytes = json.bytes
                    } else {
                        bytes = Array(try encoder.encode(row))
                    }
                    switch format {
                    case .lines:
                        try pipe.write(bytes)
                        try pipe.write("\n")
                    case .whole:
                        try pipe.write(first ? "\n" : ",\n")
                        try pipe.write(bytes)
                    case .text: break
                    }
                    first = false
                }
                let end = try encoder.encode(ending)
                switch format {
                case .lines:
                    try pipe.write("{\"end\":")
                    try pipe.write(end)
                    try pipe.write("}\n")
                case .whole:
                    // The ending's fields join the answer's: `],"count":…}`.
                    try pipe.write(end.count > 2 ? "\n]," : "\n]")
                    try pipe.write(end.dropFirst())
                    try pipe.write("\n")
                case .text: break
                }
                pipe.finish()
            } catch {
                let failure = APIServer.failureBody(error).body
                let tail: String? =
                    switch format {
                    case .lines: String(decoding: failure, as: UTF8.self) + "\n"
                    case .whole, .text: nil
                    }
                pipe.fail(error, tail: tail)
            }
        } refused: { error in
            pipe.fail(error, tail: nil)
        }
        // The budget counts to the first bytes: a NIO timer (no `Task.sleep`, see `QuestionPool`).
        let timer = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(
            in: .milliseconds(Int64((budget * 1000).rounded()))
        ) {
            let gaveUp = Failure(
                .unavailable,
                "the question took longer than \(QuestionPool.seconds(budget)) before its first row and was given up; "
                    + "ask for less (--unit, a shorter --within), or raise [api] question_timeout"
            )
            if pipe.failBeforeStart(gaveUp) { signal.stop() }
        }
        defer { timer.cancel() }
        do {
            try await withTaskCancellationHandler {
                try await pipe.firstBytes()
            } onCancel: {
                pipe.close()
            }
        } catch {
            RequestsInFlight.unwatch(channel)
            pipe.close()
            throw error
        }
        return Response(
            status: .ok,
            headers: [.contentType: format.contentType],
            body: ResponseBody { writer in
                defer {
                    RequestsInFlight.unwatch(channel)
                    pipe.close()
                }
                while let chunk = try await pipe.next() { try await writer.write(chunk) }
                try await writer.finish(nil)
            }
        )
    }
}
