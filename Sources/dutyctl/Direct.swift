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

    /// What an operation runs on in direct mode: these files, the wall clock, the user running
    /// dutyctl, who may change the files it can write.
    var context: OperationContext {
        Self.context(workspace, store: { store })
    }

    static func context(_ workspace: Workspace, store: @escaping () throws -> DutyStore) -> OperationContext {
        OperationContext(
            workspace: workspace,
            store: store,
            planner: { try workspace.planner(try store()) },
            records: { try store().records() },
            now: .now,
            user: currentUser,
            mayChange: true
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
    /// An operation of the registry: through the running daemon, on its route (remote mode), or on
    /// the files with the same `perform` (direct mode; a change only while no daemon holds them).
    func perform<O: DutyOperation>(_ op: O.Type, _ request: O.Request) throws -> O.Answer {
        if let client = self.remote {
            return O.access == .read
                ? try client.get("/v1/" + O.route, request) : try client.post("/v1/" + O.route, request)
        }
        if O.access == .write { return try O.perform(request, try Direct.openForWriting(self).context) }
        // A question opens the state store only if it reads it (not `policy show`, `calendar day`).
        let workspace = try Workspace.load(try Direct.settings(self))
        let state = self.state
        let store = Once { try workspace.openStore(state) }
        return try O.perform(request, Direct.context(workspace, store: store.get))
    }

    /// Remote mode, the default: the running daemon over its socket (`--socket`, default
    /// /run/dutyd/api.sock). `--config` or a `--state` path means direct mode on the files.
    var remote: APIClient? {
        guard config == nil && state == nil else { return nil }
        var client = APIClient(socket: socket ?? APISettings.defaultSocket)
        // A large import's progress, on a terminal's standard error only.
        if isatty(2) == 1 { client.upload = uploadProgress }
        return client
    }

    /// For the commands that read the files by default (`config check`, `policy check`, `config
    /// template`, `calendar next`): the daemon answers the operation only when `--socket` names it;
    /// else `files` answers, as the operation would on files that may not load.
    func filesUnlessAsked<O: DutyOperation>(
        _ op: O.Type,
        _ request: O.Request,
        files: () throws -> O.Answer
    ) throws -> O.Answer {
        guard let socket, config == nil && state == nil else { return try files() }
        return try APIClient(socket: socket).get("/v1/" + O.route, request)
    }
}

/// A value made the first time it is asked for (the state store of a question that may not need it).
final class Once<Value> {
    private var value: Value?
    private let make: () throws -> Value

    init(_ make: @escaping () throws -> Value) { self.make = make }

    func get() throws -> Value {
        if let value { return value }
        let made = try make()
        value = made
        return made
    }
}

/// Draws how much of a large request (an import's file) has gone to dutyd, then that dutyd is checking
/// and storing it: `sending 38.0 of 126.0 MiB (30 %)`.
@Sendable func uploadProgress(sent: Int, total: Int, done: Bool) {
    let mib = { (n: Int) in String(format: "%.1f", Double(n) / 1_048_576) }
    let text =
        done
        ? "\rsent \(mib(total)) MiB; dutyd is checking and storing it…\n"
        : "\rsending \(mib(sent)) of \(mib(total)) MiB (\(sent * 100 / max(total, 1)) %)"
    FileHandle.standardError.write(Data(text.utf8))
}
