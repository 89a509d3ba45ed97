import DutyCalendar
package import DutyCore
import DutyFiles
import DutyStore
package import Foundation

// What the unit and official commands share: imports from CSV, exports, unknown ids; the requests as
// typed, their answers, and the functions both front ends call.

/// `unit import FILE` and `official import FILE`: the file's bytes as read (base64 in JSON), and its
/// name for the places in error messages.
package struct ImportRequest: Codable, Sendable {
    package var file: String
    package var data: Data
    @Default<False> package var replace: Bool
    /// Units only: new units are tracked from this day.
    package var trackFrom: String?

    package init(file: String, data: Data) {
        self.file = file
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case file, data, replace
        case trackFrom = "track_from"
    }
}

/// `{"added": N, "updated": N, "removed": N}`, what an import with `--json` prints.
package struct ImportAnswer: Codable, Sendable {
    package var added: Int
    package var updated: Int
    package var removed: Int
}

/// `unit export` and `official export`: the CSV text.
package struct ExportAnswer: Codable, Sendable {
    package var csv: String

    enum CodingKeys: String, CodingKey { case csv }

    package init(csv: String) { self.csv = csv }
}

/// What a CSV line holds: a unit or an official, known by its id.
package protocol Identified { var id: String { get } }

extension Workspace {
    /// Writes what a CSV file holds through `write`; a store error about one unit or official is placed
    /// on the line that carries it.
    func importing<T: Identified>(
        _ rows: [(value: T, line: Int)],
        file: String,
        _ write: () throws -> ImportCount
    ) throws -> ImportAnswer {
        do {
            let count = try write()
            return ImportAnswer(added: count.added, updated: count.updated, removed: count.removed)
        } catch let e as StoreError {
            if let id = e.id, let row = rows.first(where: { $0.value.id == id }) {
                throw CSVError(file: file, line: row.line, e.message)
            }
            throw e
        }
    }
}

extension Failure {
    /// A unit id the organisation does not hold (65), the units that may have been `meant`, and where
    /// to look.
    static func noUnit(_ id: String, meant: [OrgUnit] = []) -> Failure {
        let guess =
            meant.isEmpty
            ? "" : "did you mean " + meant.map { "\($0.id) (\(shown($0.name)))" }.joined(separator: ", ") + "? "
        return Failure(ExitStatus.dataError, "no unit '\(shown(id))'; \(guess)`dutyctl unit ls` lists them")
    }

    /// An official id the organisation does not hold (65), and where to look.
    static func noOfficial(_ id: String) -> Failure {
        Failure(ExitStatus.dataError, "no official '\(shown(id))'; `dutyctl official ls` lists them")
    }
}

extension Organisation {
    /// The unit's number, or `Failure.noUnit` with the units the administrator may have meant.
    func number(ofUnit id: String) throws -> Int32 {
        guard let u = index[id] else { throw Failure.noUnit(id, meant: units(meant: id)) }
        return u
    }

    /// At most three units a mistyped id may have meant: the id in another case, or a unit whose name
    /// holds the text (a name typed for an id, 广州市委 for gd.gz), the shortest names first. The names
    /// are searched as UTF-8 bytes: this loop took 47 ms over a million generated names, optimized,
    /// where `String.contains` took a second.
    func units(meant text: String) -> [OrgUnit] {
        guard !text.isEmpty, text.utf8.count <= 600 else { return [] }
        if let u = index[text.lowercased()] { return [units[Int(u)]] }
        let wanted = Array(text.utf8)
        // The best three kept while walking: a common character may be in most of a million names.
        var best: [OrgUnit] = []
        let before = { (a: OrgUnit, b: OrgUnit) in (a.name.utf8.count, a.id) < (b.name.utf8.count, b.id) }
        for unit in units where Self.holds(unit.name, wanted) {
            if best.count == 3, !before(unit, best[2]) { continue }
            best.insert(unit, at: best.firstIndex { before(unit, $0) } ?? best.count)
            if best.count > 3 { best.removeLast() }
        }
        return best
    }

    /// Whether `text`'s UTF-8 holds the bytes `wanted` (UTF-8 is self-synchronizing: a match of
    /// bytes is a match of characters).
    private static func holds(_ text: String, _ wanted: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= wanted.count else { return false }
            for start in 0...(bytes.count - wanted.count) where bytes[start] == wanted[0] {
                var k = 1
                while k < wanted.count && bytes[start + k] == wanted[k] { k += 1 }
                if k == wanted.count { return true }
            }
            return false
        }
    }
}

extension OrgUnit: Identified {}

extension Official: Identified {}

/// A question with nothing to ask (`unit export`, `status`).
package struct NoRequest: Codable, Sendable {
    package init() {}
}
