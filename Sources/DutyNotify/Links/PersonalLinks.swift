import Crypto
import Foundation

/// Personal links and the sessions they start (docs/decisions/0010-personal-links.md): a token names
/// an official, when it was issued and until when it is good, signed with HMAC-SHA256 under the key of
/// `[web] secret_file`. Nothing is stored per link: a mail can carry one for each recipient without a
/// write, and `dutyctl official revoke-links` ends every link and session issued before it by noting
/// the moment (the store's `web_revocation`).
///
/// A token is `base64url(kind NL official NL issued NL expires) "." base64url(mac)`; `kind` is `l` (a
/// link in a mail) or `s` (a session cookie), so neither can be used as the other.
package struct PersonalLinks: Sendable {
    package enum Kind: String, Sendable {
        case link = "l"
        case session = "s"
    }

    /// What a good token says.
    package struct Claim: Sendable, Equatable {
        package var kind: Kind
        package var official: String
        /// Seconds since 1970.
        package var issued: Int
        package var expires: Int

        package init(kind: Kind, official: String, issued: Int, expires: Int) {
            (self.kind, self.official, self.issued, self.expires) = (kind, official, issued, expires)
        }
    }

    let key: SymmetricKey
    /// `https://dutyd.example.org`, no slash at the end.
    package let baseURL: String
    /// Seconds a link and a session last.
    package let lifetime: Int

    /// The longest token taken: anything longer is refused before it is decoded.
    package static let maximumLength = 600

    package init(key: [UInt8], baseURL: String, lifetime: Int) {
        self.key = SymmetricKey(data: key)
        self.baseURL = baseURL
        self.lifetime = lifetime
    }

    /// A token of `kind` for `official`, issued at `now` (seconds since 1970), good for `lifetime`.
    package func token(_ kind: Kind, official: String, now: Int) -> String {
        let payload = Array("\(kind.rawValue)\n\(official)\n\(now)\n\(now + lifetime)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Self.base64url(payload) + "." + Self.base64url(Array(mac))
    }

    /// The personal link for `official` in a mail sent at `now`.
    package func link(official: String, now: Int) -> String {
        baseURL + "/l/" + token(.link, official: official, now: now)
    }

    /// What `token` says if it is of `kind`, signed with this key (compared in constant time) and not
    /// expired at `now`; `nil` otherwise.
    package func verify(_ token: String, _ kind: Kind, now: Int) -> Claim? {
        guard token.utf8.count <= Self.maximumLength else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.unbase64url(parts[0]), let mac = Self.unbase64url(parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key)
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == kind.rawValue, !fields[1].isEmpty, let issued = Int(fields[2]),
            let expires = Int(fields[3]), now < expires, issued <= now + 300
        else { return nil }
        return Claim(kind: kind, official: String(fields[1]), issued: issued, expires: expires)
    }

    /// The form token of a session: a MAC of the session's token, so a page of one session cannot post
    /// for another and a forged form has none.
    package func formToken(session: String) -> String {
        Self.base64url(Array(HMAC<SHA256>.authenticationCode(for: Array(("csrf\n" + session).utf8), using: key)))
    }

    /// Whether `given` is the form token of `session`, compared in constant time.
    package func checkFormToken(_ given: String, session: String) -> Bool {
        guard given.utf8.count <= 100, let mac = Self.unbase64url(Substring(given)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(("csrf\n" + session).utf8), using: key)
    }

    /// `text` sealed (AES-GCM under a key derived from this one) as URL-safe text: what the pages put
    /// in an address instead of an occurrence id, which can name an official.
    package func opaque(_ text: String) -> String {
        guard let box = try? AES.GCM.seal(Array(text.utf8), using: sealingKey), let combined = box.combined else {
            return ""
        }
        return Self.base64url(Array(combined))
    }

    /// What `opaque` sealed, if this key sealed it unaltered.
    package func reveal(_ token: String) -> String? {
        guard token.utf8.count <= Self.maximumLength, let bytes = Self.unbase64url(Substring(token)),
            let box = try? AES.GCM.SealedBox(combined: bytes),
            let plain = try? AES.GCM.open(box, using: sealingKey)
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    private var sealingKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Array("dutyd occurrence".utf8), outputByteCount: 32)
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/",
            with: "_"
        )
        .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.utf8.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}
