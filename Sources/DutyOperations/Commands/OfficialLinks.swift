import DutyCalendar
import DutyCore
import DutyFiles
import DutyNotify
import DutyStore
import Foundation

/// `official revoke-links ID`.
package struct RevokeLinksRequest: Codable, Sendable {
    package var official: String
    package init(official: String) { self.official = official }
}

/// What `official revoke-links --json` prints.
package struct RevokeLinksAnswer: Codable, Sendable {
    package var official: String
    /// Links and sessions issued before this are refused.
    package var revokedAt: String

    enum CodingKeys: String, CodingKey {
        case official
        case revokedAt = "revoked_at"
    }
}

/// `official revoke-links`: every personal link in the official's mail and every web session they
/// opened stops working at once (a lost phone, a person who left).
package enum RevokeLinks: DutyOperation {
    package static let route = "officials/revoke-links"
    package static let access = Access.write
    package static let command = ["official", "revoke-links"]
    package static func perform(_ r: RevokeLinksRequest, _ c: OperationContext) throws -> RevokeLinksAnswer {
        // Links are issued and checked on the real clock (a link's life is real time, whatever
        // `dutyd --start-at` does to the plan's), so they are revoked on it too.
        let now = Instant.now
        try c.store.revokeLinks(of: r.official, at: now)
        return RevokeLinksAnswer(official: r.official, revokedAt: now.format(in: c.workspace.settings.timezone))
    }
    package static func journal(
        _ r: RevokeLinksRequest,
        _ a: RevokeLinksAnswer
    ) -> (message: String, fields: [String: String]) {
        ("revoked the personal links of \(r.official)", ["DUTY_OFFICIAL": r.official])
    }
}

/// `official link ID`.
package struct OfficialLinkRequest: Codable, Sendable {
    package var official: String
    package init(official: String) { self.official = official }
}

/// A personal link, as `official link` prints it.
package struct OfficialLinkAnswer: Codable, Sendable {
    package var official: String
    package var link: String
    package var expires: String
}

/// `official link`: a fresh personal link to the web pages for an official (one who lost their mail),
/// for an administrator to hand over. Needs `[web]`.
package enum OfficialLink: DutyOperation {
    package static let route = "officials/link"
    package static let access = Access.write
    package static let command = ["official", "link"]
    package static func perform(_ r: OfficialLinkRequest, _ c: OperationContext) throws -> OfficialLinkAnswer {
        guard let web = c.workspace.settings.web else {
            throw Failure(
                ExitStatus.config,
                "the web pages are not set up: add [web] with listen, base_url and secret_file to the settings"
            )
        }
        guard try c.planner().organisation.officialIndex[r.official] != nil else {
            throw Failure.noOfficial(r.official)
        }
        let links = try web.links()
        // The real clock, as the pages check it (`RevokeLinks`).
        let now = Int(Instant.now.seconds)
        return OfficialLinkAnswer(
            official: r.official,
            link: links.link(official: r.official, now: now),
            expires: Instant(seconds: now + links.lifetime).format(in: c.workspace.settings.timezone)
        )
    }
    package static func journal(
        _ r: OfficialLinkRequest,
        _ a: OfficialLinkAnswer
    ) -> (message: String, fields: [String: String]) {
        ("made a personal link for \(r.official)", ["DUTY_OFFICIAL": r.official])
    }
}
