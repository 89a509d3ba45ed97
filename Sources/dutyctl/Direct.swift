import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// Direct mode: the files and the state store, without a daemon (docs/design.md, dutyctl).
struct Direct {
    let workspace: Workspace
    let store: DutyStore

    var policy: Policy { workspace.policy }
    var zone: Zone { workspace.settings.timezone }

    /// The settings a direct-mode command works on: `--config`, else /etc/dutyd/dutyd.toml.
    static func settings(_ global: GlobalOptions) throws -> Settings {
        let settings = try global.settings()
        guard settings.file != nil else {
            throw Failure(
                ExitStatus.config,
                "no settings file: pass --config PATH (in a checkout: --config config/dutyd.toml), or install /etc/dutyd/dutyd.toml"
            )
        }
        return settings
    }

    static func open(_ global: GlobalOptions) throws -> Direct {
        let workspace = try Workspace.load(try settings(global))
        return Direct(workspace: workspace, store: try workspace.openStore(global.state))
    }

    /// Direct mode for a change: refused while a dutyd runs on the same state store (the daemon owns
    /// it; a change behind its back would not reach its schedule until its next wake).
    static func openForWriting(_ global: GlobalOptions) throws -> Direct {
        let direct = try open(global)
        if let path = direct.store.path, let pid = StateLock.holder(of: path) {
            throw Failure(
                ExitStatus.runtime,
                "dutyd (pid \(pid)) is running on \(path); make the change through it: leave out --config\(global.state != nil ? " and --state" : "") (and pass --socket PATH if its socket is not /run/dutyd/api.sock)"
            )
        }
        return direct
    }

    func planner() throws -> Planner { try workspace.planner(store) }

    /// What an operation runs on in direct mode: these files, the wall clock, the user running dutyctl.
    var context: OperationContext {
        OperationContext(
            workspace: workspace,
            store: store,
            planner: { try workspace.planner(store) },
            records: { try store.records() },
            now: .now,
            user: currentUser
        )
    }

}

/// The Unix user running the command, for the record (`sudo` users by their own name).
var currentUser: String {
    let env = ProcessInfo.processInfo.environment
    if let s = env["SUDO_USER"], !s.isEmpty { return s }
    if let p = getpwuid(getuid()), let name = p.pointee.pw_name { return String(cString: name) }
    return env["USER"] ?? "uid \(getuid())"
}

/// An answer's warnings on standard error, as dutyctl's own.
func warn(_ warnings: [String]) {
    for w in warnings { FileHandle.standardError.write(Data("dutyctl: \(w)\n".utf8)) }
}

extension GlobalOptions {
    /// A question's answer: from the running daemon (remote mode) or from the files (direct mode).
    func answer<A>(remote: (APIClient) throws -> A, direct: (Direct) throws -> A) throws -> A {
        if let client = self.remote { return try remote(client) }
        return try direct(try Direct.open(self))
    }

    /// An operation of the registry: through the running daemon, on its route (remote mode), or on
    /// the files with the same `perform` (direct mode; a change only while no daemon holds them).
    func perform<O: DutyOperation>(_ op: O.Type, _ request: O.Request) throws -> O.Answer {
        if let client = self.remote {
            return O.access == .read
                ? try client.get("/v1/" + O.route, request) : try client.post("/v1/" + O.route, request)
        }
        let direct = O.access == .read ? try Direct.open(self) : try Direct.openForWriting(self)
        return try O.perform(request, direct.context)
    }

    /// Remote mode, the default: the running daemon over its socket (`--socket`, default
    /// /run/dutyd/api.sock). `--config` or a `--state` path means direct mode on the files.
    var remote: APIClient? {
        guard config == nil && state == nil else { return nil }
        return APIClient(socket: socket ?? APISettings.defaultSocket)
    }

    /// For the commands that read the files by default (`config check`, `policy check`, `config
    /// template`, `calendar next`): the daemon answers `GET path` only when `--socket` names it.
    func filesUnlessAsked<A: Decodable>(
        _ path: String,
        _ request: some Encodable,
        files: () throws -> A
    ) throws -> A {
        guard let socket, config == nil && state == nil else { return try files() }
        return try APIClient(socket: socket).get(path, request)
    }
}
