package import DutyNotify
import Foundation

// `[web]`: the pages officials open from the personal link in their mail (off when absent).

/// `[web]`: where dutyd serves its pages, the address the mail's links point at, the key that signs
/// them and how long a link lasts.
package struct WebSettings: Sendable, Equatable {
    /// `127.0.0.1:8080`, `[::1]:8080`: a reverse proxy in front terminates TLS.
    package var host: String
    package var port: Int
    /// What the links in the mail start with (the organisation's reverse proxy): `https://dutyd.example.org`.
    package var baseURL: String
    /// The key the links and sessions are signed with: at least 32 bytes, closed to group and others.
    package var secretFile: String
    /// How long a link (and the session it starts) lasts, in seconds.
    package var linkLifetime: Int
    /// A request header the reverse proxy sets to the official's id after its own sign-on (SSO); off
    /// unless set. Whoever can reach `listen` without the proxy can then claim to be anyone: keep the
    /// listener on localhost (README).
    package var trustUserHeader: String?

    package static let maximumLinkLifetime = 365 * 86_400

    package init(
        host: String,
        port: Int,
        baseURL: String,
        secretFile: String,
        linkLifetime: Int = 30 * 86_400,
        trustUserHeader: String? = nil
    ) {
        self.host = host
        self.port = port
        self.baseURL = baseURL
        self.secretFile = secretFile
        self.linkLifetime = linkLifetime
        self.trustUserHeader = trustUserHeader
    }

    /// Whether the pages are served over https (the session cookie is then `Secure`).
    package var secure: Bool { baseURL.lowercased().hasPrefix("https://") }

    /// The key, read from `secretFile`; what is wrong with it, with what to do, otherwise.
    package func key() throws(ConfigError) -> [UInt8] {
        if let problem = SMTPConfiguration.passwordFileProblem(secretFile) {
            throw ConfigError(secretFile, nil, nil, "web.secret_file: \(problem)")
        }
        guard let data = FileManager.default.contents(atPath: secretFile) else {
            throw ConfigError(
                secretFile,
                nil,
                nil,
                "web.secret_file: cannot read it; make one with `head -c 32 /dev/urandom > \(secretFile); chmod 600 \(secretFile)`"
            )
        }
        guard data.count >= 32 else {
            throw ConfigError(
                secretFile,
                nil,
                nil,
                "web.secret_file: \(data.count) bytes is too short a key; use at least 32 (`head -c 32 /dev/urandom > \(secretFile)`)"
            )
        }
        return Array(data.prefix(4096))
    }

    /// The links of this configuration, signed with its key.
    package func links() throws(ConfigError) -> PersonalLinks {
        PersonalLinks(key: try key(), baseURL: baseURL, lifetime: linkLifetime)
    }
}

extension Settings {
    static func parseWeb(
        _ table: TOMLTable,
        path: String,
        resolve: (String) -> String
    ) throws(ConfigError) -> WebSettings? {
        func fail(_ node: TOMLNode, _ message: String) -> ConfigError {
            ConfigError(path, node.position.line, node.position.column, message)
        }
        guard let listen = table["listen"] else { return nil }
        guard let text = listen.string, let (host, port) = Self.hostAndPort(text) else {
            throw fail(listen, "web.listen: expected an address and port such as \"127.0.0.1:8080\" or \"[::1]:8080\"")
        }
        guard let base = table["base_url"] else {
            throw fail(
                listen,
                "web.base_url: missing; the address the links in the mail point at, such as \"https://dutyd.example.org\""
            )
        }
        guard let b = base.string, b.utf8.count <= 200, let url = URL(string: b),
            ["http", "https"].contains(url.scheme ?? ""),
            url.host != nil, url.query == nil, url.fragment == nil,
            b.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw fail(base, "web.base_url: expected an http or https address such as \"https://dutyd.example.org\"")
        }
        guard let secret = table["secret_file"] else {
            throw fail(
                listen,
                "web.secret_file: missing; the file of the key that signs the links (`head -c 32 /dev/urandom > FILE; chmod 600 FILE`)"
            )
        }
        guard let s = secret.string, !s.isEmpty else {
            throw fail(secret, "web.secret_file: expected a file path in quotes")
        }
        var w = WebSettings(host: host, port: port, baseURL: String(b.trimmingSuffix("/")), secretFile: resolve(s))
        if let n = table["trust_user_header"] {
            guard let h = n.string, (1...64).contains(h.utf8.count),
                h.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            else {
                throw fail(n, "web.trust_user_header: expected a header name such as \"X-Remote-User\"")
            }
            w.trustUserHeader = h
        }
        if let n = table["link_lifetime"] {
            guard let v = Settings.seconds(n, maximum: Double(WebSettings.maximumLinkLifetime)), v >= 3600 else {
                throw fail(n, "web.link_lifetime: expected a time from 1h to 365d, such as \"30d\"")
            }
            w.linkLifetime = Int(v)
        }
        return w
    }

    /// `host:port` or `[v6]:port`, the port from 1 to 65535.
    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard text.utf8.count <= 100, let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".:-".contains($0)) })
        else {
            return nil
        }
        return (host, port)
    }
}

/// `[metrics]`: where Prometheus may scrape dutyd over TCP (it always may on the API socket).
package struct MetricsSettings: Sendable, Equatable {
    package var host: String
    package var port: Int
}

extension Settings {
    /// `listen = "9464"` or `":9464"` is loopback; `"0.0.0.0:9464"` or `"[::]:9464"` is every address.
    static func parseMetrics(_ table: TOMLTable, path: String) throws(ConfigError) -> MetricsSettings? {
        guard let listen = table["listen"] else { return nil }
        let expected =
            "metrics.listen: expected a port or an address and port such as \"9464\" (127.0.0.1), \"127.0.0.1:9464\" or \"[::1]:9464\""
        guard let text = listen.string else {
            throw ConfigError(path, listen.position.line, listen.position.column, expected)
        }
        let loopback =
            text.hasPrefix(":") ? "127.0.0.1\(text)" : text.allSatisfy(\.isNumber) ? "127.0.0.1:\(text)" : text
        guard let (host, port) = hostAndPort(loopback) else {
            throw ConfigError(path, listen.position.line, listen.position.column, expected)
        }
        return MetricsSettings(host: host, port: port)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        var s = Substring(self)
        while s.last == suffix { s = s.dropLast() }
        return s
    }
}
