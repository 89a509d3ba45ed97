import CoreMetrics
package import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation
import Prometheus

/// dutyd's metrics, in Prometheus's text format at `/metrics` (on the API socket, and on `[metrics]
/// listen`). Every family is named here once, with its help text (`families`); the README's table and
/// the shipped alerting rules (config/prometheus/dutyd-alerts.yml) use these names.
///
/// Two kinds:
/// - what happens (a notification's outcome, a plan built, a request answered) is recorded through
///   swift-metrics as it happens, into swift-prometheus's registry;
/// - how things stand (occurrences by state and colour, the retry queue, the holiday years, who
///   sends) is counted when Prometheus asks (`State`), from what the daemon keeps: nothing is counted
///   between scrapes, and a unit that goes leaves no series behind.
///
/// Labels are bounded: channels are the configured ones, operations the registry's routes, units
/// only the top-level ones (never one series per unit).
package enum DutyMetrics {
    package enum Kind: String, Sendable { case counter, gauge, histogram }

    package struct Family: Sendable {
        package var name: String
        package var kind: Kind
        package var help: String
    }

    /// Every family dutyd exposes.
    package static let families: [Family] = [
        .init(name: "dutyd_build_info", kind: .gauge, help: "Always 1; the version of dutyd that runs."),
        .init(
            name: "dutyd_notifications_total",
            kind: .counter,
            help: "Notifications by channel and outcome (sent, retry, failed, collapsed) since dutyd started."
        ),
        .init(
            name: "dutyd_plan_duration_seconds",
            kind: .histogram,
            help: "Time to build the plan of what falls due (at start, on reload, after a change, each new day)."
        ),
        .init(
            name: "dutyd_last_perform_timestamp_seconds",
            kind: .gauge,
            help: "When dutyd last performed what was due without an error (Unix time); 0 before the first."
        ),
        .init(
            name: "dutyd_perform_failures",
            kind: .gauge,
            help: "Performs in a row that failed (the state store unreachable, full or locked); 0 when the last worked."
        ),
        .init(
            name: "dutyd_sender",
            kind: .gauge,
            help: "1 when this dutyd sends; 0 while it stands by for another on the same PostgreSQL database."
        ),
        .init(
            name: "dutyd_next_step_timestamp_seconds",
            kind: .gauge,
            help:
                "When the next reminder, notice or escalation falls due (Unix time); absent when none within 400 days."
        ),
        .init(
            name: "dutyd_retry_queue_notifications",
            kind: .gauge,
            help: "Notifications waiting to be tried again."
        ),
        .init(
            name: "dutyd_retry_queue_oldest_age_seconds",
            kind: .gauge,
            help: "How long the oldest notification waiting to be tried again has been due; 0 when none waits."
        ),
        .init(
            name: "dutyd_occurrences",
            kind: .gauge,
            help:
                "This year's occurrences under each top-level unit by state (open, late, done, waived) and colour (red, yellow, blue, none)."
        ),
        .init(
            name: "dutyd_holiday_years_provisional",
            kind: .gauge,
            help: "Years within the plan's 400 days whose holidays are not published: their deadlines are provisional."
        ),
        .init(
            name: "dutyd_holidays_published_through_year",
            kind: .gauge,
            help: "The last year whose official holiday schedule dutyd has."
        ),
        .init(
            name: "dutyd_api_requests_total",
            kind: .counter,
            help: "API requests on the control socket by route and HTTP status."
        ),
        .init(
            name: "dutyd_api_request_duration_seconds",
            kind: .histogram,
            help: "Time to answer an API request, by route (until the head of a streamed answer)."
        ),
        .init(
            name: "dutyd_api_pool_requests",
            kind: .gauge,
            help:
                "API requests on their pool's threads (running) or waiting for one: questions (two answered at once) and changes (one at a time)."
        ),
        .init(
            name: "dutyd_web_requests_total",
            kind: .counter,
            help: "Requests to the officials' pages by route and HTTP status."
        ),
        .init(
            name: "dutyd_web_request_duration_seconds",
            kind: .histogram,
            help: "Time to answer a request to the officials' pages, by route."
        ),
    ]

    // MARK: What happens

    /// `DUTYD_METRICS=off` in the environment records nothing (the families of how things stand are
    /// still exposed): for `make bench-metrics`, which measures what recording costs.
    static let recording = ProcessInfo.processInfo.environment["DUTYD_METRICS"] != "off"

    /// The registry the swift-metrics calls of this process land in. Bootstrapped once, the first time
    /// anything is recorded or exposed.
    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let slow: [Duration] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
        ]
        factory.durationHistogramBuckets = ["dutyd_plan_duration_seconds": slow]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// A notification ended in `outcome` on `channel` (`sent`, `retry`, `failed`, `collapsed`).
    package static func notification(channel: String, outcome: String, count: Int = 1) {
        guard recording else { return }
        _ = registry
        Counter(label: "dutyd_notifications_total", dimensions: [("channel", channel), ("outcome", outcome)])
            .increment(by: count)
    }

    /// A plan was built in `seconds`.
    package static func planned(seconds: Double) {
        guard recording else { return }
        _ = registry
        Timer(label: "dutyd_plan_duration_seconds").recordNanoseconds(Int64(seconds * 1e9))
    }

    /// A perform ended: when (real time) and whether it failed, with the failures in a row.
    package static func performed(at wall: Instant, failuresInARow: Int) {
        guard recording else { return }
        _ = registry
        if failuresInARow == 0 {
            Gauge(label: "dutyd_last_perform_timestamp_seconds").record(Double(wall.microseconds) / 1e6)
        }
        Gauge(label: "dutyd_perform_failures").record(failuresInARow)
    }

    /// A request answered by the API (`front` "api") or the web pages ("web").
    package static func request(front: String, route: String, status: Int, seconds: Double) {
        guard recording else { return }
        _ = registry
        Counter(label: "dutyd_\(front)_requests_total", dimensions: [("route", route), ("status", "\(status)")])
            .increment()
        Timer(label: "dutyd_\(front)_request_duration_seconds", dimensions: [("route", route)])
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// How many API requests of `pool` (`questions`, `changes`) wait for a thread and are running.
    package static func pool(_ pool: String, waiting: Int, running: Int) {
        guard recording else { return }
        _ = registry
        Gauge(label: "dutyd_api_pool_requests", dimensions: [("pool", pool), ("state", "waiting")]).record(waiting)
        Gauge(label: "dutyd_api_pool_requests", dimensions: [("pool", pool), ("state", "running")]).record(running)
    }

    // MARK: How things stand

    /// The exposition of this process's metrics and of how the daemon stands now, at the scheduler's
    /// clock (`dutyd --start-at` shifts it, as it shifts the questions).
    package static func exposition(of scheduler: Scheduler, version: String) throws -> String {
        guard let snap = scheduler.snapshot else {
            throw Failure(.unavailable, "dutyd is starting and has not built its plan yet; try again in a moment")
        }
        let now = scheduler.now()
        let revisions = try snap.store.revisions()
        let org = try snap.cache.planner(revision: revisions[.organisation] ?? 0).organisation
        let tally = try snap.cache.yearTally(revisions: revisions, at: now)
        let today = snap.workspace.settings.timezone.day(of: now)
        let workdays = snap.workspace.workdays
        return exposition(
            State(
                version: version,
                sending: scheduler.lease.map { $0.term != nil } ?? true,
                nextStep: snap.next.first?.at,
                retryQueue: try snap.store.retryQueue(),
                now: now,
                topUnits: Workspace.roots(org).map { (org.units[Int($0)].id, tally.subtree($0, org)) },
                provisionalYears: workdays.unpublishedYears(
                    from: today,
                    through: today.adding(days: Dispatcher.horizonDays)
                ).count,
                publishedThrough: workdays.publishedYears.max()
            )
        )
    }

    /// What is counted at a scrape.
    struct State {
        var version: String
        var sending: Bool
        var nextStep: Instant?
        var retryQueue: (count: Int, oldestDue: Instant?)
        var now: Instant
        /// Each top-level unit's id and its subtree's tally this year.
        var topUnits: [(unit: String, tally: Tally)]
        var provisionalYears: Int
        var publishedThrough: Int?
    }

    /// The whole exposition: the recorded families and the state, each family with its HELP and TYPE.
    static func exposition(_ state: State) -> String {
        var out = ""
        let recorded = registry.emitToString()
        // swift-prometheus writes HELP only for metrics made with it; the swift-metrics API has none.
        let help = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0.help) })
        for line in recorded.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                if let text = help[String(name)] { out += "# HELP \(name) \(text)\n" }
            }
            if line.hasPrefix("# HELP ") { continue }
            out += line + "\n"
        }
        func family(_ name: String, _ samples: [(labels: String, value: Double)]) {
            guard let f = families.first(where: { $0.name == name }), !samples.isEmpty else { return }
            out += "# HELP \(name) \(f.help)\n# TYPE \(name) \(f.kind.rawValue)\n"
            for s in samples { out += "\(name)\(s.labels) \(number(s.value))\n" }
        }
        family("dutyd_build_info", [("{version=\"\(escape(state.version))\"}", 1)])
        family("dutyd_sender", [("", state.sending ? 1 : 0)])
        if let next = state.nextStep {
            family("dutyd_next_step_timestamp_seconds", [("", Double(next.seconds))])
        }
        family("dutyd_retry_queue_notifications", [("", Double(state.retryQueue.count))])
        family(
            "dutyd_retry_queue_oldest_age_seconds",
            [("", Double(state.retryQueue.oldestDue.map { max(0, state.now.seconds - $0.seconds) } ?? 0))]
        )
        var occurrences: [(labels: String, value: Double)] = []
        for (unit, t) in state.topUnits {
            let u = escape(unit)
            // Open ones by colour; late ones are red; done and waived have no colour.
            let open = [("red", t.red - t.late), ("yellow", t.yellow), ("blue", t.blue)]
            let none = t.open - open.reduce(0) { $0 + max(0, $1.1) }
            for (colour, n) in open + [("none", none)] {
                occurrences.append(("{unit=\"\(u)\",state=\"open\",colour=\"\(colour)\"}", Double(max(0, n))))
            }
            occurrences.append(("{unit=\"\(u)\",state=\"late\",colour=\"red\"}", Double(t.late)))
            occurrences.append(("{unit=\"\(u)\",state=\"done\",colour=\"none\"}", Double(t.done)))
            occurrences.append(("{unit=\"\(u)\",state=\"waived\",colour=\"none\"}", Double(t.waived)))
        }
        family("dutyd_occurrences", occurrences)
        family("dutyd_holiday_years_provisional", [("", Double(state.provisionalYears))])
        if let year = state.publishedThrough {
            family("dutyd_holidays_published_through_year", [("", Double(year))])
        }
        return out
    }

    /// A label value as the text format wants it.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}

extension Duration {
    /// This duration in seconds, for the metrics' histograms.
    package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
