import DutyFiles
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// dutyd's TOML parser against Python's tomllib (the reference parser of the standard library) on
/// 3,000 generated documents, half of them damaged (`Tests/tools/toml-oracle.py`, seeded): the same
/// documents are accepted and refused, and the accepted ones hold the same keys, types and values.
/// Integers beyond 64 bits are refused by dutyd by design, and the generator marks them so.
@Suite("TOML parser agrees with Python's tomllib on generated documents", .ownThreads)
struct TOMLOracleTests {
    struct Case: Decodable {
        var toml: String
        var valid: Bool
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The generated cases, each with tomllib's value as a JSON object (or nil when refused).
    static func cases() throws -> [(Case, Any?)] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [
            repo.appendingPathComponent("Tests/tools/toml-oracle.py").path, "--count", "3000", "--seed", "2026",
        ]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        try p.waitForExit()
        try #require(p.terminationStatus == 0, "toml-oracle.py failed (python3 3.11 or later has tomllib)")
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            let c = try JSONDecoder().decode(Case.self, from: Data(line))
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            return (c, object?["value"])
        }
    }

    /// A parsed value in the generator's tagged form.
    static func canonical(_ node: TOMLNode) -> Any {
        switch node.value {
        case .string(let s): return ["s", s]
        case .integer(let i): return ["i", i]
        case .float(let x):
            if x.isNaN { return ["f", "nan"] }
            if x.isInfinite { return ["f", x > 0 ? "inf" : "-inf"] }
            return ["f", x]
        case .boolean(let b): return ["b", b]
        case .dateTime: return ["d", NSNull()]
        case .array(let a): return a.map(canonical)
        case .table(let t): return canonical(t)
        }
    }

    static func canonical(_ t: TOMLTable) -> [String: Any] {
        var out: [String: Any] = [:]
        for k in t.keys { out[k] = canonical(t[k]!) }
        return out
    }

    /// Where two canonical values differ (a key path and both values), or nil when they agree.
    static func difference(_ ours: Any, _ theirs: Any, at path: String) -> String? {
        if let a = ours as? [String: Any], let b = theirs as? [String: Any] {
            guard Set(a.keys) == Set(b.keys) else {
                return "\(path): keys \(a.keys.sorted()) against \(b.keys.sorted())"
            }
            for k in a.keys.sorted() {
                if let d = difference(a[k]!, b[k]!, at: path + "." + k) { return d }
            }
            return nil
        }
        guard let a = ours as? [Any], let b = theirs as? [Any] else { return "\(path): \(ours) against \(theirs)" }
        // A tagged leaf: ["s", text], ["i", n], ["f", x], ["b", bool], ["d", null].
        if a.count == 2, let tag = a[0] as? String, ["s", "i", "f", "b", "d"].contains(tag) {
            guard b.count == 2, b[0] as? String == tag else { return "\(path): \(a) against \(b)" }
            let same: Bool
            switch tag {
            case "s": same = (a[1] as? String) == (b[1] as? String)
            case "i": same = (a[1] as? Int) == (b[1] as? NSNumber)?.intValue
            case "b": same = (a[1] as? Bool) == (b[1] as? NSNumber)?.boolValue
            case "f":
                // tomllib's value as Python's repr (the shortest text that reads back the same).
                if let x = a[1] as? Double, let y = (b[1] as? String).flatMap(Double.init) {
                    same = x == y
                } else {
                    same = (a[1] as? String) == (b[1] as? String)
                }
            default: same = true
            }
            return same ? nil : "\(path): \(a) against \(b)"
        }
        guard a.count == b.count else { return "\(path): \(a.count) items against \(b.count)" }
        for (i, (x, y)) in zip(a, b).enumerated() {
            if let d = difference(x, y, at: "\(path)[\(i)]") { return d }
        }
        return nil
    }

    @Test("accepts and refuses what tomllib does, and reads the same values")
    func agreesWithTomllib() throws {
        let cases = try Self.cases()
        #expect(cases.count == 3000)
        #expect(cases.filter { $0.0.valid }.count > 1000, "the generator made too few valid documents")
        var disagreements: [String] = []
        for (c, expected) in cases {
            do {
                let table = try TOMLParser.parse(c.toml)
                if !c.valid {
                    disagreements.append("accepted what tomllib refuses:\n\(c.toml)")
                    continue
                }
                if let difference = Self.difference(Self.canonical(table), expected ?? NSNull(), at: "") {
                    disagreements.append("read differently at \(difference):\n\(c.toml)")
                }
            } catch {
                if c.valid { disagreements.append("refused what tomllib accepts (\(error)):\n\(c.toml)") }
            }
        }
        #expect(
            disagreements.isEmpty,
            "\(disagreements.count) of 3000 disagree; the first:\n\(disagreements.prefix(3).joined(separator: "\n---\n"))"
        )
    }
}
