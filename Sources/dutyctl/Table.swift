import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries

/// Prints rows as columns that line up in a terminal, Chinese text included (display width, not
/// character count), two spaces apart; the last column is not padded.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map { displayWidth($0) }
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], displayWidth(cell)) }
    }
    func line(_ cells: [String]) -> String {
        var s = ""
        for (i, cell) in cells.enumerated() {
            if i == cells.count - 1 {
                s += cell
            } else {
                s += cell + String(repeating: " ", count: widths[i] - displayWidth(cell) + 2)
            }
        }
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
    print(line(header))
    for row in rows { print(line(row)) }
}
