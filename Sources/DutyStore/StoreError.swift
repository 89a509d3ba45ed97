import DutyCalendar
import DutyCore

/// A failed store operation. Nothing was changed: every write is one transaction.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// The thing named does not exist.
        case notFound = "not-found"
        /// It exists already, or a change would break the tree (a cycle, a unit with children).
        case conflict
        /// The file cannot be opened, read or written.
        case unavailable
        /// The file holds something dutyd never writes (a row changed by hand, a damaged copy).
        case damaged
        /// A daemon write refused: another dutyd sends now (PostgreSQL, `SenderLease`).
        case fenced
        /// The setting `state` names no store that can be opened as written (a PostgreSQL connection
        /// string with a mistake, a password file that cannot be read): a configuration problem.
        case settings
    }

    package var code: Code
    package var message: String
    /// The unit or official at fault, when one is: an import names the line that carries it.
    package var id: String?

    package init(_ code: Code, _ message: String, id: String? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    package var description: String { message }
}

extension DutyStore {
    /// A day as the store keeps it (`YYYY-MM-DD`); anything else was written by someone else.
    static func storedDay(_ text: String, _ place: String) throws(StoreError) -> CivilDate {
        guard let day = CivilDate(iso: text) else { throw damaged(text, place, "a date (YYYY-MM-DD)") }
        return day
    }

    /// An occurrence id as the store keeps it (`obligation/subject/period`).
    static func storedOccurrence(_ text: String, _ place: String) throws(StoreError) -> OccurrenceID {
        guard let id = OccurrenceID(text) else {
            throw damaged(text, place, "an occurrence id (obligation/subject/period)")
        }
        return id
    }

    static func damaged(_ text: String, _ place: String, _ expected: String) -> StoreError {
        // A row written by someone else may hold anything, a megabyte included: show its start.
        StoreError(
            .damaged,
            "the state store holds '\(shown(text))' in \(place), where dutyd writes \(expected): the store was changed "
                + "outside dutyd; correct that row (sqlite3, psql), or restore the store from a backup"
        )
    }
}
