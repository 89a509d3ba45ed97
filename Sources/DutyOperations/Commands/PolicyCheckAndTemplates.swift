import DutyCalendar
import DutyCore
import DutyFiles
import DutyNotify
import DutyQueries
import DutyStore
import Foundation

package struct PolicyCheckRequest: Codable, Sendable {
    package init() {}
}

package struct PolicyCheckAnswer: Codable, Sendable {
    package var files: [String]
    package var obligations: Int
    package var kinds: Int
    package var roles: Int
}

/// `config template [NAME]`: the names, or one shipped template's text.
package struct TemplateRequest: Codable, Sendable {
    package var name: String?
    package init(name: String?) { self.name = name }
}

package struct TemplateAnswer: Codable, Sendable {
    package var names: [String]
    package var text: String?

    package init(_ r: TemplateRequest) throws {
        names = MailTemplates.names
        guard let name = r.name else { return }
        guard let text = MailTemplates.builtin(name) else {
            throw Failure(
                ExitStatus.usage,
                "no template is called \(name); expected one of \(MailTemplates.names.joined(separator: ", "))"
            )
        }
        self.text = text
    }
}

/// `policy check`: the policy files as they are now.
package enum CheckPolicy: DutyOperation {
    package static let route = "policy/check"
    package static let access = Access.read
    package static let command = ["policy", "check"]
    package static func perform(_ r: PolicyCheckRequest, _ c: OperationContext) throws -> PolicyCheckAnswer {
        try c.workspace.settingsOnDisk().checkPolicy()
    }
}

/// `config template [NAME]`: the shipped templates.
package enum ShowTemplate: DutyOperation {
    package static let route = "config/template"
    package static let access = Access.read
    package static let command = ["config", "template"]
    package static func perform(_ r: TemplateRequest, _ c: OperationContext) throws -> TemplateAnswer {
        try TemplateAnswer(r)
    }
}
