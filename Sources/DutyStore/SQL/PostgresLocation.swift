import Foundation

/// Where a PostgreSQL store is, read from the setting `state` in libpq's two forms:
///
///     state = "postgresql://dutyd@db1:5432,db2:5432/dutyd?sslmode=verify-full&target_session_attrs=read-write"
///     state = "host=/var/run/postgresql dbname=dutyd user=dutyd"
///
/// Parameters: `host` (a name, an address, or a socket folder beginning with `/`; several, comma
/// separated, are tried in order), `port`, `dbname`, `user`, `password`, `password_file` (the password
/// is the file's first line), `password_credential` (a systemd credential of that name, from
/// `$CREDENTIALS_DIRECTORY`), `sslmode` (`disable`, `prefer` — the default, as libpq's —, `require`,
/// `verify-ca`, `verify-full`), `sslrootcert`, `target_session_attrs` (`any`, `read-write`: skip a
/// server that only reads, a standby), `connect_timeout` (seconds) and `application_name`.
package struct PostgresLocation: Sendable, Equatable {
    package struct Server: Sendable, Equatable {
        /// A host name or address, or a socket folder (begins with `/`).
        package var host: String
        package var port: Int

        package init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// The socket file in a socket folder, as libpq names it.
        package var socketPath: String? { host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil }
    }

    package enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    package var servers: [Server]
    package var user: String
    package var database: String
    package var password: String?
    package var tls: TLSMode = .prefer
    package var rootCertificate: String?
    package var readWriteOnly = false
    package var connectTimeout = 10
    package var applicationName = "dutyd"

    /// The location without its password, for messages.
    package var name: String {
        let hosts = servers.map { $0.host.hasPrefix("/") ? $0.host : "\($0.host):\($0.port)" }
        return "postgresql://\(user)@\(hosts.joined(separator: ","))/\(database)"
    }

    /// `nil` when `state` is not a PostgreSQL connection string (then it is a SQLite file's path).
    package init?(
        _ state: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(StoreError)
    {
        let parameters: [(String, String)]
        if state.hasPrefix("postgresql://") || state.hasPrefix("postgres://") {
            parameters = try Self.urlParameters(state)
        } else if !state.hasPrefix("/"), state.contains("="), let pairs = Self.keywordParameters(state) {
            parameters = pairs
        } else {
            return nil
        }
        try self.init(parameters: parameters, environment: environment)
    }

    /// What a sender's every connection is named in `pg_stat_activity`, so a standby taking over from
    /// a paused one can end them all (one may hold a lock the takeover waits for).
    package static func applicationName(instance: String) -> String { "dutyd:\(instance)" }

    private init(parameters: [(String, String)], environment: [String: String]) throws(StoreError) {
        var hosts: [String] = []
        var ports: [String] = []
        var user: String?
        var database: String?
        // libpq's variable; dutyd sets it to name its connections (`applicationName(instance:)`).
        if let name = environment["PGAPPNAME"], !name.isEmpty { applicationName = name }
        for (key, value) in parameters {
            switch key {
            case "host": hosts = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            case "port": ports = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            case "user": user = value
            case "dbname": database = value
            case "password": password = value
            case "password_file": password = try Self.firstLine(of: value, "password_file")
            case "password_credential":
                guard let folder = environment["CREDENTIALS_DIRECTORY"] else {
                    throw Self.fail(
                        "password_credential=\(value): no systemd credentials are passed to this process ($CREDENTIALS_DIRECTORY is not set); add LoadCredential=\(value):FILE to the service, or use password_file"
                    )
                }
                password = try Self.firstLine(of: "\(folder)/\(value)", "password_credential")
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw Self.fail(
                        "sslmode=\(value): expected one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                tls = mode
            case "sslrootcert": rootCertificate = value
            case "target_session_attrs":
                switch value {
                case "any": readWriteOnly = false
                case "read-write", "primary": readWriteOnly = true
                default: throw Self.fail("target_session_attrs=\(value): expected any, read-write or primary")
                }
            case "connect_timeout":
                guard let n = Int(value), (1...600).contains(n) else {
                    throw Self.fail("connect_timeout=\(value): expected whole seconds from 1 to 600")
                }
                connectTimeout = n
            case "application_name": applicationName = value
            default:
                throw Self.fail(
                    "unknown parameter '\(key)'; dutyd understands host, port, dbname, user, password, password_file, password_credential, sslmode, sslrootcert, target_session_attrs, connect_timeout and application_name"
                )
            }
        }
        if hosts.isEmpty || hosts == [""] { hosts = ["/var/run/postgresql"] }
        if ports.isEmpty { ports = ["5432"] }
        guard ports.count == 1 || ports.count == hosts.count else {
            throw Self.fail("\(hosts.count) hosts but \(ports.count) ports: give one port, or one for each host")
        }
        var servers: [Server] = []
        for (i, host) in hosts.enumerated() {
            let text = ports.count == 1 ? ports[0] : ports[i]
            guard let port = Int(text), (1...65535).contains(port) else {
                throw Self.fail("port '\(text)': expected a number from 1 to 65535")
            }
            guard !host.isEmpty else { throw Self.fail("an empty host in '\(hosts.joined(separator: ","))'") }
            servers.append(Server(host: host, port: port))
        }
        self.servers = servers
        let me = Self.processUser()
        self.user = user ?? me
        self.database = database ?? user ?? me
    }

    static func fail(_ message: String) -> StoreError {
        StoreError(.settings, "state: PostgreSQL connection string: \(message)")
    }

    static func firstLine(of path: String, _ parameter: String) throws(StoreError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw fail("\(parameter): cannot read \(path); check that it exists and that dutyd's user may read it")
        }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(line).trimmingCharacters(in: .whitespaces)
    }

    static func processUser() -> String {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "dutyd" }
        return String(cString: name)
    }

    /// `postgresql://[user[:password]@][host[:port][,…]][/dbname][?key=value&…]`, percent-encoded.
    static func urlParameters(_ url: String) throws(StoreError) -> [(String, String)] {
        var rest = Substring(url[url.index(after: url.firstIndex(of: "/")!)...].dropFirst())
        var out: [(String, String)] = []
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty { out.append(("dbname", try decode(db))) }
        }
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                out.append(("user", try decode(credentials[..<colon])))
                out.append(("password", try decode(credentials[credentials.index(after: colon)...])))
            } else if !credentials.isEmpty {
                out.append(("user", try decode(credentials)))
            }
        }
        if !authority.isEmpty {
            var hosts: [String] = []
            var ports: [String] = []
            for part in authority.split(separator: ",", omittingEmptySubsequences: false) {
                var host = part
                var port: Substring = "5432"
                if part.hasPrefix("[") {
                    guard let close = part.firstIndex(of: "]") else {
                        throw fail("'\(part)': an IPv6 address lacks its ]")
                    }
                    host = part[part.index(after: part.startIndex)..<close]
                    let after = part[part.index(after: close)...]
                    if after.hasPrefix(":") { port = after.dropFirst() }
                } else if let colon = part.lastIndex(of: ":") {
                    host = part[..<colon]
                    port = part[part.index(after: colon)...]
                }
                hosts.append(try decode(host))
                ports.append(String(port))
            }
            out.append(("host", hosts.joined(separator: ",")))
            out.append(("port", ports.joined(separator: ",")))
        }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            guard let eq = pair.firstIndex(of: "=") else { throw fail("'\(pair)': expected key=value") }
            out.append((try decode(pair[..<eq]), try decode(pair[pair.index(after: eq)...])))
        }
        return out
    }

    static func decode(_ text: Substring) throws(StoreError) -> String {
        guard let s = String(text).removingPercentEncoding else { throw fail("'\(text)': a bad %-escape") }
        return s
    }

    /// `key=value key='value with spaces'`; `nil` when the text is not of that form.
    static func keywordParameters(_ text: String) -> [(String, String)]? {
        var out: [(String, String)] = []
        var i = text.startIndex
        func skipSpaces() { while i < text.endIndex, text[i] == " " || text[i] == "\t" { i = text.index(after: i) } }
        skipSpaces()
        while i < text.endIndex {
            let keyStart = i
            while i < text.endIndex, text[i] != "=", text[i] != " " { i = text.index(after: i) }
            let key = String(text[keyStart..<i])
            skipSpaces()
            guard i < text.endIndex, text[i] == "=", !key.isEmpty else { return nil }
            i = text.index(after: i)
            skipSpaces()
            var value = ""
            if i < text.endIndex, text[i] == "'" {
                i = text.index(after: i)
                var closed = false
                while i < text.endIndex {
                    let c = text[i]
                    i = text.index(after: i)
                    if c == "\\", i < text.endIndex {
                        value.append(text[i])
                        i = text.index(after: i)
                    } else if c == "'" {
                        closed = true
                        break
                    } else {
                        value.append(c)
                    }
                }
                guard closed else { return nil }
            } else {
                while i < text.endIndex, text[i] != " " {
                    value.append(text[i])
                    i = text.index(after: i)
                }
            }
            out.append((key, value))
            skipSpaces()
        }
        return out.isEmpty ? nil : out
    }
}
