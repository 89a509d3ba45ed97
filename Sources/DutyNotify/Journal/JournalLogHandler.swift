package import Logging

/// swift-log into the journal: each log statement one entry, metadata as fields (`MESSAGE_ID` and other
/// valid names as written, others as `DUTY_…`), with the source location. Without a journal, readable
/// lines on stderr.
package struct JournalLogHandler: LogHandler {
    package let journal: Journal
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package var logLevel: Logger.Level = .info

    package init(journal: Journal, level: Logger.Level = .info) {
        self.journal = journal
        self.logLevel = level
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        var fields: [(name: String, value: String)] = []
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            fields.append((JournalField.name(key), "\(value)"))
        }
        if journal.mode == .native {
            fields.append(("CODE_FILE", event.file))
            fields.append(("CODE_LINE", String(event.line)))
            fields.append(("CODE_FUNC", event.function))
        }
        journal.send(JournalEntry(event.message.description, priority: Priority(event.level), fields: fields))
    }
}

extension Priority {
    package init(_ level: Logger.Level) {
        switch level {
        case .trace, .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        case .critical: self = .critical
        }
    }
}

extension Logger.Level {
    /// The log level that gives a journal entry this priority.
    package init(_ priority: Priority) {
        switch priority {
        case .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        case .critical, .alert, .emergency: self = .critical
        }
    }
}

extension Logger {
    /// Logs one of dutyd's own events: its priority, `MESSAGE_ID` and `DUTY_EVENT` come from the event,
    /// so every entry of a kind is found by `journalctl MESSAGE_ID=…` and explained by the catalog.
    package func event(
        _ event: DutyEvent,
        _ message: @autoclosure () -> String,
        _ metadata: Logger.Metadata = [:],
        file: String = #fileID,
        function: String = #function,
        line: UInt = #line
    ) {
        var all = metadata
        all["MESSAGE_ID"] = "\(event.messageID)"
        all["DUTY_EVENT"] = "\(event.rawValue)"
        log(
            level: Logger.Level(event.priority),
            "\(message())",
            metadata: all,
            file: file,
            function: function,
            line: line
        )
    }
}
