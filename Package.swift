// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dutyd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dutyctl", targets: ["dutyctl"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Civil dates, zones, OnCalendar, RRULE and working-day calendars. Pure: no clock, no I/O
        // beyond reading the holiday files it is handed.
        .target(name: "DutyCalendar"),
        // Organisation, policy and obligation model; occurrences, reminders, escalations; the plan of
        // what is due when. Pure: it is handed `now`, the organisation and what was done.
        .target(name: "DutyCore", dependencies: ["DutyCalendar"]),
        // The state store: units, officials, completions, events and the notification ledger (SQLite).
        .target(
            name: "DutyStore",
            dependencies: ["DutyCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The commands and queries both front ends share; settings and policy files (its own TOML
        // parser, which keeps positions).
        .target(
            name: "DutyService",
            dependencies: [
                "DutyCalendar", "DutyCore", "DutyStore",
            ]
        ),
        .executableTarget(
            name: "dutyctl",
            dependencies: [
                "DutyCalendar",
                "DutyCore",
                "DutyStore",
                "DutyService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "DutyBench",
            dependencies: ["DutyCalendar", "DutyCore", "DutyStore", "DutyService"],
            path: "Benchmarks/DutyBench"
        ),
        .testTarget(
            name: "DutyCalendarTests",
            dependencies: ["DutyCalendar"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "DutyCoreTests",
            dependencies: ["DutyCore", "DutyCalendar"]
        ),
        .testTarget(
            name: "DutyStoreTests",
            dependencies: ["DutyStore", "DutyCore", "DutyCalendar"]
        ),
        .testTarget(
            name: "DutyServiceTests",
            dependencies: ["DutyService", "DutyCore", "DutyStore", "DutyCalendar"]
        ),
        // Runs the built dutyctl and checks its output and exit status.
        .testTarget(
            name: "dutyctlTests",
            dependencies: ["dutyctl"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
