package import DutyCalendar
import Foundation

/// Header encoding (RFC 2047, RFC 5322 §2.2 and §3.4).
package enum MIMEHeader {
    /// `Name: value` as given (value already encoded and folded).
    static func field(_ name: String, _ value: String) -> String { "\(name): \(value)" }

    /// A field value with every CR, LF and other control character made a space, so no value can end
    /// its line and start a header of its own.
    package static func clean(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.unicodeScalars.map {
                    $0.value < 0x20 || $0.value == 0x7F || ($0.value >= 0x80 && $0.value < 0xA0) ? " " : $0
                }
            )
        )
    }

    /// Free text (`Subject`): as it is when it is short printable ASCII, else encoded-words of whole
    /// characters, each line at most 76 characters. `after` is how much of the first line the field
    /// name takes.
    package static func unstructured(_ text: String, after: Int) -> String {
        let s = clean(text)
        if s.utf8.allSatisfy({ $0 < 0x80 }) && !s.contains("=?") {
            return fold(s, after: after)
        }
        return encodedWords(s, after: after)
    }

    /// A display name and address: `=?UTF-8?B?546L5bu65Zu9?= <wang@example.org>`.
    package static func mailbox(_ m: MailAddress) -> String {
        let name = clean(m.name).trimmingSpaces
        if name.isEmpty { return "<\(m.address)>" }
        return "\(phrase(name)) <\(m.address)>"
    }

    /// A display name as an RFC 5322 phrase: atoms as they are, other printable ASCII quoted, anything
    /// else as encoded-words (never inside a quoted string).
    static func phrase(_ name: String) -> String {
        let atext = Set(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".utf8
        )
        let bytes = Array(name.utf8)
        if bytes.allSatisfy(atext.contains) && !name.contains("=?") { return name }
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && !name.contains("=?") {
            return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
        }
        return encodedWords(name, after: "From: ".count)
    }

    /// `=?UTF-8?B?…?=` words of whole characters, folded with CRLF SP so that no line passes 76.
    package static func encodedWords(_ s: String, after: Int) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        var room = max(((76 - after - 12) / 4) * 3, 3)
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
            room = 45  // a continuation line: " " + 75 characters
        }
        for character in s {
            let c = Array(String(character).utf8)
            if c.count > 45 {
                // A very long grapheme cluster (an emoji sequence): split on scalars, never inside one.
                for scalar in character.unicodeScalars {
                    let b = Array(String(scalar).utf8)
                    if chunk.count + b.count > room { flush() }
                    chunk += b
                }
                continue
            }
            if chunk.count + c.count > room { flush() }
            chunk += c
        }
        flush()
        return words.joined(separator: "\r\n ")
    }

    /// ASCII text folded at spaces so that lines stay near 78 characters (unfolding gives it back).
    static func fold(_ s: String, after: Int) -> String {
        var out = ""
        var length = after
        for (i, word) in s.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if i == 0 {
                out += word
                length += word.count
            } else if length + 1 + word.count > 78, length > 1 {
                out += "\r\n " + word
                length = 1 + word.count
            } else {
                out += " " + word
                length += 1 + word.count
            }
        }
        return out
    }

    /// `Fri, 18 Dec 2026 09:00:00 +0800`.
    package static func date(_ t: Instant, zone: Zone) -> String {
        let offset = zone.offset(atSecond: t.seconds)
        let local = LocalDateTime(localSecond: t.seconds + offset)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let sign = offset < 0 ? "-" : "+"
        let m = abs(offset) / 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(local.date.weekday.shortName), \(two(local.date.day)) \(months[local.date.month - 1]) \(local.date.year) "
            + "\(two(local.hour)):\(two(local.minute)):\(two(local.second)) \(sign)\(two(m / 60))\(two(m % 60))"
    }

    /// The body with every line end a plain LF (CR LF, lone CR → LF), ending in one.
    static func normalisedBody(_ body: String) -> String {
        var s = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if !s.hasSuffix("\n") { s += "\n" }
        return s
    }

    /// Base64 in lines of 76 characters, each ended by `eol`.
    static func base64Lines(_ bytes: [UInt8], eol: String) -> [UInt8] {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / 76 * 2 + 2)
        var i = 0
        while i < encoded.count {
            let j = min(i + 76, encoded.count)
            out += encoded[i..<j]
            out += eol.utf8
            i = j
        }
        return out
    }
}
