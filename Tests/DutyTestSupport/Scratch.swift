package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where tests put what they create: one folder per test process in the system's temporary folder,
/// mode 0755 (tests that act as other users hand them files there), removed with everything in it
/// when the process exits. Tests name their files and folders inside it as before; nothing is left
/// in /tmp after `swift test`, whichever tests passed or failed.
package var scratchDirectory: URL { Scratch.root }

enum Scratch {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("dutyd-tests-\(getpid())").path

    static let root: URL = {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.path) }
        return URL(fileURLWithPath: path)
    }()
}
