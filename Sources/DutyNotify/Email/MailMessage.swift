package import DutyCalendar
import Foundation

/// One RFC 5322 message as dutyd sends it: plain text in UTF-8, base64 body (so any server takes it,
/// 8BITMIME or not), RFC 2047 subjects and display names, and nothing from a field that could start
/// a header of its own (docs/design.md, Email).
package struct MailMessage: Sendable {
    package var from: MailAddress
    package var to: [MailAddress]
    package var subject: String
    package var body: String
    /// Without the angle brackets: `2f0c…@example.org`.
    package var messageID: String
    package var date: Instant
    /// The zone the `Date:` header is written in.
    package var zone: Zone
    /// Files sent with it (a bulletin's spreadsheet): the message is then multipart/mixed.
    package var attachments: [Attachment] = []

    /// A file sent with a message, base64 in a part of its own.
    package struct Attachment: Sendable {
        /// An ASCII file name (`bulletin-gd.gz-2026-H2.csv`).
        package var name: String
        /// `text/csv; charset=UTF-8`.
        package var type: String
        package var bytes: [UInt8]

        package init(name: String, type: String, bytes: [UInt8]) {
            self.name = name
            self.type = type
            self.bytes = bytes
        }
    }

    package init(
        from: MailAddress,
        to: [MailAddress],
        subject: String,
        body: String,
        messageID: String,
        date: Instant,
        zone: Zone
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
        self.zone = zone
    }

    /// The message with CRLF line ends (SMTP; not yet dot-stuffed) or LF (a sendmail pipe).
    package func bytes(crlf: Bool = true) -> [UInt8] {
        let eol = crlf ? "\r\n" : "\n"
        var headers: [String] = [
            MIMEHeader.field("From", MIMEHeader.mailbox(from)),
            MIMEHeader.field("To", to.map(MIMEHeader.mailbox).joined(separator: ",\r\n ")),
            MIMEHeader.field("Subject", MIMEHeader.unstructured(subject, after: "Subject: ".count)),
            "Date: " + MIMEHeader.date(date, zone: zone),
            "Message-ID: <\(MIMEHeader.clean(messageID).replacingOccurrences(of: " ", with: ""))>",
            "MIME-Version: 1.0",
        ]
        let text = MIMEHeader.base64Lines(Array(MIMEHeader.normalisedBody(body).utf8), eol: eol)
        // The boundary: from the message id, which no base64 line or header of ours can contain.
        let boundary = "=_dutyd_" + stableDigest([messageID, "boundary"])
        if attachments.isEmpty {
            headers += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"]
        } else {
            headers.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
        }
        headers += ["Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All"]
        if !crlf { headers = headers.map { $0.replacingOccurrences(of: "\r\n", with: "\n") } }
        var out = Array((headers.joined(separator: eol) + eol + eol).utf8)
        guard !attachments.isEmpty else {
            out.append(contentsOf: text)
            return out
        }
        func part(_ lines: [String], _ content: [UInt8]) {
            out.append(contentsOf: Array(("--\(boundary)" + eol + lines.joined(separator: eol) + eol + eol).utf8))
            out.append(contentsOf: content)
        }
        part(["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"], text)
        for a in attachments {
            let name = MIMEHeader.clean(a.name).filter { $0.isASCII && $0 != "\"" && $0 != "\\" }
            part(
                [
                    "Content-Type: \(MIMEHeader.clean(a.type)); name=\"\(name)\"",
                    "Content-Transfer-Encoding: base64",
                    "Content-Disposition: attachment; filename=\"\(name)\"",
                ],
                MIMEHeader.base64Lines(a.bytes, eol: eol)
            )
        }
        out.append(contentsOf: Array(("--\(boundary)--" + eol).utf8))
        return out
    }
}

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

/// SMTP transparency (RFC 5321 §4.5.2): CRLF line ends (lone LF or CR made CRLF) and a dot doubled at
/// the start of every line, on bytes; ends with CRLF `.` CRLF.
package func smtpData(_ message: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(message.count + message.count / 64 + 8)
    var atLineStart = true
    var i = 0
    while i < message.count {
        let b = message[i]
        if b == 0x0D || b == 0x0A {
            out += [0x0D, 0x0A]
            if b == 0x0D, i + 1 < message.count, message[i + 1] == 0x0A { i += 1 }
            atLineStart = true
        } else {
            if atLineStart && b == 0x2E { out.append(0x2E) }
            out.append(b)
            atLineStart = false
        }
        i += 1
    }
    if !atLineStart { out += [0x0D, 0x0A] }
    out += [0x2E, 0x0D, 0x0A]
    return out
}

/// A 128-bit FNV-1a digest in hex: deterministic `Message-ID`s (not a security measure).
package func stableDigest(_ parts: [String]) -> String {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x8422_2325_cbf2_9ce4
    for part in parts {
        for byte in part.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = b &+ (a >> 29)
        }
        a = (a ^ 0x1F) &* 0x0000_0100_0000_01B3
        b = (b ^ 0x1E) &* 0x0000_0100_0000_01B3
    }
    func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
    return hex(a) + hex(b)
}
