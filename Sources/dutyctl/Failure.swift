import ArgumentParser
import DutyCalendar
import DutyService
import DutyStore
import Foundation

/// Everything a command can fail with, and its exit status. Messages go to standard error as
/// `dutyctl: …` and say what to do next.
struct Failure: Error {
    var status: Int32
    var message: String

    static let runtime: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let config: Int32 = 78

    init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: CalendarError, expression: String? = nil) {
        var lines: [String] = []
        if let expression, let column = error.column, error.file == nil {
            lines.append(
                "invalid \(error.code == .invalidRule ? "recurrence rule" : "calendar expression") '\(expression)'"
            )
            lines.append("  \(expression)")
            let before = expression.prefix(max(0, column - 1))
            lines.append("  " + String(repeating: " ", count: displayWidth(before)) + "^")
        }
        lines.append(error.description)
        self.init(error.code == .unknownZone ? Failure.usage : Failure.dataError, lines.joined(separator: "\n"))
    }
}

extension Failure {
    /// The exit status and message of an error a command lets through (DESIGN.md's exit statuses), or
    /// `nil` for errors that are not ours (argument-parser's own).
    init?(translating error: any Error) {
        switch error {
        case let f as Failure: self = f
        case let e as CalendarError: self.init(Failure.dataError, "\(e)")
        case let e as ConfigError: self.init(Failure.config, "\(e)")
        case let e as CSVError: self.init(Failure.dataError, "\(e)")
        case let e as QueryError: self.init(Failure.dataError, "\(e)")
        case let e as StoreError: self.init(e.code == .unavailable ? Failure.runtime : Failure.dataError, "\(e)")
        case let e as PolicyError:
            // One problem a line, each with its place, then what to do.
            self.init(
                Failure.config,
                e.problems.map { "\($0)\n" }.joined()
                    + "the policy has \(e.problems.count) problem(s); fix them and run `dutyctl policy check`"
            )
        default: return nil
        }
    }
}

/// Runs a command body, turning failures into their message on standard error and their exit status.
func running(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        guard let f = Failure(translating: error) else { throw error }
        FileHandle.standardError.write(
            Data(("dutyctl: " + f.message.replacingOccurrences(of: "\n", with: "\n  ") + "\n").utf8)
        )
        throw ExitCode(f.status)
    }
}

/// Writes a JSON value on one line, keys sorted, UTF-8 unescaped.
func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
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

    /// `--tz` if given, else the zone of a settings file, else `nil`.
    func configuredZone(_ name: String?) throws -> Zone? {
        if let name {
            guard let z = Zone.named(name) else {
                throw Failure(
                    Failure.usage,
                    "unknown time zone '\(name)'; expected an IANA name such as Asia/Shanghai or UTC (see timedatectl list-timezones)"
                )
            }
            return z
        }
        let s = try settings()
        return s.file == nil ? nil : s.timezone
    }
}
