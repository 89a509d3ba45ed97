import CSystemd
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// syslog priorities, as journald stores them in `PRIORITY`.
package enum Priority: Int, Sendable, Comparable {
    case emergency = 0
    case alert, critical, error, warning, notice, info, debug

    package static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }

    /// The name a stderr line starts with.
    package var label: String {
        switch self {
        case .emergency: "emerg"
        case .alert: "alert"
        case .critical: "crit"
        case .error: "error"
        case .warning: "warning"
        case .notice: "notice"
        case .info: "info"
        case .debug: "debug"
        }
    }
}

/// One journal entry: `MESSAGE`, `PRIORITY` and any other fields, in order.
package struct JournalEntry: Sendable {
    package var message: String
    package var priority: Priority
    package var fields: [(name: String, value: String)]

    package init(_ message: String, priority: Priority, fields: [(name: String, value: String)] = []) {
        self.message = message
        self.priority = priority
        self.fields = fields
    }

    package subscript(name: String) -> String? { fields.first { $0.name == name }?.value }
}

/// Where dutyd's entries go: the systemd journal through `sd_journal_sendv` (native fields, kept as
/// written), or, when there is no journal, readable lines on standard error.
///
/// The journal is used when `JOURNAL_STREAM` is set (systemd connected stderr to it) or its socket
/// exists; an entry the journal refuses is written to stderr instead, so nothing is lost in silence.
package final class Journal: Sendable {
    package enum Mode: String, Sendable {
        case native
        case stderr
    }

    package let mode: Mode
    /// Added to every entry (`SYSLOG_IDENTIFIER`).
    package let identifier: String

    package init(mode: Mode, identifier: String = "dutyd") {
        self.mode = mode
        self.identifier = identifier
    }

    /// Where journald listens for native entries.
    static let socket = "/run/systemd/journal/socket"

    /// The journal if this process can reach one, else stderr.
    package static func detect(identifier: String = "dutyd") -> Journal {
        let env = ProcessInfo.processInfo.environment
        let native = env["JOURNAL_STREAM"] != nil || access(Journal.socket, F_OK) == 0
        return Journal(mode: native ? .native : .stderr, identifier: identifier)
    }

    /// Writes one entry. Returns `false` if it went to stderr because the journal refused it.
    @discardableResult
    package func send(_ entry: JournalEntry) -> Bool {
        if mode == .native {
            let result = Journal.sendv(
                [
                    ("MESSAGE", entry.message), ("PRIORITY", String(entry.priority.rawValue)),
                    ("SYSLOG_IDENTIFIER", identifier),
                ] + entry.fields
            )
            // sd_journal_sendv(3) answers 0, success, when journald's socket is not there at all
            // (journald stopped, or never started outside systemd): the entry went nowhere.
            if result >= 0 && access(Journal.socket, F_OK) == 0 { return true }
        }
        writeLine(entry)
        return mode == .stderr
    }

    /// A line for a person: `notice: MESSAGE  key=value …` with the `DUTY_` fields.
    package static func line(_ entry: JournalEntry) -> String {
        var line = "\(entry.priority.label): \(entry.message)"
        for (name, value) in entry.fields where name.hasPrefix("DUTY_") {
            let key = name.dropFirst(5).lowercased()
            line += "  \(key)=\(value.contains(" ") || value.isEmpty ? "\"\(value)\"" : value)"
        }
        return line.replacingOccurrences(of: "\n", with: "\n  ") + "\n"
    }

    private func writeLine(_ entry: JournalEntry) {
        let bytes = Array(Journal.line(entry).utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if n < 0 && errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }

    /// `sd_journal_sendv` over `NAME=value` items; 0 on success, `-errno` on failure. Names must already
    /// be valid (journald silently drops invalid ones; see `JournalField.name`).
    static func sendv(_ fields: [(String, String)]) -> Int32 {
        var storage: [UInt8] = []
        var ranges: [Range<Int>] = []
        storage.reserveCapacity(fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 1 })
        for (name, value) in fields {
            let start = storage.count
            storage.append(contentsOf: name.utf8)
            storage.append(UInt8(ascii: "="))
            storage.append(contentsOf: value.utf8)
            ranges.append(start..<storage.count)
        }
        return storage.withUnsafeMutableBytes { raw -> Int32 in
            let vectors = ranges.map { iovec(iov_base: raw.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}

/// Journal field names: `[A-Z0-9_]`, not starting with `_` or a digit, at most 64 bytes. journald drops
/// anything else without a word, so every name from outside goes through `name(_:)`.
package enum JournalField {
    package static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "_"), !(48...57).contains(first),
            name.utf8.count <= 64
        else { return false }
        return name.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// A valid name for `key`: kept if valid already (`MESSAGE_ID`, `DUTY_UNIT`), else upper-cased with
    /// other characters as `_` and prefixed `DUTY_` (`hb.request.id` → `DUTY_HB_REQUEST_ID`).
    package static func name(_ key: String) -> String {
        if isValid(key) { return key }
        var out = "DUTY_"
        for b in key.utf8 {
            switch b {
            case 97...122: out.append(Character(UnicodeScalar(b - 32)))
            case 65...90, 48...57: out.append(Character(UnicodeScalar(b)))
            default: if !out.hasSuffix("_") { out.append("_") }
            }
        }
        return String(out.prefix(64))
    }
}
