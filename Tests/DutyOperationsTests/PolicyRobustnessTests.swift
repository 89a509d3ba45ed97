import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyTestScoping
import Foundation
import Testing

/// Bad input never crashes: the shipped policy with one random change is either still good or
/// refused with problems that each name the file and a line.
@Suite("Policy robustness", .ownThreads)
struct PolicyRobustnessTests {
    static let shipped = try! String(
        contentsOf: ExampleConfigurationTests.repo.appendingPathComponent("config/policy/ideology-responsibility.toml"),
        encoding: .utf8
    )
    static let zone = Zone.named("Asia/Shanghai")!

    /// A seeded generator, so a failure can be replayed.
    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    /// `text` with one random run of up to `longest - 1` characters replaced by one of `replacements`.
    static func mutated(_ text: [Character], _ rng: inout Rng, longest: Int) -> String {
        var t = text
        let at = rng.next(t.count)
        let end = min(t.count, at + rng.next(longest))
        t.replaceSubrange(at..<end, with: Array(replacements[rng.next(replacements.count)]))
        return String(t)
    }

    static let replacements = [
        "", "=", "\"", "[", "]", "{", "}", ",", "#", "x", "13", "-1", "\n", "'", "~", "*", "..", "/", "wd", "中",
        "true", "[[", "]]", "\"\"\"",
    ]

    @Test("1,000 random one-point changes: no crash, and every problem has a file and a line")
    func mutations() throws {
        var rng = Rng(state: 2026)
        let chars = Array(Self.shipped)
        var refused = 0
        for _ in 0..<1000 {
            let text = Self.mutated(chars, &rng, longest: 6)
            do {
                _ = try PolicyFiles.parse([(file: "p.toml", text: text)], zone: Self.zone)
            } catch {
                refused += 1
                for p in error.problems {
                    #expect(p.file == "p.toml", "\(p)")
                    #expect(p.line != nil, "no line for: \(p) in\n\(text)")
                }
            }
        }
        // Most random changes break something; the test would prove little if none did.
        #expect(refused > 300)
    }

    @Test("every obligation of the shipped policy is located at its header, every title on its line")
    func everyKeyLocated() throws {
        let document = try TOMLParser.parse(Self.shipped)
        let lines = Self.shipped.split(separator: "\n", omittingEmptySubsequences: false)
        let policy = try PolicyFiles.parse([(file: "p.toml", text: Self.shipped)], zone: Self.zone)
        for o in policy.obligations {
            let header = try #require(document.locate("obligation.\(o.id)"), "obligation.\(o.id)")
            #expect(lines[header.line - 1].contains("obligation.\(o.id)"))
            let title = try #require(document.locate("obligation.\(o.id).title"))
            #expect(lines[title.line - 1].hasPrefix("title = "))
        }
        let unit = try #require(document.locate("defaults.ladder.2.also.0.unit"))
        #expect(lines[unit.line - 1].hasPrefix("also = [{ unit = \"parent-region\""))
    }
}

/// The organisation CSV and the settings file get the same treatment.
@Suite("CSV and settings robustness", .ownThreads)
struct InputRobustnessTests {
    static let units = try! Data(
        contentsOf: ExampleConfigurationTests.repo.appendingPathComponent("config/organisation/units.csv")
    )
    static let settings = try! String(
        contentsOf: ExampleConfigurationTests.repo.appendingPathComponent("config/dutyd.toml"),
        encoding: .utf8
    )
    static let policy = Policy(kinds: [
        "committee": .init(name: "党委", region: true), "propaganda": .init(name: "宣传部"),
        "organization": .init(name: "组织部"), "discipline": .init(name: "纪委"), "party-group": .init(name: "党组"),
        "unit": .init(name: "单位"),
    ])

    @Test("1,000 random byte changes to the example units.csv: an import or an error with its line")
    func csvMutations() {
        var rng = PolicyRobustnessTests.Rng(state: 7)
        let original = Array(Self.units)
        let pieces: [[UInt8]] = [
            [], [0x2C], [0x22], [0x0A], [0x0D], [0xFF], [0xE4, 0xB8], Array("中".utf8), [0x20], Array("gd".utf8),
        ]
        for _ in 0..<1000 {
            var bytes = original
            let at = rng.next(bytes.count)
            bytes.replaceSubrange(at..<min(bytes.count, at + rng.next(4)), with: pieces[rng.next(pieces.count)])
            do {
                let rows = try OrganisationCSV.units(
                    bytes,
                    file: "u.csv",
                    policy: Self.policy,
                    addedOn: CivilDate(iso: "2026-11-29")!
                )
                #expect(rows.allSatisfy { $0.line >= 2 })
            } catch {
                #expect(error.line >= 1 && error.line <= 40, "\(error)")
            }
        }
    }

    @Test("1,000 random changes to the example settings: settings or an error with its line")
    func settingsMutations() {
        var rng = PolicyRobustnessTests.Rng(state: 11)
        let chars = Array(Self.settings)
        for _ in 0..<1000 {
            do {
                _ = try Settings.parse(PolicyRobustnessTests.mutated(chars, &rng, longest: 5), path: "s.toml")
            } catch {
                #expect(error.line != nil, "\(error)")
            }
        }
    }

    @Test("1,000 random changes to settings with [email] and [[hook]]: settings or an error with its line")
    func deliverySettingsMutations() {
        let base = Array(
            """
            timezone = "Asia/Shanghai"
            [email]
            transport = "smtp"
            from = "督办提醒 <dutyd@example.org>"
            smtp_host = "mail.example.org"
            smtp_port = 587
            tls = "starttls"
            username = "dutyd"
            password_file = "/etc/dutyd/smtp-password"
            timeout = "60s"
            language = "zh-CN"

            [[hook]]
            name = "sms"
            command = ["/usr/local/bin/sms-send", "--quiet"]
            events = ["overdue", "escalation"]
            timeout = "10s"
            concurrency = 2
            """
        )
        var rng = PolicyRobustnessTests.Rng(state: 19)
        var parsed = 0
        for _ in 0..<1000 {
            do {
                _ = try Settings.parse(PolicyRobustnessTests.mutated(base, &rng, longest: 5), path: "s.toml")
                parsed += 1
            } catch {
                #expect(error.line != nil && error.column != nil, "\(error)")
            }
        }
        #expect(parsed > 0 && parsed < 1000)
    }

    @Test("random bytes never stop the TOML parser")
    func randomBytes() {
        var rng = PolicyRobustnessTests.Rng(state: 3)
        let alphabet = Array("ab=\"'[]{},.#\n\r\t 0123456789-:+eTZ_x\\u中".utf8)
        for _ in 0..<3000 {
            let bytes = (0..<rng.next(60)).map { _ in alphabet[rng.next(alphabet.count)] }
            if let text = String(validating: bytes, as: UTF8.self) {
                _ = try? TOMLParser.parse(text)
            }
        }
    }
}
