package import Logging

/// The log of Hummingbird's servers: all they say except "Server started and listening on …", which
/// dutyd says itself, naming the setting that chose the address (`API listening on …`, `metrics on …`,
/// `web pages on …`), so that the journal has it once.
struct ServerLogHandler: LogHandler {
    var inner: any LogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level <= .info && event.message.description.hasPrefix("Server started and listening") { return }
        inner.log(event: event)
    }
}

extension Logger {
    /// This logger for a Hummingbird server (`ServerLogHandler`).
    package var forServer: Logger {
        var logger = self
        logger.handler = ServerLogHandler(inner: handler)
        return logger
    }
}
