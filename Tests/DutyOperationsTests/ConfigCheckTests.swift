import DutyFiles
import DutyOperations
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// `dutyctl config check` on settings that turn every listener on: it names where dutyd answers, and
/// warns of a web key dutyd could not use (dutyd would stop at start with it).
@Suite("config check", .ownThreads)
struct ConfigCheckTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Settings in a folder of their own with the example's policy and holidays and `extra` added.
    static func settings(_ extra: String, key: [UInt8]) throws -> Settings {
        let folder = scratchDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let keyFile = folder.appendingPathComponent("web.key").path
        #expect(
            FileManager.default.createFile(atPath: keyFile, contents: Data(key), attributes: [.posixPermissions: 0o600])
        )
        let path = folder.appendingPathComponent("dutyd.toml").path
        try """
        state = "dutyd.sqlite"
        policy = ["\(repo.appendingPathComponent("config/policy").path)"]
        holidays = ["\(repo.appendingPathComponent("config/holidays/cn").path)"]

        [api]
        socket = "api.sock"
        group = "staff"
        admin_groups = ["office", "wheel"]
        question_timeout = "20s"

        [web]
        listen = "127.0.0.1:8443"
        base_url = "https://duty.example.org"
        secret_file = "\(keyFile)"
        link_lifetime = "14d"

        \(extra)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return try Settings.load(path: path)
    }

    @Test("every listener is named with who may use it; a key too short is a warning, not a pass in silence")
    func listeners() throws {
        let good = try Self.settings("[metrics]\nlisten = \"9464\"", key: Array(repeating: 7, count: 32)).check()
        let lines = good.ok.joined(separator: "\n")
        #expect(lines.contains("api: socket ") && lines.contains("questions for group staff"), "\(lines)")
        #expect(lines.contains("changes for root and office, wheel") && lines.contains("take 20 s"), "\(lines)")
        #expect(lines.contains("web: pages on 127.0.0.1:8443 as https://duty.example.org"), "\(lines)")
        #expect(lines.contains("personal links last 14 day(s)"), "\(lines)")
        #expect(lines.contains("metrics: Prometheus text on 127.0.0.1:9464/metrics"), "\(lines)")
        #expect(!good.warnings.contains { $0.contains("secret_file") }, "\(good.warnings)")

        let short = try Self.settings("", key: Array(repeating: 7, count: 16)).check()
        #expect(short.ok.contains { $0.hasPrefix("metrics: /metrics on the API socket") }, "\(short.ok)")
        #expect(
            short.warnings.contains {
                $0.contains("16 bytes is too short a key") && $0.contains("dutyd stops at start")
            },
            "\(short.warnings)"
        )
    }
}
