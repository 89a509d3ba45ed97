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
