// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dutyd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dutyctl", targets: ["dutyctl"]),
        .executable(name: "dutyd", targets: ["dutyd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Civil dates, zones, OnCalendar, RRULE and working-day calendars. Pure: no clock, no I/O
        // beyond reading the holiday files it is handed.
        .target(name: "DutyCalendar"),
        // Organisation, policy and obligation model; occurrences, reminders, escalations; the plan of
        // what is due when. Pure: it is handed `now`, the organisation and what was done.
        .target(name: "DutyCore", dependencies: ["DutyCalendar"]),
        // The state store: units, officials, completions, events, the notification ledger and the
        // audit trail, each row of which hashes the one before (SHA-256 from swift-crypto). Written
        // once over a small SQL session; SQLite (GRDB) on one machine, PostgreSQL (postgres-nio) beyond.
        .target(
            name: "DutyStore",
            dependencies: [
                "DutyCore", "CProcess", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libsystemd: the journal (sd_journal_sendv) and the service manager (sd_notify, watchdog).
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // What the command runner needs from Linux beyond Swift's Glibc module: posix_spawn in a session
        // of its own, pidfd_open, pipe2.
        .target(name: "CProcess"),
        // The Swift runtime's global-enqueue hook, set by the linker's reference where NIO's dlsym cannot
        // find it (Swift's runtime linked in statically, as in the .deb): docs/decisions/0004.
        .target(name: "CConcurrencyHook"),
        // Delivery channels: the journal (entries and the log handler), email (SMTP on swift-nio and
        // swift-nio-ssl, or sendmail), hook commands; messages, digests and their templates.
        .target(
            name: "DutyNotify",
            dependencies: [
                "DutyCalendar", "DutyCore", "CSystemd", "CProcess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Reading the files an administrator writes: settings, policy, organisation CSV, holiday
        // folders, and the TOML parser underneath (its own, which keeps positions: docs/decisions).
        .target(
            name: "DutyFiles",
            dependencies: ["DutyCalendar", "DutyCore", "DutyNotify"]
        ),
        // The questions that need nothing but the calendar and the domain: occurrence views, the
        // explanation of a deadline, the year report, the ICS export, triggered deadlines. Pure.
        .target(
            name: "DutyQueries",
            dependencies: ["DutyCalendar", "DutyCore"]
        ),
        // Every operation both front ends offer, declared once (Commands/Operation.swift): what it
        // reads, who may call it, its route; the error model (Failure.swift) and the workspace.
        .target(
            name: "DutyOperations",
            dependencies: ["DutyCalendar", "DutyCore", "DutyStore", "DutyNotify", "DutyFiles", "DutyQueries"]
        ),
        // The daemon: scheduler, dispatcher, notices, signals, the service manager (sd_notify,
        // watchdog), the state lock; its metrics (swift-metrics, exposed by swift-prometheus).
        .target(
            name: "DutyDaemon",
            dependencies: [
                "DutyCalendar", "DutyCore", "DutyStore", "DutyNotify", "DutyFiles", "DutyQueries", "DutyOperations",
                "CSystemd", "CProcess",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The local HTTP/JSON API on a Unix socket (Sources/DutyAPI/openapi.yaml): the server dutyd runs (Hummingbird,
        // peers authorized by SO_PEERCRED) and the client dutyctl's remote mode uses (NIO HTTP/1).
        .target(
            name: "DutyAPI",
            dependencies: [
                "DutyCalendar", "DutyCore", "DutyStore", "DutyNotify", "DutyFiles", "DutyQueries", "DutyOperations",
                "DutyDaemon", "CProcess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["openapi.yaml"]
        ),
        // The officials' pages (`[web]`): personal links, sessions, server-rendered HTML, the same
        // operations as dutyctl's (Hummingbird's parts on TCP, behind a reverse proxy).
        .target(
            name: "DutyWeb",
            dependencies: [
                "DutyCalendar", "DutyCore", "DutyStore", "DutyNotify", "DutyFiles", "DutyQueries", "DutyOperations",
                "DutyDaemon", "DutyAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The service: wires settings, store, scheduler and signals into a ServiceGroup.
        .executableTarget(
            name: "dutyd",
            dependencies: [
                "DutyCalendar", "DutyCore", "DutyStore", "DutyNotify", "DutyFiles", "DutyQueries", "DutyOperations",
                "DutyDaemon", "DutyAPI", "DutyWeb", "CConcurrencyHook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "dutyctl",
            dependencies: [
                "DutyCalendar",
                "DutyCore",
                "DutyStore",
                "DutyFiles",
                "DutyQueries",
                "DutyOperations",
                "DutyDaemon",
                "DutyNotify",
                "DutyAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "DutyBench",
            dependencies: [
                "DutyCalendar", "DutyCore", "DutyStore", "DutyFiles", "DutyQueries", "DutyOperations", "DutyDaemon",
                "DutyNotify", "DutyAPI", "DutyTestSupport",
            ],
            path: "Benchmarks/DutyBench"
        ),
        // What several test targets share: a real SMTP server (python3-aiosmtpd), the mail parser
        // that checks what arrives, and the scratch folder removed at exit. Only tests depend on it.
        .target(
            name: "DutyTestSupport",
            dependencies: ["CProcess"],
            path: "Tests/DutyTestSupport"
        ),
        // The `.ownThreads` trait: blocking tests off Swift's cooperative pool (Swift Testing only).
        .target(
            name: "DutyTestScoping",
            path: "Tests/DutyTestScoping"
        ),
        .testTarget(
            name: "DutyNotifyTests",
            dependencies: ["DutyNotify", "DutyCore", "DutyCalendar", "DutyTestScoping", "DutyTestSupport"]
        ),
        .testTarget(
            name: "DutyCalendarTests",
            // DutyService reads the shipped holiday folders; DutyCalendar itself only parses.
            dependencies: ["DutyTestScoping", "DutyCalendar", "DutyFiles", "DutyTestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "DutyCoreTests",
            dependencies: ["DutyTestScoping", "DutyCore", "DutyCalendar", "DutyFiles"]
        ),
        .testTarget(
            name: "DutyStoreTests",
            dependencies: ["DutyTestScoping", "DutyStore", "DutyCore", "DutyCalendar", "DutyTestSupport"]
        ),
        .testTarget(
            name: "DutyFilesTests",
            dependencies: [
                "DutyTestScoping", "DutyFiles", "DutyQueries", "DutyCore", "DutyCalendar", "DutyNotify",
                "DutyTestSupport",
            ]
        ),
        .testTarget(
            name: "DutyOperationsTests",
            dependencies: [
                "DutyFiles", "DutyQueries", "DutyOperations", "DutyCore", "DutyStore", "DutyCalendar", "DutyNotify",
                "DutyTestScoping", "DutyTestSupport",
            ]
        ),
        .testTarget(
            name: "DutyDaemonTests",
            dependencies: [
                "DutyFiles", "DutyQueries", "DutyOperations", "DutyDaemon", "DutyCore", "DutyStore", "DutyCalendar",
                "DutyNotify", "DutyTestScoping", "DutyTestSupport",
            ]
        ),
        // Runs the built dutyd against a real systemd-journald and a notify socket.
        .testTarget(
            name: "dutydTests",
            dependencies: [
                "dutyd", "DutyStore", "DutyCore", "DutyCalendar", "DutyFiles", "DutyQueries", "DutyOperations",
                "DutyDaemon", "DutyAPI", "DutyNotify", "DutyTestScoping", "DutyTestSupport",
            ]
        ),
        // Runs the built dutyctl and checks its output and exit status.
        .testTarget(
            name: "dutyctlTests",
            dependencies: ["dutyctl", "DutyTestScoping", "DutyTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// `make fuzz` (and the short run in `make test`) builds libFuzzer targets for every parser: an
// executable with its own main that hands the inputs to libFuzzer's `LLVMFuzzerRunDriver`, built with
// coverage instrumentation and AddressSanitizer into .build-fuzz. Only declared then, because an
// ordinary build has no libFuzzer to link (README, Fuzzing).
if Context.environment["DUTYD_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "DutyFuzz",
            dependencies: ["DutyCalendar", "DutyCore", "DutyFiles", "DutyQueries", "DutyOperations"],
            path: "Fuzz/DutyFuzz"
        )
    )
    package.products.append(.executable(name: "dutyd-fuzz", targets: ["DutyFuzz"]))
}

// The pure targets are compiled with optimization in debug builds too: the tests walk millions of
// occurrences through them (the RRULE and OnCalendar oracles, the budgets, the policy mutations), which
// unoptimized took three times the processor time (docs/decisions).
for target in package.targets where ["DutyCalendar", "DutyCore", "DutyQueries", "DutyFiles"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-O"], .when(configuration: .debug))]
}

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
