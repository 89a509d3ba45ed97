package import DutyCalendar
package import DutyCore
import Foundation

/// Every problem found in the policy files, each with file, line and column: exit status 78.
package struct PolicyError: Error, Sendable, CustomStringConvertible {
    package var problems: [PolicyProblem]

    package var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Reads the policy: files, or folders of `*.toml` read in name order (docs/design.md, Files).
///
/// A file declares any of `[kinds]`, `[roles]`, `[liability]`, `[defaults]` and `[obligation.ID]`
/// tables; `config/policy/` documents each key. `[defaults]` apply to the obligations of the same file.
/// Nothing here ever writes a policy file.
package enum PolicyFiles {
    /// The files a list of policy paths names, in the order they are read.
    package static func files(in paths: [String]) throws(PolicyError) -> [String] {
        var out: [String] = []
        for p in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDirectory) else {
                throw PolicyError(problems: [
                    PolicyProblem(
                        "no policy file or folder here; check the policy setting (the regulation's policy ships in config/policy/)",
                        file: p
                    )
                ])
            }
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? [])
                    .filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }.sorted()
                out += names.map { (p as NSString).appendingPathComponent($0) }
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// Reads and checks the whole policy.
    package static func load(paths: [String], zone: Zone) throws(PolicyError) -> Policy {
        let files = try files(in: paths)
        if files.isEmpty {
            throw PolicyError(problems: [
                PolicyProblem(
                    "no *.toml policy file in \(paths.joined(separator: ", ")); copy config/policy/ there or change the policy setting"
                )
            ])
        }
        var sources: [(String, [UInt8])] = []
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else {
                throw PolicyError(problems: [
                    PolicyProblem("cannot read this policy file; check its permissions", file: f)
                ])
            }
            sources.append((f, Array(data)))
        }
        return try parse(bytes: sources, zone: zone)
    }

    /// Reads policy texts `(file name, text)` in order and checks the whole.
    package static func parse(_ sources: [(file: String, text: String)], zone: Zone) throws(PolicyError) -> Policy {
        try parse(bytes: sources.map { ($0.file, Array($0.text.utf8)) }, zone: zone)
    }

    /// Reads policy files' bytes `(file name, bytes)` in order and checks the whole.
    package static func parse(bytes sources: [(file: String, bytes: [UInt8])], zone: Zone) throws(PolicyError) -> Policy
    {
        var policy = Policy()
        var problems: [PolicyProblem] = []
        var documents: [String: TOMLTable] = [:]
        var fileOf: [String: String] = [:]  // "kinds.X", "roles.X", "obligation.X" → file
        for (file, bytes) in sources {
            let table: TOMLTable
            do {
                table = try TOMLParser.parse(bytes: bytes)
            } catch {
                problems.append(PolicyProblem(error.message, file: file, line: error.line, column: error.column))
                continue
            }
            documents[file] = table
            var fileProblems: [PolicyProblem] = []
            PolicyFileReader(zone: zone, file: file).read(
                TOMLReader(table, path: ""),
                into: &policy,
                fileOf: &fileOf,
                problems: &fileProblems
            )
            problems += fileProblems.map { place($0, file: file, document: table) }
        }
        if problems.isEmpty {
            for p in policy.problems() {
                let owner = p.key.flatMap { key -> String? in
                    let parts = key.split(separator: ".")
                    guard parts.count >= 1 else { return nil }
                    return fileOf[parts.prefix(2).joined(separator: ".")] ?? fileOf[String(parts[0])]
                }
                let file = p.file ?? owner
                problems.append(file.map { place(p, file: $0, document: documents[$0]) } ?? p)
            }
        }
        if !problems.isEmpty { throw PolicyError(problems: problems) }
        return policy
    }

    private static func place(_ p: PolicyProblem, file: String, document: TOMLTable?) -> PolicyProblem {
        var p = p
        if p.file == nil { p.file = file }
        if p.line == nil, let key = p.key, let hit = document?.locate(key) {
            p.line = hit.line
            p.column = hit.column
        }
        return p
    }
}
