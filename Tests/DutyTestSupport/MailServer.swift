package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The repository, for the test tools in `Tests/tools`.
package let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The example organisation's CSV files (`config/organisation/`), with `extraUnits` generated units
/// under 番禺区委, each with a clerk.
package func exampleOrganisationCSV(extraUnits: Int = 0) throws -> (units: String, officials: String) {
    var units = try String(
        contentsOf: repositoryRoot.appendingPathComponent("config/organisation/units.csv"),
        encoding: .utf8
    )
    var officials = try String(
        contentsOf: repositoryRoot.appendingPathComponent("config/organisation/officials.csv"),
        encoding: .utf8
    )
    for n in 0..<extraUnits {
        units += "gd.gz.panyu.u\(n),番禺区第\(n)基层党组织,unit,gd.gz.panyu,\n"
        officials += "clerk.u\(n),联络员\(n),clerk\(n)@example.org,gd.gz.panyu.u\(n),clerk\n"
    }
    return (units, officials)
}

/// A real SMTP server for a test: Debian's python3-aiosmtpd (`Tests/tools/smtp-server.py`), with
/// STARTTLS on a certificate made for the test and AUTH, on a free port of 127.0.0.1. `make test`
/// installs the package.
package final class MailServer: @unchecked Sendable {
    package let folder: URL
    package let port: Int
    /// The server's certificate, for `ca_file`.
    package let certificate: String
    package let user = "dutyd"
    package let password = "s3cret-密码"
    /// A file holding the password, for `password_file`.
    package let passwordFile: String
    private let process: Process

    /// With `headersOnly`, each message's `parsed` is read from its headers alone (Message-ID, Date,
    /// the To addresses; subject, names and body are nil): for tests that count thousands of
    /// messages, where Python's full parse was two thirds of the server's processor time.
    package init(
        tls: Bool = true,
        auth: Bool = true,
        loginOnly: Bool = false,
        implicitTLS: Bool = false,
        headersOnly: Bool = false
    ) throws {
        folder = scratchDirectory.appendingPathComponent("dutyd-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        passwordFile = folder.appendingPathComponent("password").path
        try Self.writePasswordFile(password, to: passwordFile)
        let openssl = try runTool(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                "-out", certificate, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            ]
        )
        guard openssl.status == 0 else { throw ToolError("openssl: \(openssl.err)") }
        var args = [
            repositoryRoot.appendingPathComponent("Tests/tools/smtp-server.py").path,
            folder.appendingPathComponent("out").path,
        ]
        if tls { args += ["--cert", certificate, "--key", key] }
        if auth { args += ["--user", user, "--password", password] }
        if loginOnly { args.append("--login-only") }
        if implicitTLS { args.append("--implicit") }
        if headersOnly { args.append("--headers-only") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // The first line is `READY PORT`.
        var line: [UInt8] = []
        while true {
            let b = out.fileHandleForReading.readData(ofLength: 1)
            guard let c = b.first else {
                throw ToolError("the SMTP server did not start; is python3-aiosmtpd installed? (make test installs it)")
            }
            if c == 0x0A { break }
            line.append(c)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let p = Int(text.dropFirst(6)) else {
            throw ToolError("SMTP server said: \(text)")
        }
        port = p
    }

    /// The `[email]` table of a dutyd.toml that sends to this server (STARTTLS, AUTH, its certificate).
    package func emailSettings(timeout: String = "30s") -> String {
        """
        [email]
        transport = "smtp"
        from = "督办提醒 <dutyd@example.org>"
        smtp_host = "localhost"
        smtp_port = \(port)
        tls = "starttls"
        username = "\(user)"
        password_file = "\(passwordFile)"
        ca_file = "\(certificate)"
        timeout = "\(timeout)"

        """
    }

    /// Turns a behaviour of the server on or off: `tempfail` (every RCPT gets 451), `hang` (no answer
    /// after MAIL FROM).
    package func set(_ behaviour: String, _ on: Bool) {
        let path = folder.appendingPathComponent("out/\(behaviour)").path
        if on {
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Makes the server a tarpit: every answer to MAIL, RCPT and DATA `seconds` late (`nil`: at once).
    package func tarpit(seconds: Double?) throws {
        let path = folder.appendingPathComponent("out/slow")
        if let seconds {
            try "\(seconds)".write(to: path, atomically: true, encoding: .utf8)
        } else {
            try? FileManager.default.removeItem(at: path)
        }
    }

    /// How many messages arrived, without reading them (a failover batch is 1,600 files).
    package func messageCount() throws -> Int { try storedFiles().count }

    /// Every message accepted so far, in the order received; with `after`, those after the first
    /// `after` (a test that reads what each run added decodes each message once, not all of them
    /// again every run).
    package func messages(after: Int = 0) throws -> [ReceivedMail] {
        let decoder = JSONDecoder()
        return try storedFiles().dropFirst(max(0, after)).map {
            try decoder.decode(ReceivedMail.self, from: Data(contentsOf: URL(fileURLWithPath: $0)))
        }
    }

    /// The messages' files in the order received: the server numbers them (`000001.json`, ...; past
    /// 999,999 the number has more digits, so they are ordered by number, not by name) and renames each
    /// into place only once it is written.
    private func storedFiles() throws -> [String] {
        let out = folder.appendingPathComponent("out").path
        return try FileManager.default.contentsOfDirectory(atPath: out).compactMap { name in
            name.hasSuffix(".json") ? Int(name.dropLast(5)).map { (number: $0, name: name) } : nil
        }.sorted { $0.number < $1.number }.map { out + "/" + $0.name }
    }

    /// Writes `text` as the password file, mode 0600 (dutyd refuses one that others may read).
    package func writePasswordFile(_ text: String) throws { try Self.writePasswordFile(text, to: passwordFile) }

    static func writePasswordFile(_ text: String, to file: String) throws {
        try (text + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
    }

    package func stop() {
        if process.isRunning {
            process.terminate()
            // SIGKILL after a second (waitForExit's bound); a server that still does not end is not
            // worth failing a test's cleanup.
            try? process.waitForExit(seconds: 1)
        }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }
}

/// A message as the server received it, and what Python's email package makes of it.
package struct ReceivedMail: Decodable, Sendable {
    package var mail_from: String
    package var rcpt_tos: [String]
    package var data: String
    package var parsed: ParsedMail
}

/// `Tests/tools/parse-mail.py`'s reading of a message.
package struct ParsedMail: Decodable, Sendable {
    package var headers: [[String]]
    package var subject: String?
    package var from: String?
    package var to: String?
    package var to_addresses: [String]
    package var to_names: [String]
    package var from_name: String?
    package var message_id: String?
    package var date: String?
    package var auto_submitted: String?
    package var body: String?
    /// Attached files: name, MIME type, charset, and the text of their bytes (a BOM kept).
    package var attachments: [Attachment] = []
    package var defects: [String]
    package var max_line: Int

    package struct Attachment: Decodable, Sendable {
        package var filename: String?
        package var content_type: String
        package var charset: String?
        package var text: String
    }

    /// The raw headers named `name` (any case).
    package func header(_ name: String) -> [String] {
        headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
    }

    /// Parses `bytes` with Python's email package.
    package static func parse(_ bytes: [UInt8]) throws -> ParsedMail {
        let r = try runTool(
            "/usr/bin/python3",
            [repositoryRoot.appendingPathComponent("Tests/tools/parse-mail.py").path],
            input: bytes
        )
        guard r.status == 0 else { throw ToolError("parse-mail.py: \(r.err)") }
        return try JSONDecoder().decode(ParsedMail.self, from: Data(r.out.utf8))
    }
}

package struct ToolError: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}

/// Runs a program to the end with `input` on stdin (through files, so no pipe can fill up).
package func runTool(
    _ path: String,
    _ args: [String],
    input: [UInt8] = [],
    environment: [String: String]? = nil
) throws -> (
    status: Int32, out: String, err: String
) {
    let scratch = scratchDirectory.appendingPathComponent("dutyd-tool-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inPath = scratch.appendingPathComponent("in")
    let errPath = scratch.appendingPathComponent("err")
    try Data(input).write(to: inPath)
    _ = FileManager.default.createFile(atPath: errPath.path, contents: Data())
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let environment { p.environment = environment }
    let o = Pipe()
    p.standardInput = try FileHandle(forReadingFrom: inPath)
    p.standardOutput = o
    p.standardError = try FileHandle(forWritingTo: errPath)
    try p.run()
    let out = o.fileHandleForReading.readDataToEndOfFile()
    try p.waitForExit()
    let err = (try? Data(contentsOf: errPath)) ?? Data()
    return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}
