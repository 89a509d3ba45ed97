import DutyAPI
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyTestScoping
import Foundation
import Testing

/// The registry of operations is the one list the front ends are built from: every operation has a
/// route the API serves, an entry in openapi.yaml with its method, and a dutyctl command; the API
/// has no route the list and the few written-out ones do not name.
@Suite("the operation registry", .ownThreads)
struct OperationRegistryTests {
    /// Every `/v1/…` path of openapi.yaml with its methods.
    static func openAPI() throws -> [String: Set<String>] {
        let text = try String(
            contentsOf: Daemon.repo.appendingPathComponent("Sources/DutyAPI/openapi.yaml"),
            encoding: .utf8
        )
        var paths: [String: Set<String>] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /v1/"), line.hasSuffix(":") {
                current = String(line.dropFirst(6).dropLast())
                paths[current!] = []
            } else if let c = current, line == "    get:" || line == "    post:" {
                paths[c]!.insert(String(line.dropFirst(4).dropLast()))
            } else if !line.hasPrefix(" "), !line.isEmpty {
                current = nil
            }
        }
        return paths
    }

    static func method(_ access: Access) -> String { access == .read ? "get" : "post" }

    @Test("every operation and written-out route has its OpenAPI entry, and the file names no other")
    func openAPIMatches() throws {
        let documented = try Self.openAPI()
        var served: [String: Set<String>] = [:]
        for op in Operations.all {
            let (inserted, _) = served[op.route, default: []].insert(Self.method(op.access))
            #expect(inserted, "two operations on \(Self.method(op.access)) /v1/\(op.route)")
        }
        for s in Operations.special { served[s.route, default: []].insert(Self.method(s.access)) }
        for (route, methods) in served {
            #expect(
                documented[route] == methods,
                "/v1/\(route): served \(methods.sorted()), openapi.yaml has \(documented[route]?.sorted() ?? [])"
            )
        }
        for route in documented.keys where served[route] == nil {
            Issue.record("openapi.yaml documents /v1/\(route), which no operation serves")
        }
    }

    @Test("every operation and written-out route has its dutyctl command")
    func commandsExist() throws {
        let commands = Operations.all.map { op in op.command } + Operations.special.map { route in route.command }
        for command in commands where !command.isEmpty {
            let r = try Daemon.run("dutyctl", command + ["--help"])
            #expect(r.status == 0, "dutyctl \(command.joined(separator: " ")): \(r.err)")
        }
    }

    @Test("every operation is tried in both modes, its answers compared (BothModesTests)")
    func triedInBothModes() {
        let tried = BothModesTests.questions + BothModesTests.changes
        for op in Operations.all {
            let (command, list) = (op.command, op.access == .read ? "questions" : "changes")
            #expect(
                tried.contains { Array($0.prefix(command.count)) == command },
                "dutyctl \(command.joined(separator: " ")) (/v1/\(op.route)) is in neither mode's list: add it to BothModesTests.\(list)"
            )
        }
    }

    @Test("the API serves every route of the list, to the right method")
    func apiServesEveryRoute() async throws {
        let d = try Daemon()
        let daemon = try await InProcessDaemon.start(d)
        for op in Operations.all {
            // An empty request: answered, or refused for what it lacks, never "no such route".
            let r = await daemon.api.send(
                op.access == .read ? "GET" : "POST",
                "/v1/\(op.route)",
                body: op.access == .write ? Data("{}".utf8) : nil
            )
            #expect(r.status != 404 && r.status != 405, "\(Self.method(op.access)) /v1/\(op.route): \(r.status)")
        }
        try await daemon.stop()
    }
}
