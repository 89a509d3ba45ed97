import DutyCalendar
import DutyCore
import DutyNotify
import Foundation

/// `delivery.smtp.*`: 10,000 notifications to 2,000 recipients (5 each), as the dispatcher hands a
/// send window to the email channel: grouped into 2,000 digests, rendered from the shipped zh-CN
/// templates, encoded, and sent over one STARTTLS + AUTH session to a real local SMTP server
/// (python3-aiosmtpd, `Tests/tools/smtp-server.py --discard`). Peak memory is this process's.
func deliveryBench(work: String, notifications: Int = 10_000, recipients: Int = 2_000) async throws {
    let folder = URL(fileURLWithPath: work).appendingPathComponent("smtp")
    try? FileManager.default.removeItem(at: folder)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let cert = folder.appendingPathComponent("cert.pem").path
    let key = folder.appendingPathComponent("key.pem").path
    let password = folder.appendingPathComponent("password").path
    try "bench\n".write(toFile: password, atomically: true, encoding: .utf8)
    // dutyd refuses a password file that others may read.
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: password)
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    openssl.arguments = [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
        cert, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
    ]
    openssl.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try openssl.run()
    openssl.waitUntilExit()

    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    server.arguments = [
        "Tests/tools/smtp-server.py", folder.appendingPathComponent("out").path, "--cert", cert, "--key", key, "--user",
        "dutyd", "--password", "bench", "--discard",
    ]
    let out = Pipe()
    server.standardOutput = out
    try server.run()
    defer {
        server.terminate()
        server.waitUntilExit()
    }
    let first = String(decoding: out.fileHandleForReading.availableDataLine(), as: UTF8.self)
    guard first.hasPrefix("READY "), let port = Int(first.dropFirst(6)) else {
        throw BenchError("the SMTP server did not start (python3-aiosmtpd installed? `make deps`): \(first)")
    }

    let zone = Zone.named("Asia/Shanghai")!
    var c = SMTPConfiguration(
        host: "localhost",
        port: port,
        security: .starttls,
        username: "dutyd",
        passwordFile: password,
        caFile: cert,
        helo: "bench.dutyd"
    )
    c.sessionTimeout = 3600
    let channel = EmailChannel(
        from: try MailAddress(parsing: "督办提醒 <dutyd@example.org>"),
        transport: SMTPTransport(configuration: c),
        templates: try MailTemplates.load(folder: nil, language: "zh-CN"),
        zone: zone,
        now: { Instant(iso: "2026-12-21T09:00:05+08:00")! }
    )
    let people = (0..<recipients).map {
        Notice.Person(id: "o\($0)", name: "官员\($0)", email: "o\($0)@example.org", role: "clerk", unit: "u\($0)")
    }
    let now = Instant(iso: "2026-12-21T09:00:00+08:00")!
    let deadline = CivilDate(year: 2026, month: 12, day: 31)!
    var batch: [(notification: Notice, recipient: Notice.Person?)] = []
    batch.reserveCapacity(notifications)
    for k in 0..<notifications {
        let person = people[k % recipients]
        var n = Notice(
            occurrence: "unit-situation-report/u\(k)/2026-H2",
            obligation: "unit-situation-report",
            title: "向当地党委宣传部报送本单位意识形态工作情况",
            article: "第七条",
            unit: "u\(k)",
            unitName: "第\(k)基层党组织",
            official: nil,
            officialName: nil,
            period: "2026-H2",
            step: "reminder-7d",
            event: .reminder,
            scheduledAt: now,
            deadlineDate: deadline,
            deadline: zone.instant(on: deadline, second: 86_399),
            daysLeft: 10 - k % 20,
            provisional: false,
            recipients: [person]
        )
        n.asOf = now
        n.colour = k % 3 == 0 ? .red : k % 3 == 1 ? .yellow : .blue
        batch.append((n, person))
    }
    let clock = ContinuousClock()
    let started = clock.now
    let results = await channel.deliver(batch)
    let elapsed = clock.now - started
    let sent = results.filter { $0 == .sent }.count
    guard sent == notifications else {
        let failure = results.first { $0 != .sent }.map { "\($0)" } ?? ""
        throw BenchError("only \(sent) of \(notifications) delivered: \(failure)")
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    report("delivery.smtp.messages_per_second", Double(recipients) / seconds, "messages/s")
    report("delivery.smtp.notifications_per_second", Double(notifications) / seconds, "notifications/s")
    report("delivery.smtp.peak_mib", memoryMiB("VmHWM:"), "MiB")
}

extension FileHandle {
    /// One line, read a byte at a time (the server prints one line and keeps the pipe open).
    func availableDataLine() -> Data {
        var line = Data()
        while true {
            let b = readData(ofLength: 1)
            guard let c = b.first, c != 0x0A else { return line }
            line.append(c)
        }
    }
}
