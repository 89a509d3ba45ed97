import DutyCalendar
import Foundation
import Mustache

/// The subject and body templates of one language, the shipped ones or the administrator's overrides.
package struct MailTemplates: Sendable {
    package static let languages = ["zh-CN", "en"]
    /// Every template name; a file `NAME.mustache` in the templates folder overrides it.
    package static var names: [String] { BuiltinTemplates.texts.keys.sorted() }

    package let language: String
    let subject: MustacheTemplate
    let body: MustacheTemplate
    /// The override files in use.
    package let overrides: [String]

    /// The shipped text of a template (`dutyctl config template NAME`).
    package static func builtin(_ name: String) -> String? { BuiltinTemplates.texts[name] }

    /// Loads the templates of `language`, each from `folder/NAME.mustache` when that file exists.
    /// Every override file in the folder is parsed, whatever its language, so a mistake is found when
    /// the configuration is checked and not on the day the language is switched.
    package static func load(folder: String?, language: String) throws(TemplateError) -> MailTemplates {
        guard languages.contains(language) else {
            throw TemplateError(
                file: nil,
                line: nil,
                column: nil,
                message: "unknown language \"\(language)\"; expected \"zh-CN\" or \"en\""
            )
        }
        var parsed: [String: MustacheTemplate] = [:]
        var overrides: [String] = []
        if let folder, let files = try? FileManager.default.contentsOfDirectory(atPath: folder) {
            for file in files.sorted() where file.hasSuffix(".mustache") {
                let name = String(file.dropLast(".mustache".count))
                let path = (folder as NSString).appendingPathComponent(file)
                guard BuiltinTemplates.texts[name] != nil else {
                    throw TemplateError(
                        file: path,
                        line: nil,
                        column: nil,
                        message:
                            "no template is called \(name); expected one of \(names.map { "\($0).mustache" }.joined(separator: ", "))"
                    )
                }
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw TemplateError(
                        file: path,
                        line: nil,
                        column: nil,
                        message: "cannot read the template; check its permissions"
                    )
                }
                guard let text = String(validating: Array(data), as: UTF8.self) else {
                    throw TemplateError(
                        file: path,
                        line: TextPosition.firstNonUTF8Line(Array(data)[...]),
                        column: nil,
                        message: "the template is not UTF-8; save it as UTF-8"
                    )
                }
                parsed[name] = try parse(text, file: path)
                overrides.append(path)
            }
        }
        func template(_ kind: String) throws(TemplateError) -> MustacheTemplate {
            let name = "\(kind).\(language)"
            if let t = parsed[name] { return t }
            return try parse(BuiltinTemplates.texts[name]!, file: "(built-in \(name))")
        }
        let t = MailTemplates(
            language: language,
            subject: try template("subject"),
            body: try template("body"),
            overrides: overrides
        )
        // A template that parses can still render nothing useful: try it on a sample.
        let (subject, _) = t.render(DigestView.sample(language: language))
        if subject.isEmpty {
            throw TemplateError(
                file: parsed["subject.\(language)"] != nil
                    ? (folder.map { "\($0)/subject.\(language).mustache" }) : nil,
                line: nil,
                column: nil,
                message: "the subject template renders an empty subject"
            )
        }
        return t
    }

    /// Parses plain-text mustache (no HTML escaping); errors are placed in the file.
    static func parse(_ text: String, file: String) throws(TemplateError) -> MustacheTemplate {
        do {
            // A standalone pragma line is dropped from the output; line numbers are one less.
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + text)
        } catch let e as MustacheTemplate.ParserError {
            throw TemplateError(
                file: file,
                line: e.context.lineNumber - 1,
                column: e.context.columnNumber,
                message: "\(TemplateError.explain(e.error)) in \"\(e.context.line.trimmingSpaces)\""
            )
        } catch {
            throw TemplateError(file: file, line: nil, column: nil, message: "\(error)")
        }
    }

    /// The subject (one line) and the body of a digest.
    package func render(_ view: DigestView) -> (subject: String, body: String) {
        let context = view.context
        let s = subject.render(context)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
        return (s, body.render(context))
    }
}

/// A template that does not parse or render: exit status 78, placed at its file, line and column.
package struct TemplateError: Error, Sendable, CustomStringConvertible {
    package var file: String?
    package var line: Int?
    package var column: Int?
    package var message: String

    package var description: String {
        guard let file else { return message }
        return placed(message, file: file, line: line, column: column)
    }

    static func explain(_ e: any Error) -> String {
        guard let m = e as? MustacheTemplate.Error else { return "\(e)" }
        switch m {
        case .sectionCloseNameIncorrect: return "a section is closed ({{/name}}) with another name than it was opened"
        case .unfinishedName: return "a tag is not finished; expected }} after the name"
        case .expectedSectionEnd: return "a section is opened ({{#name}}) and never closed with {{/name}}"
        case .invalidSetDelimiter: return "a set-delimiter tag is badly written"
        case .unrecognisedConfigVariable, .invalidConfigVariableSyntax: return "unknown {{% …}} pragma"
        default: return "\(m)"
        }
    }
}
