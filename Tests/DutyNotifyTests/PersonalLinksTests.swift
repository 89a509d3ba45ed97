import DutyNotify
import DutyTestScoping
import Testing

/// Personal links: a token is good only unaltered, of its kind, before it expires, under its key.
@Suite("personal links", .ownThreads)
struct PersonalLinksTests {
    static let links = PersonalLinks(
        key: Array(repeating: 1, count: 32),
        baseURL: "https://d.example.org",
        lifetime: 3600
    )

    @Test("a token is read back; altered, of the other kind, expired or under another key it is refused")
    func tokens() {
        let now = 1_800_000_000
        let link = Self.links.link(official: "luo.ting", now: now)
        #expect(link.hasPrefix("https://d.example.org/l/"))
        let token = String(link.dropFirst("https://d.example.org/l/".count))
        let claim = Self.links.verify(token, .link, now: now + 10)
        #expect(claim == PersonalLinks.Claim(kind: .link, official: "luo.ting", issued: now, expires: now + 3600))
        #expect(Self.links.verify(token, .session, now: now) == nil)
        #expect(Self.links.verify(token, .link, now: now + 3600) == nil)
        // One character changed anywhere: refused.
        for i in [0, token.count / 2, token.count - 1] {
            var chars = Array(token)
            chars[i] = chars[i] == "A" ? "B" : "A"
            #expect(Self.links.verify(String(chars), .link, now: now) == nil, "\(i)")
        }
        let other = PersonalLinks(key: Array(repeating: 2, count: 32), baseURL: "", lifetime: 3600)
        #expect(other.verify(token, .link, now: now) == nil)
        #expect(Self.links.verify(String(repeating: "A", count: 5000) + "." + "B", .link, now: now) == nil)
        #expect(Self.links.verify("", .link, now: now) == nil && Self.links.verify("..", .link, now: now) == nil)
    }

    @Test("a form token belongs to its session")
    func formTokens() {
        let a = Self.links.formToken(session: "session-a")
        #expect(Self.links.checkFormToken(a, session: "session-a"))
        #expect(!Self.links.checkFormToken(a, session: "session-b"))
        #expect(!Self.links.checkFormToken("", session: "session-a"))
        #expect(!Self.links.checkFormToken(String(repeating: "x", count: 500), session: "session-a"))
    }

    @Test("an occurrence id sealed for an address is read back only unaltered, under its key")
    func sealed() {
        let id = "duty-report/huang.zhiqiang/2026"
        let sealed = Self.links.opaque(id)
        #expect(!sealed.contains("huang") && sealed.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(Self.links.reveal(sealed) == id)
        var chars = Array(sealed)
        chars[chars.count / 2] = chars[chars.count / 2] == "A" ? "B" : "A"
        #expect(Self.links.reveal(String(chars)) == nil)
        let other = PersonalLinks(key: Array(repeating: 2, count: 32), baseURL: "", lifetime: 3600)
        #expect(other.reveal(sealed) == nil && Self.links.reveal("") == nil && Self.links.reveal("!!") == nil)
    }
}
