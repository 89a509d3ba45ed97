import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to submit mail (the `[email]` settings for `transport = "smtp"`).
package struct SMTPConfiguration: Sendable {
    package enum Security: String, Sendable, CaseIterable {
        /// Plain connection, then STARTTLS; never goes on in plain text if the server does not offer it.
        case starttls
        /// TLS from the first byte (port 465).
        case implicit
        /// No TLS at all: only for a relay on this machine.
        case none
    }

    package var host: String
    package var port: Int
    package var security: Security
    package var username: String?
    /// The file holding the password (a systemd credential); read when a session starts, never logged.
    package var passwordFile: String?
    /// Extra CA certificates (PEM) for a relay with a private certificate.
    package var caFile: String?
    /// The name this host gives in EHLO.
    package var helo: String
    package var connectTimeout: Double = 30
    /// How long to wait for any one reply.
    package var replyTimeout: Double = 60
    /// How long one session (a whole batch) may take before the rest is left for a retry.
    package var sessionTimeout: Double = 600

    package init(
        host: String,
        port: Int,
        security: Security,
        username: String? = nil,
        passwordFile: String? = nil,
        caFile: String? = nil,
        helo: String
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.passwordFile = passwordFile
        self.caFile = caFile
        self.helo = helo
    }

    /// Where systemd puts the password given by `LoadCredential=dutyd-smtp-password`, when the service
    /// has credentials; used when `password_file` is not set.
    package static var credentialFile: String? {
        ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"].map { "\($0)/dutyd-smtp-password" }
    }

    /// What is wrong with a password file that others could read or replace, or `nil` when it is
    /// safe: it must belong to root or to dutyd's own user and be closed to group and others. A file
    /// that does not exist is not judged here (reading it says so).
    package static func passwordFileProblem(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let mode = st.st_mode & 0o7777
        if st.st_uid != 0 && st.st_uid != geteuid() {
            return "\(path) belongs to uid \(st.st_uid), neither root nor dutyd's user; run `chown root \(path)` "
                + "(and give dutyd read access through a systemd credential) or `chown \(geteuid()) \(path)`"
        }
        if mode & 0o077 != 0 {
            return "\(path) may be read by group or others (mode \(String(mode, radix: 8))); run `chmod 600 \(path)`"
        }
        return nil
    }

    /// A name EHLO may carry (RFC 5321 section 4.1.3): a domain of letters, digits, hyphens and dots,
    /// or an address literal in brackets. Nothing else can reach the wire, CR and LF least of all.
    package static func isValidHelo(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        if name.hasPrefix("[") && name.hasSuffix("]") {
            return name.dropFirst().dropLast().allSatisfy { $0.isASCII && ($0.isHexDigit || ".:".contains($0)) }
                && name.count > 2
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
            && !name.hasPrefix(".") && !name.hasPrefix("-")
    }

    /// A relay on this machine, where plain text and AUTH without TLS do no harm.
    package var isLoopback: Bool { ["localhost", "127.0.0.1", "::1"].contains(host.lowercased()) }
}

/// One server reply: the code and every line's text.
package struct SMTPReply: Sendable, CustomStringConvertible {
    package var code: Int
    package var lines: [String]
    package var description: String { lines.map { "\(code) \($0)" }.joined(separator: " / ") }
    package var isPositive: Bool { (200..<400).contains(code) }
    package var isTransient: Bool { (400..<500).contains(code) }
}

/// Why a session or a command failed; `transient` ones are worth a retry later. A failure of the session
/// itself (a refused login, a missing password file, TLS that cannot be set up) is transient: it says
/// nothing about the message, and once the administrator mends the settings the retries go out.
/// Only what the server says of a message or a recipient (5xx to MAIL, RCPT, DATA) is permanent.
package struct SMTPError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var transient: Bool
    package var reply: SMTPReply?
    /// The settings are at fault (password, login, TLS set-up): every message would fail the same way.
    package var settings = false

    init(_ message: String, transient: Bool, reply: SMTPReply? = nil, settings: Bool = false) {
        self.message = message
        self.transient = transient
        self.reply = reply
        self.settings = settings
    }

    /// A refused command: 4xx transient, 5xx permanent.
    static func refused(_ command: String, _ reply: SMTPReply) -> SMTPError {
        SMTPError("the server refused \(command): \(reply)", transient: reply.code < 500, reply: reply)
    }

    package var description: String { message }
}

/// One SMTP session on swift-nio: connect, EHLO, TLS, AUTH, then any number of messages, then QUIT.
/// Replies are read one command at a time (no pipelining), each within the reply timeout and all within
/// the session's deadline; a timeout or a broken connection closes the session for good.
package final class SMTPSession {
    private let channel: any NIOCore.Channel
    private let replies: NIOLoopBound<ReplyReader>
    private let configuration: SMTPConfiguration
    private let deadline: NIODeadline
    private var capabilities: Set<String> = []
    private var authMechanisms: Set<String> = []
    private var tlsActive = false
    /// Every command (AUTH shown without its argument) and the reply to it, for `dutyctl notify test`.
    package private(set) var transcript: [String] = []

    private init(
        channel: any NIOCore.Channel,
        replies: NIOLoopBound<ReplyReader>,
        configuration: SMTPConfiguration,
        tlsActive: Bool
    ) {
        self.channel = channel
        self.replies = replies
        self.configuration = configuration
        self.tlsActive = tlsActive
        deadline = .now() + .milliseconds(Int64(configuration.sessionTimeout * 1000))
    }

    private static func tlsContext(_ c: SMTPConfiguration) throws(SMTPError) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        // TLS 1.0 and 1.1 are broken and deprecated (RFC 8996): a relay that offers nothing newer fails.
        tls.minimumTLSVersion = .tlsv12
        if let ca = c.caFile { tls.additionalTrustRoots = [.file(ca)] }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPError(
                "cannot set up TLS (ca_file \(c.caFile ?? "unset")): \(error)",
                transient: true,
                settings: true
            )
        }
    }

    private static func tlsName(_ host: String) -> String? {
        host.contains(":") || host.split(separator: ".").allSatisfy({ Int($0) != nil }) ? nil : host
    }

    /// Connects, reads the greeting, says EHLO, starts TLS as configured and logs in.
    package static func open(_ c: SMTPConfiguration) async throws(SMTPError) -> SMTPSession {
        let context = c.security == .none ? nil : try tlsContext(c)
        let implicit = c.security == .implicit
        let name = tlsName(c.host)
        let channel: any NIOCore.Channel
        do {
            // The name is resolved on NIO's thread pool (plain threads), not by `connect(host:)`, whose
            // resolver runs getaddrinfo on a libdispatch queue: the first libdispatch thread arms its
            // once-a-second pool monitor for the life of the process (see LoopSleep.swift).
            let address = try await NIOThreadPool.singleton.runIfActive {
                try SocketAddress.makeAddressResolvingHost(c.host, port: c.port)
            }
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(c.connectTimeout * 1000)))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        if implicit, let context {
                            try ch.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: context, serverHostname: name)
                            )
                        }
                        try ch.pipeline.syncOperations.addHandler(ReplyReader())
                    }
                }
                .connect(to: address).get()
        } catch {
            throw SMTPError("cannot connect to \(c.host):\(c.port): \(connectProblem(error))", transient: true)
        }
        let reader: NIOLoopBound<ReplyReader>
        do {
            reader = try await channel.eventLoop.submit {
                NIOLoopBound(
                    try channel.pipeline.syncOperations.handler(type: ReplyReader.self),
                    eventLoop: channel.eventLoop
                )
            }.get()
        } catch {
            channel.close(promise: nil)
            throw SMTPError("the connection to \(c.host):\(c.port) closed at once", transient: true)
        }
        let session = SMTPSession(channel: channel, replies: reader, configuration: c, tlsActive: implicit)
        do {
            let greeting = try await session.reply(to: "(greeting)")
            guard greeting.code == 220 else { throw SMTPError.refused("the connection", greeting) }
            try await session.ehlo()
            if c.security == .starttls {
                guard session.capabilities.contains("STARTTLS") else {
                    throw SMTPError(
                        "\(c.host) does not offer STARTTLS, and tls = \"starttls\" never sends in plain text; "
                            + "use tls = \"implicit\" (port 465) if the server wants TLS from the start",
                        transient: true,
                        settings: true
                    )
                }
                try await session.startTLS(context!, name: name)
            }
            try await session.authenticate()
        } catch let e as SMTPError {
            session.abort()
            throw e
        } catch {
            session.abort()
            throw SMTPError("\(error)", transient: true)
        }
        return session
    }

    /// Why a connection could not be made, in words that say what to check (NIO's own description
    /// lists every address tried, errno and all).
    static func connectProblem(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Operation not permitted") || text.contains("EPERM") {
            return
                "not permitted (the shipped dutyd.service allows only localhost: add IPAddressAllow= for the mail server in a drop-in, `systemctl edit dutyd`)"
        }
        if text.contains("Connection refused") {
            return "connection refused: nothing listens there; check smtp_host and smtp_port"
        }
        if text.contains("connectTimeout") || text.contains("timed out") || text.contains("Timed out") {
            return "no answer in time; check smtp_host, smtp_port and any firewall between"
        }
        if error is SocketAddressError || text.contains("NXDOMAIN") || text.contains("not known")
            || text.contains("resolve") || text.contains("unknown host")
        {
            return "the host name is unknown; check smtp_host"
        }
        return text
    }

    /// Reads the next reply, within the reply timeout and the session's deadline.
    private func reply(to command: String) async throws(SMTPError) -> SMTPReply {
        let limit = min(.now() + .milliseconds(Int64(configuration.replyTimeout * 1000)), deadline)
        let replies = self.replies
        let r: SMTPReply
        do {
            r = try await channel.eventLoop.flatSubmit { replies.value.next(deadline: limit) }.get()
        } catch let e as SMTPError {
            throw SMTPError("\(e.message) (waiting for the answer to \(command))", transient: e.transient)
        } catch {
            throw SMTPError(
                "the connection broke while waiting for the answer to \(command): \(error)",
                transient: true
            )
        }
        transcript.append("\(command) → \(r)")
        return r
    }

    /// Sends one command line and reads its reply. `shown` is what the transcript and errors say
    /// instead of the line (AUTH arguments never appear).
    private func command(_ line: String, shown: String? = nil) async throws(SMTPError) -> SMTPReply {
        channel.writeAndFlush(ByteBuffer(string: line + "\r\n"), promise: nil)
        return try await reply(to: shown ?? line)
    }

    private func ehlo() async throws(SMTPError) {
        var r = try await command("EHLO \(configuration.helo)")
        if r.code != 250 {
            r = try await command("HELO \(configuration.helo)")
            guard r.code == 250 else { throw SMTPError.refused("EHLO/HELO", r) }
        }
        capabilities = []
        authMechanisms = []
        for line in r.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            capabilities.insert(keyword)
            if keyword == "AUTH" { authMechanisms.formUnion(words.dropFirst()) }
        }
    }

    private func startTLS(_ context: NIOSSLContext, name: String?) async throws(SMTPError) {
        let r = try await command("STARTTLS")
        guard r.code == 220 else { throw SMTPError.refused("STARTTLS", r) }
        let replies = self.replies
        let channel = self.channel
        let host = configuration.host
        do {
            try await channel.eventLoop.submit {
                // Anything the server sent after its 220 and before TLS would be read as if it came
                // over TLS (the STARTTLS injection of CVE-2011-0411): refuse.
                guard !replies.value.hasBufferedInput else {
                    throw SMTPError(
                        "\(host) sent data after its STARTTLS answer, before TLS began; not going on",
                        transient: true
                    )
                }
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: context, serverHostname: name),
                    position: .first
                )
            }.get()
        } catch let e as SMTPError {
            throw e
        } catch {
            throw SMTPError("cannot start TLS with \(host): \(error)", transient: true)
        }
        tlsActive = true
        // RFC 3207 §4.2: forget what was said in plain text and ask again.
        try await ehlo()
    }

    private func password() throws(SMTPError) -> String {
        guard let file = configuration.passwordFile ?? SMTPConfiguration.credentialFile else {
            throw SMTPError(
                "username is set but password_file is not; point password_file at a file holding the password "
                    + "(or a systemd credential, $CREDENTIALS_DIRECTORY/dutyd-smtp-password)",
                transient: true,
                settings: true
            )
        }
        if configuration.passwordFile != nil, let problem = SMTPConfiguration.passwordFileProblem(file) {
            throw SMTPError(
                "refusing to use the SMTP password: \(problem)",
                transient: true,
                settings: true
            )
        }
        guard let data = FileManager.default.contents(atPath: file), var p = String(data: data, encoding: .utf8)
        else {
            throw SMTPError(
                "cannot read the SMTP password from \(file); check that it exists and that dutyd may read it",
                transient: true,
                settings: true
            )
        }
        while p.hasSuffix("\n") || p.hasSuffix("\r") { p.removeLast() }
        return p
    }

    private func authenticate() async throws(SMTPError) {
        guard let user = configuration.username, !user.isEmpty else { return }
        guard tlsActive || configuration.isLoopback else {
            throw SMTPError(
                "refusing to send the SMTP password without TLS to \(configuration.host); set tls = \"starttls\" or \"implicit\"",
                transient: true,
                settings: true
            )
        }
        let pass = try password()
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        let r: SMTPReply
        if authMechanisms.contains("PLAIN") {
            r = try await command("AUTH PLAIN " + b64("\0\(user)\0\(pass)"), shown: "AUTH PLAIN ****")
        } else if authMechanisms.contains("LOGIN") {
            let challenge = try await command("AUTH LOGIN")
            guard challenge.code == 334 else { throw SMTPError.refused("AUTH LOGIN", challenge) }
            let u = try await command(b64(user), shown: "(username)")
            guard u.code == 334 else { throw SMTPError.refused("AUTH LOGIN", u) }
            r = try await command(b64(pass), shown: "(password)")
        } else {
            throw SMTPError(
                "\(configuration.host) offers no AUTH PLAIN or LOGIN"
                    + (authMechanisms.isEmpty
                        ? " (no AUTH at all" + (tlsActive ? ")" : " before TLS)")
                        : " (it offers \(authMechanisms.sorted().joined(separator: " ")))"),
                transient: true,
                settings: true
            )
        }
        guard r.code == 235 else {
            throw SMTPError(
                "the server did not accept the SMTP login of \(user): \(r); check username and password_file",
                transient: true,
                reply: r,
                settings: true
            )
        }
    }

    /// What became of each recipient of one message.
    package enum RecipientResult: Sendable, Equatable {
        case accepted
        case transient(String)
        case permanent(String)
    }

    /// Sends one message to `recipients`; one refused recipient does not hold back the others. Throws
    /// only when the session itself broke (then nothing is known of this message).
    package func send(
        from: String,
        to recipients: [String],
        data: [UInt8]
    ) async throws(SMTPError)
        -> [RecipientResult]
    {
        let mail = try await command("MAIL FROM:<\(from)>")
        guard mail.code == 250 else {
            let why = "the server refused the sender <\(from)>: \(mail)"
            _ = try? await command("RSET")
            return recipients.map { _ in mail.isTransient ? .transient(why) : .permanent(why) }
        }
        var results: [RecipientResult] = []
        for r in recipients {
            let reply = try await command("RCPT TO:<\(r)>")
            if reply.code == 250 || reply.code == 251 {
                results.append(.accepted)
            } else {
                let why = "the server refused <\(r)>: \(reply)"
                results.append(reply.isTransient ? .transient(why) : .permanent(why))
            }
        }
        guard results.contains(.accepted) else {
            _ = try await command("RSET")
            return results
        }
        let go = try await command("DATA")
        guard go.code == 354 else {
            let why = "the server refused DATA: \(go)"
            _ = try await command("RSET")
            return results.map { $0 == .accepted ? (go.isTransient ? .transient(why) : .permanent(why)) : $0 }
        }
        var buffer = channel.allocator.buffer(capacity: data.count + 64)
        buffer.writeBytes(smtpData(data))
        channel.writeAndFlush(buffer, promise: nil)
        let done = try await reply(to: "(message)")
        guard done.code == 250 else {
            let why = "the server did not take the message: \(done)"
            return results.map { $0 == .accepted ? (done.isTransient ? .transient(why) : .permanent(why)) : $0 }
        }
        return results
    }

    /// Says QUIT and closes; the server may drop the connection without a TLS close_notify, which is
    /// not an error after QUIT.
    package func close() async {
        _ = try? await command("QUIT")
        abort()
    }

    /// Closes at once (after a timeout the connection is in an unknown state and is never reused).
    package func abort() {
        channel.close(promise: nil)
    }

    /// Closes the connection from any task: what a cancelled send (dutyd stopping) calls, so that a
    /// server that answers slowly does not hold the stop up.
    package var closer: @Sendable () -> Void { { [channel] in channel.close(promise: nil) } }
}

/// Splits what the server sends into replies (`250-…` lines continue, `250 …` ends one) and hands
/// them to whoever waits, failing the wait on timeout or when the connection goes.
final class ReplyReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var partial: [UInt8] = []
    private var lines: [String] = []
    private var ready: [SMTPReply] = []
    private var waiter: EventLoopPromise<SMTPReply>?
    private var timer: Scheduled<Void>?
    private var failure: SMTPError?
    private var context: ChannelHandlerContext?
    /// The channel's event loop, kept after the handler is removed.
    private var loop: (any EventLoop)?

    var hasBufferedInput: Bool { !partial.isEmpty || !ready.isEmpty || !lines.isEmpty }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        loop = context.eventLoop
    }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func next(deadline: NIODeadline) -> EventLoopFuture<SMTPReply> {
        let loop = loop ?? MultiThreadedEventLoopGroup.singleton.any()
        if !ready.isEmpty { return loop.makeSucceededFuture(ready.removeFirst()) }
        // Why the connection ended (a TLS failure, say) is worth more than "it is closed".
        if let failure { return loop.makeFailedFuture(failure) }
        guard let context else {
            return loop.makeFailedFuture(SMTPError("the connection is closed", transient: true))
        }
        let promise = context.eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            fail(SMTPError("the server did not answer in time", transient: true))
            self.context?.close(promise: nil)
        }
        return promise.futureResult
    }

    private func fail(_ error: SMTPError) {
        if failure == nil { failure = error }
        timer?.cancel()
        timer = nil
        if let w = waiter {
            waiter = nil
            w.fail(error)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        for b in bytes {
            if b == 0x0A {
                if partial.last == 0x0D { partial.removeLast() }
                line(String(decoding: partial, as: UTF8.self))
                partial = []
            } else {
                partial.append(b)
                if partial.count > 4096 {
                    fail(SMTPError("the server sent a line longer than 4096 bytes", transient: true))
                    context.close(promise: nil)
                    return
                }
            }
        }
    }

    private func line(_ text: String) {
        let u = Array(text.utf8)
        guard u.count >= 3, let code = Int(String(decoding: u[0..<3], as: UTF8.self)), (200..<600).contains(code)
        else {
            fail(SMTPError("the server's answer is not SMTP: \(text.prefix(80))", transient: true))
            context?.close(promise: nil)
            return
        }
        lines.append(u.count > 4 ? String(decoding: u[4...], as: UTF8.self) : "")
        if u.count > 3 && u[3] == UInt8(ascii: "-") { return }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        if let w = waiter {
            waiter = nil
            timer?.cancel()
            timer = nil
            w.succeed(reply)
        } else {
            ready.append(reply)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError("the server closed the connection", transient: true))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls { return }
        if error is NIOSSLError || error is BoringSSLError {
            fail(
                SMTPError(
                    "TLS failed: \(error); check smtp_host against the server's certificate, or ca_file for a private one",
                    transient: true
                )
            )
        } else {
            fail(SMTPError("connection error: \(error)", transient: true))
        }
        context.close(promise: nil)
    }
}
