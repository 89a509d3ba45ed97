import Crypto
package import DutyCalendar
import Foundation

/// Who made a change and the way it came: `who` is the user (the API peer's, or the one running
/// dutyctl on the files; an official's id when it came from their link), `how` one of `cli-direct`
/// (dutyctl on the files), `api` (through dutyd's socket), `web`, `mail`, `import` (a file of many
/// changes) or `signal` (a reload by SIGHUP).
package struct AuditActor: Sendable, Equatable {
    package var who: String
    package var how: String

    package init(who: String, how: String) {
        self.who = who
        self.how = how
    }

    /// The user running this process on the files (`sudo` users by their own name).
    package static var processUser: AuditActor {
        let env = ProcessInfo.processInfo.environment
        if let s = env["SUDO_USER"], !s.isEmpty { return AuditActor(who: s, how: "cli-direct") }
        if let p = getpwuid(getuid()), let name = p.pointee.pw_name {
            return AuditActor(who: String(cString: name), how: "cli-direct")
        }
        return AuditActor(who: env["USER"] ?? "uid \(getuid())", how: "cli-direct")
    }
}

/// One row of the audit trail: a change, who made it, when, how, and what; `hash` is the SHA-256 of
/// the row and of `previous`, the hash of the row before it, so a row changed or removed afterwards
/// breaks the chain (`DutyStore.verifyAudit`).
package struct AuditEntry: Sendable, Equatable {
    package var seq: Int
    package var at: Instant
    package var who: String
    package var how: String
    /// `done`, `undo`, `waive`, `event-record`, `event-remove`, `unit-add`, `unit-set`, `unit-rm`,
    /// `unit-import`, `official-add`, …, `reload`.
    package var action: String
    package var occurrence: String?
    package var unit: String?
    /// What was changed, a JSON object with sorted keys (`{"on":"2026-12-01","reference":"…"}`).
    package var detail: String
    package var previous: String
    package var hash: String

    /// The hash of the first row's predecessor.
    package static let genesis = String(repeating: "0", count: 64)

    /// The row's hash from its fields and `previous`: each field as its length in bytes, a colon and
    /// itself, so no two different rows read the same.
    package var computedHash: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + detail.utf8.count)
        bytes += previous.utf8
        bytes.append(0x0A)
        for field in [
            String(seq), String(at.microseconds), who, how, action, occurrence ?? "", unit ?? "", detail,
        ] {
            bytes += String(field.utf8.count).utf8
            bytes.append(UInt8(ascii: ":"))
            bytes += field.utf8
            bytes.append(0x0A)
        }
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in SHA256.hash(data: bytes) {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON object with sorted keys from `fields`.
    package static func detail(_ fields: [String: String]) -> String {
        "{"
            + fields.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(
                separator: ","
            ) + "}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
