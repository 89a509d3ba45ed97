import DutyCore
package import DutyDaemon
package import DutyFiles
import DutyOperations
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
package import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `[metrics] listen`: `/metrics` over TCP for a Prometheus that cannot reach the API socket, and
/// nothing else (every other path is 404). Anyone who reaches the address may read the figures, which
/// name the top-level units: keep it on loopback, or allow only the scraper (the unit's IPAddressAllow=).
package final class MetricsServer: Service {
    let settings: MetricsSettings
    let scheduler: Scheduler
    let logger: Logger
    let version: String
    /// Connections open at once.
    package static let maximumConnections = 16

    package init(settings: MetricsSettings, scheduler: Scheduler, logger: Logger, version: String) {
        self.settings = settings
        self.scheduler = scheduler
        self.logger = logger
        self.version = version
    }

    package func run() async throws {
        let (host, port) = (settings.host, settings.port)
        let (scheduler, version, logger) = (self.scheduler, self.version, self.logger)
        // A scraper needs one or two connections; past `maximumConnections` (a local program opening
        // thousands) a new one is closed at once, and the descriptors stay the deliveries'.
        let limit = ConnectionLimit(perUser: Self.maximumConnections, total: Self.maximumConnections)
        let server = try HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [ConnectionLimitHandler(limit, byPeer: false)],
                idleTimeout: .seconds(30)
            )
        ).buildServer(
            configuration: ServerConfiguration(address: .hostname(host, port: port), backlog: 64),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger.forServer,
            responder: { request, writer, _ in
                var response: Response
                if request.method == .get && request.uri.path == "/metrics" {
                    do {
                        response = try await NIOThreadPool.singleton.runIfActive {
                            try APIServer.metrics(scheduler, version)
                        }
                    } catch {
                        response = APIServer.failure(error)
                    }
                } else {
                    response = Response(
                        status: .notFound,
                        headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: "only /metrics is served here\n"))
                    )
                }
                response.headers[.cacheControl] = "no-store"
                try await writer.write(response: response.head, body: response.body)
            },
            onServerRunning: { _ in
                logger.info("metrics on http://\(host):\(port)/metrics", metadata: ["DUTY_METRICS": "\(host):\(port)"])
            }
        )
        do {
            try await server.run()
        } catch {
            throw Failure(
                ExitStatus.config,
                "cannot serve metrics on \(host):\(port): \(error); set [metrics] listen to a free port, or remove it"
            )
        }
    }
}
