import DutyCore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Debian package under a real systemd: a Debian 12 tree (made once by mmdebstrap, cached outside
/// the clone) booted with systemd as PID 1 by systemd-nspawn, the .deb of `make deb` installed in it
/// with apt-get, and the service driven with systemctl as an administrator would. This host has no
/// systemd of its own, so the container is not registered (`--register=no --keep-unit`) and commands
/// enter it with nsenter. Skipped, saying why, where nspawn cannot run.
@Suite("the Debian package under a real systemd", .serialized, .ownThreads)
struct ContainerTests {
    static let deb = Daemon.repo.appendingPathComponent(".build-deb/dutyd_\(dutydVersion)_amd64.deb").path

    /// Why this machine cannot run the container, if it cannot.
    static let unable: String? = {
        for tool in ["systemd-nspawn", "mmdebstrap", "nsenter"] {
            if (try? JournalReader.shell("sh", ["-c", "command -v \(tool)"]).status) != 0 {
                return "\(tool) is not installed (make test installs systemd-container and mmdebstrap)"
            }
        }
        if getuid() != 0 { return "systemd-nspawn needs root" }
        return nil
    }()

    @Test(
        "installed with apt-get: started after READY=1, reloaded, killed by the watchdog, journaled with its catalog, sandboxed, reached by its group, upgraded, purged",
        .enabled(if: unable == nil, "\(unable ?? "")")
    )
    func packageUnderSystemd() throws {
        try #require(
            FileManager.default.fileExists(atPath: Self.deb),
            "no \(Self.deb): `make deb` builds it (`make test` does before the tests)"
        )
        let started = Date()
        let box = try Container.boot()
        defer { box.destroy() }
        try FileManager.default.copyItem(atPath: Self.deb, toPath: box.root + "/root/dutyd.deb")

        // Installed from the file alone: everything it depends on is in the tree (no network).
        let install = try box.run("apt-get install -y /root/dutyd.deb")
        #expect(install.status == 0, "\(install.out)\(install.err)")
        // The settings and the policy are conffiles, with pristine copies beside the examples.
        let conffiles = try box.run("dpkg-query -W -f '${Conffiles}' dutyd").out
        #expect(
            conffiles.contains("/etc/dutyd/dutyd.toml") && conffiles.contains("/etc/dutyd/policy.d/"),
            "\(conffiles)"
        )
        #expect(try box.run("cmp /usr/share/dutyd/examples/dutyd.toml /etc/dutyd/dutyd.toml").status == 0)
        #expect(try box.run("id -Gn dutyd").out.trimmed == "dutyd")
        #expect(try box.run("stat -c '%U %a' /var/lib/dutyd").out.trimmed == "dutyd 700")
        // The package starts the service; `systemctl start` of a Type=notify unit returns once
        // dutyd said READY=1, with its status line and its socket there.
        #expect(try box.run("systemctl is-enabled dutyd").out.trimmed == "enabled")
        #expect(try box.run("systemctl is-active dutyd").out.trimmed == "active")
        #expect(try box.run("systemctl restart dutyd").status == 0)
        let shown = try box.run("systemctl show dutyd -p ActiveState -p StatusText -p Type -p NotifyAccess").out
        #expect(shown.contains("ActiveState=active"))
        #expect(shown.contains("Type=notify"))
        #expect(shown.contains("StatusText=next: ") || shown.contains("StatusText=nothing scheduled"), "\(shown)")
        #expect(try box.run("test -S /run/dutyd/api.sock").status == 0)
        let status = try box.run("systemctl status dutyd --no-pager").out
        #expect(status.contains("Status: \"next: ") || status.contains("Status: \"nothing scheduled"), "\(status)")

        // The organisation, through the API as root (an administrator), and what it sends.
        let imported = try box.run(
            "dutyctl unit import /usr/share/dutyd/examples/units.csv && dutyctl official import /usr/share/dutyd/examples/officials.csv"
        )
        #expect(imported.status == 0, "\(imported.err)")
        let units = try box.run("dutyctl unit ls | wc -l").out.trimmed

        // A broken policy: the reload is refused and said why; the old policy stays in force.
        let pid = try box.mainPID()
        try box.write("/etc/dutyd/policy.d/zz-broken.toml", "[[obligation]]\nid = \"broken\"\nkind = \n")
        #expect(try box.run("systemctl reload dutyd").status == 0)
        try waitFor("the refused reload in the journal", seconds: 60, poll: 0.2) {
            try box.run("journalctl -u dutyd -o cat DUTY_EVENT=reload-failed").out.contains("zz-broken.toml:3:")
        }
        #expect(try box.run("systemctl is-active dutyd").out.trimmed == "active")
        #expect(try box.mainPID() == pid)
        // A good one is taken.
        _ = try box.run("rm /etc/dutyd/policy.d/zz-broken.toml")
        #expect(try box.run("systemctl reload dutyd").status == 0)
        try waitFor("the reload in the journal", seconds: 60, poll: 0.2) {
            !(try box.run("journalctl -u dutyd -o cat DUTY_EVENT=reloaded").out.trimmed.isEmpty)
        }

        // The journal: structured fields, and the catalog's explanation with -x.
        let json = try box.run("journalctl -u dutyd -o json --no-pager").out
        for field in ["\"DUTY_EVENT\"", "\"DUTY_CONFIG\"", "\"DUTY_UNITS\"", "\"MESSAGE_ID\""] {
            #expect(json.contains(field), "\(field) missing from journalctl -o json")
        }
        let explained = try box.run("journalctl -u dutyd -x --no-pager").out
        #expect(explained.contains("built the plan for"), "the catalog text is not shown by journalctl -x")

        // The sandbox, as systemd itself scores it.
        let security = try box.run("systemd-analyze security dutyd --no-pager").out
        let line = try #require(security.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(Double(line.split(separator: ":")[1].split(separator: " ")[0]))
        #expect(score <= 1.5, "\(line)")

        // The socket's group may ask; anyone else is refused.
        _ = try box.run("useradd -m -G dutyd alice && useradd -m bob")
        let alice = try box.run("runuser -u alice -- dutyctl status")
        #expect(alice.status == 0, "\(alice.err)")
        #expect(alice.out.contains(dutydVersion))
        let bob = try box.run("runuser -u bob -- dutyctl status")
        #expect(bob.status != 0)
        #expect(bob.err.contains("dutyd"), "\(bob.err)")

        // Metrics on the API socket, in Prometheus's format.
        let metrics = try box.run("curl -s --unix-socket /run/dutyd/api.sock http://localhost/metrics")
        #expect(metrics.out.contains("dutyd_build_info{version=\"\(dutydVersion)\"} 1"), "\(metrics.err)")

        // The watchdog: a dutyd that stops answering is killed and started again.
        try box.write(
            "/etc/systemd/system/dutyd.service.d/watchdog.conf",
            "[Service]\nWatchdogSec=3s\nRestartSec=1s\n"
        )
        _ = try box.run("systemctl daemon-reload && systemctl restart dutyd")
        let stopped = try box.mainPID()
        _ = try box.run("kill -STOP \(stopped)")
        try waitFor("the watchdog to end the stopped dutyd", seconds: 60, poll: 0.2) {
            try box.run("journalctl -u dutyd --no-pager -o cat").out.contains("Failed with result 'watchdog'")
        }
        try waitFor("dutyd to run again after the watchdog", seconds: 60, poll: 0.2) {
            let now = try box.mainPID()
            let active = try box.run("systemctl is-active dutyd").out.trimmed == "active"
            return now != 0 && now != stopped && active
        }
        _ = try box.run("rm /etc/systemd/system/dutyd.service.d/watchdog.conf && systemctl daemon-reload")

        // An upgrade keeps the state and the ledger and restarts the service. The newer package is
        // the same files uncompressed: xz on 2 cores took 85 of the suite's CPU seconds.
        let ledger = try box.run("dutyctl ledger --limit 100000 | wc -l").out.trimmed
        let before = try box.mainPID()
        let newer = try box.run(
            """
            set -e; rm -rf /root/pkg; dpkg-deb -R /root/dutyd.deb /root/pkg
            sed -i 's/^Version: .*/Version: \(dutydVersion)+1/' /root/pkg/DEBIAN/control
            dpkg-deb -Znone -b /root/pkg /root/dutyd-newer.deb >/dev/null
            apt-get install -y /root/dutyd-newer.deb
            """
        )
        #expect(newer.status == 0, "\(newer.err)")
        #expect(try box.run("dpkg-query -W -f '${Version}' dutyd").out == "\(dutydVersion)+1")
        #expect(try box.mainPID() != before, "the upgrade did not restart dutyd")
        #expect(try box.run("systemctl is-active dutyd").out.trimmed == "active")
        #expect(try box.run("dutyctl unit ls | wc -l").out.trimmed == units)
        #expect(try box.run("dutyctl ledger --limit 100000 | wc -l").out.trimmed == ledger)

        // Removed, the state stays; purged, it goes.
        #expect(try box.run("apt-get remove -y dutyd").status == 0)
        #expect(try box.run("systemctl is-active dutyd").out.trimmed != "active")
        #expect(try box.run("test -e /var/lib/dutyd/dutyd.sqlite").status == 0)
        #expect(try box.run("apt-get purge -y dutyd").status == 0)
        #expect(try box.run("test -e /var/lib/dutyd").status != 0)
        #expect(try box.run("test -e /etc/dutyd/dutyd.toml").status != 0)
        print("bench container.test.seconds \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

/// A Debian 12 tree booted under systemd-nspawn for one test, and removed after it.
final class Container {
    let root: String
    let process: Process
    let leader: Int32

    /// The tree all containers start from: made by mmdebstrap the first time (about 20 s with the
    /// network), then kept in /var/cache/dutyd-tests (outside the clone, shared by clones).
    static func image() throws -> String {
        let cache = ProcessInfo.processInfo.environment["DUTYD_CONTAINER_CACHE"] ?? "/var/cache/dutyd-tests"
        // What the package needs from the tree, and what the test uses in it (curl, runuser, useradd).
        let packages = "systemd,systemd-sysv,dbus,libsqlite3-0,libsystemd0,tzdata,procps,passwd,curl,ca-certificates"
        let tarball = "\(cache)/bookworm-\(packages.replacingOccurrences(of: ",", with: "+")).tar"
        if FileManager.default.fileExists(atPath: tarball) { return tarball }
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        let made = try JournalReader.shell(
            "mmdebstrap",
            ["--quiet", "--format=tar", "--variant=minbase", "--include=\(packages)", "bookworm", tarball + ".part"]
        )
        guard made.status == 0 else {
            throw ContainerError(
                "mmdebstrap could not make the Debian 12 tree (is a Debian mirror reachable?): \(made.err)"
            )
        }
        try FileManager.default.moveItem(atPath: tarball + ".part", toPath: tarball)
        // A tree made for another list of packages is not used again.
        for old in (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []
        where old.hasPrefix("bookworm-") && "\(cache)/\(old)" != tarball {
            try? FileManager.default.removeItem(atPath: "\(cache)/\(old)")
        }
        return tarball
    }

    /// The tree unpacked once beside its tarball (`….tree`), never written to: every container is an
    /// overlay on it. Unpacking the 210 MB tree for every run cost 5 s of processor time, most of it
    /// the file system making tens of thousands of files.
    static func tree() throws -> String {
        let tarball = try image()
        let tree = String(tarball.dropLast(".tar".count)) + ".tree"
        removeDeadParts(of: tree)
        if FileManager.default.fileExists(atPath: tree) { return tree }
        // Unpacked aside and renamed when whole: a run stopped halfway, or another test process
        // unpacking at the same moment, never leaves a partial tree under the name.
        let part = tree + ".part-\(getpid())"
        _ = try? JournalReader.shell("rm", ["-rf", "--one-file-system", part])
        try FileManager.default.createDirectory(atPath: part, withIntermediateDirectories: true)
        chmod(part, 0o755)
        let unpacked = try JournalReader.shell("tar", ["-C", part, "-xf", tarball])
        guard unpacked.status == 0 else { throw ContainerError("cannot unpack \(tarball): \(unpacked.err)") }
        if rename(part, tree) != 0 {
            let why = String(cString: strerror(errno))  // before the rm below sets errno again
            _ = try? JournalReader.shell("rm", ["-rf", "--one-file-system", part])
            guard FileManager.default.fileExists(atPath: tree) else {
                throw ContainerError("cannot put the unpacked tree at \(tree): \(why)")
            }
        }
        return tree
    }

    /// Removes what a test process killed while unpacking left beside the tree (`….tree.part-PID`
    /// whose process is gone); a part whose process still runs is its to finish.
    static func removeDeadParts(of tree: String) {
        let folder = (tree as NSString).deletingLastPathComponent
        let prefix = (tree as NSString).lastPathComponent + ".part-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), processIsGone(pid) else { continue }
            _ = try? JournalReader.shell("rm", ["-rf", "--one-file-system", "\(folder)/\(name)"])
        }
    }

    static func boot() throws -> Container {
        let tree = try tree()
        let base = scratchDirectory.appendingPathComponent("dutyd-container-\(UUID().uuidString.prefix(8))").path
        let root = base + "/root"
        for folder in [root, base + "/upper", base + "/work"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            chmod(folder, 0o755)
        }
        // The container's own changes (the package, its state) go to `upper`, in the scratch folder.
        let mounted = try JournalReader.shell(
            "mount",
            ["-t", "overlay", "overlay", "-o", "lowerdir=\(tree),upperdir=\(base)/upper,workdir=\(base)/work", root]
        )
        guard mounted.status == 0 else {
            throw ContainerError("cannot mount an overlay on \(tree) (overlayfs, as root): \(mounted.err)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-nspawn")
        p.arguments = [
            "--quiet", "-D", root, "-b", "--register=no", "--keep-unit", "--private-network",
            "-M", "dutyd-test-\(getpid())",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try p.run()
        var leader: Int32 = 0
        do {
            try waitFor("systemd to start as PID 1 in the container", seconds: 60, poll: 0.1) {
                leader = Container.init1(under: p.processIdentifier) ?? 0
                return leader != 0
            }
            let box = Container(root: root, process: p, leader: leader)
            try waitFor("the container to finish booting", seconds: 120, poll: 0.2) {
                let state = try box.run("systemctl is-system-running").out.trimmed
                return state == "running" || state == "degraded"
            }
            return box
        } catch {
            p.terminate()
            try? p.waitForExit()
            Self.remove(base)
            throw error
        }
    }

    private init(root: String, process: Process, leader: Int32) {
        self.root = root
        self.process = process
        self.leader = leader
    }

    /// Unmounts a container's overlay and removes its folder (`--one-file-system`: never through a
    /// mount that did not go, into the shared tree).
    static func remove(_ base: String) {
        _ = try? JournalReader.shell("umount", [base + "/root"])
        _ = try? JournalReader.shell("rm", ["-rf", "--one-file-system", base])
    }

    /// The container's PID 1 (as the host numbers it): the descendant of nspawn that runs systemd.
    static func init1(under pid: Int32) -> Int32? {
        var queue = [pid]
        while let p = queue.popLast() {
            let cmd = (try? String(contentsOfFile: "/proc/\(p)/cmdline", encoding: .utf8)) ?? ""
            if p != pid,
                cmd.hasPrefix("/usr/lib/systemd/systemd") || cmd.hasPrefix("/lib/systemd/systemd")
                    || cmd.hasPrefix("/sbin/init")
            {
                return p
            }
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p)/task")) ?? []
            for t in tasks {
                let children = (try? String(contentsOfFile: "/proc/\(p)/task/\(t)/children", encoding: .utf8)) ?? ""
                queue += children.split(separator: " ").compactMap { Int32($0) }
            }
        }
        return nil
    }

    /// A shell command inside the container, as root, with the container's environment.
    func run(_ command: String) throws -> Daemon.Result {
        try JournalReader.shell(
            "nsenter",
            [
                "-t", "\(leader)", "-m", "-u", "-i", "-n", "-p", "-C", "--",
                "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND=noninteractive",
                "LANG=C.UTF-8", "SYSTEMD_PAGER=", "/bin/sh", "-c", command,
            ]
        )
    }

    /// Writes a file in the container's tree (its folder made), as root.
    func write(_ path: String, _ text: String) throws {
        let full = root + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    /// dutyd's main PID as systemd has it (0 when it does not run).
    func mainPID() throws -> Int32 {
        Int32(try run("systemctl show dutyd -p MainPID --value").out.trimmed) ?? 0
    }

    /// Powers the container off and removes its overlay; kills it if it does not stop within 30 s.
    func destroy() {
        _ = try? run("systemctl poweroff --no-block")
        // Killed after 30 s (waitForExit's bound).
        try? process.waitForExit(seconds: 30)
        Self.remove((root as NSString).deletingLastPathComponent)
    }
}

struct ContainerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
