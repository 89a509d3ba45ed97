/// A failed store operation. Nothing was changed: every write is one transaction.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// The thing named does not exist.
        case notFound = "not-found"
        /// It exists already, or a change would break the tree (a cycle, a unit with children).
        case conflict
        /// The file cannot be opened, read or written.
        case unavailable
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
