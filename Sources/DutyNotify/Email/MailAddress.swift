import DutyCalendar

/// A mailbox: an optional display name and an ASCII address (`督办提醒 <dutyd@example.org>`).
///
/// Addresses must be ASCII (`local@domain`, the domain in its punycode form): few Chinese servers
/// advertise SMTPUTF8 (docs/design.md, Email), and a message that needs it would bounce somewhere on the way.
package struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    package var name: String
    package var address: String

    /// `address` is checked; `nil` with the reason when it is not one dutyd can send to.
    package init(name: String = "", address: String) throws(MailAddressError) {
        if let why = MailAddress.problem(address) { throw MailAddressError(text: address, reason: why) }
        self.name = name
        self.address = address
    }

    /// Parses `Name <a@b>`, `"Name" <a@b>` or `a@b`.
    package init(parsing text: String) throws(MailAddressError) {
        let t = text.trimmingSpaces
        if t.hasSuffix(">"), let open = t.lastIndex(of: "<") {
            var name = String(t[..<open]).trimmingSpaces
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = String(name.dropFirst().dropLast())
            }
            try self.init(name: name, address: String(t[t.index(after: open)..<t.index(before: t.endIndex)]))
        } else {
            try self.init(address: t)
        }
    }

    /// The part after `@`, for `Message-ID`s.
    package var domain: String { address.split(separator: "@").last.map(String.init) ?? "localhost" }

    package var description: String { name.isEmpty ? address : "\(name) <\(address)>" }

    /// Why `a` is not an address dutyd sends to, or `nil` when it is.
    package static func problem(_ a: String) -> String? {
        if a.isEmpty { return "the address is empty" }
        if a.utf8.contains(where: { $0 >= 0x80 }) {
            return "the address has non-ASCII characters; write the domain in its punycode form (xn--…)"
        }
        if a.utf8.count > 254 { return "the address is longer than 254 characters" }
        let parts = a.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "expected one @ in the address, such as name@example.org" }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { return "the part before @ is empty or too long" }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8)
        for atom in local.split(separator: ".", omittingEmptySubsequences: false) {
            guard !atom.isEmpty, atom.utf8.allSatisfy(atext.contains) else {
                return "the part before @ may hold letters, digits, dots and !#$%&'*+-/=?^_`{|}~ only"
            }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 1 else { return "the domain is empty" }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63,
                label.utf8.allSatisfy({
                    $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                }),
                label.first != "-", label.last != "-"
            else { return "the domain may hold letters, digits, hyphens and dots only, such as example.org" }
        }
        return nil
    }
}

/// An address dutyd cannot send to, and why.
package struct MailAddressError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var reason: String
    package var description: String { "\"\(text)\": \(reason)" }
}
