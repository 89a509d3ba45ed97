package import Foundation

/// Where the tests find `dutyd` and `dutyctl` to run as processes.
package enum Products {
    /// Beside the test bundle (the debug build `swift test` has just made), or the folder named by
    /// `DUTYD_TEST_PRODUCTS`, such as the release build of `make deb`: the debug-built daemon and CLI
    /// take about 180 of the suite's 390 CPU seconds, and a daemon as fast as the shipped one shows
    /// races a slow one hides. Only a folder holding both programs is taken; that they are built from
    /// the same sources is the caller's to see to.
    package static let folder: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        guard let named = ProcessInfo.processInfo.environment["DUTYD_TEST_PRODUCTS"], !named.isEmpty else {
            return beside
        }
        let folder = URL(fileURLWithPath: named, isDirectory: true).standardizedFileURL
        for program in ["dutyd", "dutyctl"] {
            let path = folder.appendingPathComponent(program).path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                fatalError("DUTYD_TEST_PRODUCTS=\(named): no \(program) there; unset it, or build that folder first")
            }
        }
        return folder
    }()

    /// A program of the build: `dutyd` or `dutyctl`.
    package static func program(_ name: String) -> URL { folder.appendingPathComponent(name) }
}
