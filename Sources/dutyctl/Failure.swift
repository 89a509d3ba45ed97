import ArgumentParser
import DutyCalendar
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// Runs a command body, turning failures into their message on standard error and their exit status.
func running(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        throw reported(error)
    }
}

/// Like `running`, for async command bodies.
func runningAsync(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        throw reported(error)
    }
}

/// Writes our failures' message to standard error and gives their exit status; other errors
/// (argument-parser's) pass through.
private func reported(_ error: any Error) -> any Error {
    guard let f = Failure(translating: error) else { return error }
    FileHandle.standardError.write(
        Data(("dutyctl: " + f.message.replacingOccurrences(of: "\n", with: "\n  ") + "\n").utf8)
    )
    return ExitCode(f.status.rawValue)
}

/// Writes a JSON value on one line, keys sorted, UTF-8 unescaped.
func printJSON(_ value: some Encodable) {
    let data = (try? JSONOutput.encode(value)) ?? Data("{}".utf8)
    print(String(decoding: data, as: UTF8.self))
}

extension GlobalOptions {
    /// The settings: from `--config` (which must exist), else from /etc/dutyd/dutyd.toml when it
    /// exists, else the built-in defaults.
    func settings() throws -> Settings {
        if let config { return try Settings.load(path: config) }
        if FileManager.default.fileExists(atPath: Settings.defaultPath) {
            return try Settings.load(path: Settings.defaultPath)
        }
        return Settings()
    }

    /// The zone of a settings file (`--config`, else /etc/dutyd/dutyd.toml), or `nil` without one.
    func settingsZone() throws -> Zone? {
        let s = try settings()
        return s.file == nil ? nil : s.timezone
    }
}
