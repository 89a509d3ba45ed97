import DutyCalendar
import Foundation
import Testing

/// One line of `Resources/systemd-calendar-public.jsonl`: what `systemd-analyze calendar` (systemd 252)
/// printed for an expression.
struct SystemdRecord: Decodable, Sendable, CustomTestStringConvertible {
    let id: String
    let group: String?
    let expr: String
    let base: String?
    let tz: String
    let error: Bool
    let error_kind: String?
    let normalized: String?
    let next: [String]?
    let next_local: [String]?
    let never: Bool?

    var testDescription: String { "\(id) \(expr)" }
}

/// One line of `Resources/rrule-public.jsonl`: python-dateutil's expansion of a rule.
struct RRuleRecord: Decodable, Sendable, CustomTestStringConvertible {
    let id: String
    let group: String?
    let dtstart: String?
    let rrule: String
    let ical: String
    let error: Bool
    let first: [String]?
    let exhausted: Bool?
    let dtstart_in_set: Bool?
    let nonexistent_local: Bool?
    let rfc_valid: Bool?

    var testDescription: String { "\(id) \(rrule)" }
}

enum Oracles {
    static func lines<T: Decodable>(_ name: String, as: T.Type) -> [T] {
        guard let url = Bundle.module.url(forResource: "Resources/\(name)", withExtension: "jsonl"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [] }
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(T.self, from: Data($0.utf8)) }
    }

    static let systemd = lines("systemd-calendar-public", as: SystemdRecord.self)
    static let rrule = lines("rrule-public", as: RRuleRecord.self)
}
