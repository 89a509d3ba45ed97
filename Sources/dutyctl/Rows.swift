import DutyAPI
import DutyNotify
import DutyOperations
import DutyQueries
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One row of a streamed answer: decoded for a table, or its JSON as it came (`--json` passes it on
/// without decoding it).
enum StreamedRow<Row> {
    case value(Row)
    case json(ArraySlice<UInt8>)
}

extension GlobalOptions {
    /// A `RowsOperation`, its rows handed to `row` as they arrive (remote mode: the daemon's JSON
    /// Lines; direct mode: as they are made), then its ending. Nothing holds the whole answer.
    func rows<O: RowsOperation>(
        _ op: O.Type,
        _ request: O.Request,
        json: Bool,
        _ row: @escaping (StreamedRow<O.Row>) throws -> Void
    ) throws -> O.Ending {
        let progress = Progress()
        let row = { (r: StreamedRow<O.Row>) throws in
            try row(r)
            progress.row()
        }
        do {
            let ending = try answer(op, request, json: json, row)
            progress.finish(succeeded: true)
            return ending
        } catch {
            // The error goes on a line of its own, not after "— done".
            progress.finish(succeeded: false)
            throw error
        }
    }

    private func answer<O: RowsOperation>(
        _ op: O.Type,
        _ request: O.Request,
        json: Bool,
        _ row: @escaping (StreamedRow<O.Row>) throws -> Void
    ) throws -> O.Ending {
        guard let client = remote else {
            let workspace = try Workspace.load(try Direct.settings(self))
            let state = self.state
            let store = Once { try workspace.openStore(state) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try O.rows(request, Direct.context(workspace, store: store.get)) { value in
                try row(json ? .json(ArraySlice(try encoder.encode(value))) : .value(value))
            }
        }
        let reader = LineReader<O.Row, O.Ending>(json: json, row: row)
        try client.lines("/v1/" + O.route, request) { try reader.read($0) }
        guard let ending = reader.ending else {
            throw Failure(
                ExitStatus.unavailable,
                "dutyd's answer stopped before its end (the connection was cut); see `journalctl -u dutyd`, and ask again"
            )
        }
        return ending
    }
}

/// Reads the lines of a streamed answer: rows, then `{"end": …}`, or `{"error": …}` after some rows.
/// Used from the client's thread while dutyctl's main thread waits for it, one line at a time.
private final class LineReader<Row: Decodable, Ending: Decodable>: @unchecked Sendable {
    let json: Bool
    let row: (StreamedRow<Row>) throws -> Void
    var ending: Ending?
    private let decoder = JSONDecoder()

    init(json: Bool, row: @escaping (StreamedRow<Row>) throws -> Void) {
        self.json = json
        self.row = row
    }

    private struct End: Decodable { var end: Ending }

    func read(_ line: ArraySlice<UInt8>) throws {
        if line.starts(with: Self.endPrefix) {
            ending = try decoder.decode(End.self, from: Data(line)).end
        } else if line.starts(with: Self.errorPrefix) {
            let e = try decoder.decode(APIErrorBody.self, from: Data(line))
            throw Failure(ExitStatus(rawValue: e.exitStatus) ?? .runtime, e.error)
        } else if json {
            try row(.json(line))
        } else if let fast = Row.self as? any JSONLineReadable.Type, let value = fast.read(jsonLine: line) as? Row {
            try row(.value(value))
        } else {
            do {
                try row(.value(try decoder.decode(Row.self, from: Data(line))))
            } catch let error as DecodingError {
                throw Failure(
                    .runtime,
                    "dutyd's answer is not what this dutyctl expects (\(error)); are dutyd and dutyctl the same version? (dutyd --version, dutyctl --version)"
                )
            }
        }
    }

    private static var endPrefix: [UInt8] { Array("{\"end\":".utf8) }
    private static var errorPrefix: [UInt8] { Array("{\"error\":".utf8) }
}
