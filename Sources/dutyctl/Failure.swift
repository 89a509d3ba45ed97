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

/// Runs a command body, turning failures into their message and exit status.
func running(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let f as Failure {
        FileHandle.standardError.write(
            Data(("dutyctl: " + f.message.replacingOccurrences(of: "\n", with: "\n  ") + "\n").utf8)
        )
        throw ExitCode(f.status)
    } catch let e as CalendarError {
        FileHandle.standardError.write(Data(("dutyctl: \(e)\n").utf8))
        throw ExitCode(Failure.dataError)
    } catch let e as ConfigError {
        FileHandle.standardError.write(Data(("dutyctl: \(e)\n").utf8))
        throw ExitCode(Failure.config)
    } catch let e as PolicyError {
        let lines = e.problems.map { "dutyctl: \($0)\n" }.joined()
        FileHandle.standardError.write(
            Data(
                (lines
                    + "dutyctl: the policy has \(e.problems.count) problem(s); fix them and run `dutyctl policy check`\n")
                    .utf8
            )
        )
        throw ExitCode(Failure.config)
    } catch let e as CSVError {
        FileHandle.standardError.write(Data(("dutyctl: \(e)\n").utf8))
        throw ExitCode(Failure.dataError)
    } catch let e as QueryError {
        FileHandle.standardError.write(Data(("dutyctl: \(e)\n").utf8))
        throw ExitCode(Failure.dataError)
    } catch let e as StoreError {
        FileHandle.standardError.write(Data(("dutyctl: \(e)\n").utf8))
        throw ExitCode(e.code == .unavailable ? Failure.runtime : Failure.dataError)
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
