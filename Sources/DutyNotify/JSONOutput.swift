package import Foundation

/// JSON as dutyd writes it everywhere (API answers and errors, `--json`, a hook's stdin): keys sorted,
/// slashes and non-ASCII text as they are. Configured here once.
package enum JSONOutput {
    package static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
