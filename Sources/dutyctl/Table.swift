import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries

/// Prints rows as columns that line up in a terminal, Chinese text included (display width, not
/// character count), two spaces apart; the last column is not padded.
func printTable(_ header: [String], _ rows: [[String]]) {
    let table = StreamingTable(header)
    for row in rows { table.add(row) }
    table.finish()
}

/// A table printed as its rows come: the column widths are those of the first `sample` rows (all of
/// them for a short table, which then prints as `printTable` always did); a later cell that is
/// wider pushes the rest of its line along rather than holding every row back.
final class StreamingTable {
    let header: [String]
    let sample: Int
    private var widths: [Int]
    private var held: [[String]] = []
    private var printing = false

    init(_ header: [String], sample: Int = 1000) {
        self.header = header
        self.sample = sample
        self.widths = header.map { displayWidth($0) }
    }

    func add(_ row: [String]) {
        if printing {
            print(line(row))
            return
        }
        held.append(row)
        if held.count >= sample { release() }
    }

    func finish() {
        if !printing { release() }
    }

    private func release() {
        for row in held {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], displayWidth(cell)) }
        }
        print(line(header))
        for row in held { print(line(row)) }
        held = []
        printing = true
    }

    private func line(_ cells: [String]) -> String {
        var s = ""
        for (i, cell) in cells.enumerated() {
            if i == cells.count - 1 {
                s += cell
            } else {
                s += cell + String(repeating: " ", count: max(0, widths[i] - displayWidth(cell)) + 2)
            }
        }
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
