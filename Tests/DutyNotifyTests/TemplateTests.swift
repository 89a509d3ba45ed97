import DutyCalendar
import DutyCore
import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// The shipped templates in both languages, and an administrator's override.
@Suite(.ownThreads) struct TemplateTests {
    @Test func chineseDigestOrderedRedYellowBlueWithEverythingAnItemNeeds() throws {
        let t = try MailTemplates.load(folder: nil, language: "zh-CN")
        let (subject, body) = t.render(DigestView.sample(language: "zh-CN"))
        #expect(subject == "【督办提醒】3 项工作：逾期 1 项，临近截止 1 项，提醒 1 项")
        #expect(body.hasPrefix("王建国：\n\n2026年12月31日 周四，以下 3 项"))
        let red = try #require(body.range(of: "■ 红色 · 已逾期（1 项）"))
        let yellow = try #require(body.range(of: "■ 黄色 · 临近截止（1 项）"))
        let blue = try #require(body.range(of: "■ 蓝色 · 提醒（1 项）"))
        #expect(red.lowerBound < yellow.lowerBound && yellow.lowerBound < blue.lowerBound)
        #expect(body.contains("依据：第九条"))
        #expect(body.contains("截止：2026-12-31 周四，已逾期 8 天"))
        #expect(body.contains("截止：2026-12-31 周四，今天截止"))
        #expect(body.contains("截止：2026-12-31 周四，还有 30 天"))
        #expect(body.contains("逾期升级：主体责任"))
        #expect(body.contains("办结后登记：dutyctl done unit-situation-report/gd.sz.tsg/2026-H2"))
        // No HTML escaping in a text mail.
        #expect(!body.contains("&"))
    }

    @Test func englishAndASingleItem() throws {
        let t = try MailTemplates.load(folder: nil, language: "en")
        let (subject, body) = t.render(DigestView.sample(language: "en"))
        #expect(subject == "[dutyd] 3 duties: 1 late, 1 due soon, 1 upcoming")
        #expect(body.hasPrefix("Dear 王建国,\n\nAs of Thu 2026-12-31, these 3 duties"))
        #expect(body.contains("Deadline: Thu 2026-12-31, 8 days late"))
        let one = DigestView(
            recipientName: "王建国",
            recipientEmail: "w@example.org",
            today: CivilDate(year: 2026, month: 12, day: 31)!,
            language: "zh-CN",
            items: [DigestView.sample(language: "zh-CN").items[0]]
        )
        let (s1, _) = try MailTemplates.load(folder: nil, language: "zh-CN").render(one)
        #expect(s1 == "【逾期升级】深圳市图书馆：意识形态工作情况报告（2026-12-31 周四截止，已逾期 8 天）")
    }

    @Test func anOverrideIsUsedAndAMistakeIsPlaced() throws {
        let folder = scratchDirectory.appendingPathComponent("tpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "共 {{count}} 项 <{{recipient_name}}>\n".write(
            to: folder.appendingPathComponent("subject.zh-CN.mustache"),
            atomically: true,
            encoding: .utf8
        )
        let t = try MailTemplates.load(folder: folder.path, language: "zh-CN")
        #expect(t.render(DigestView.sample(language: "zh-CN")).subject == "共 3 项 <王建国>")
        #expect(t.overrides.count == 1)
        try "ok\n\n  {{#groups}}\n{{heading}}\n{{/items}}\n".write(
            to: folder.appendingPathComponent("body.en.mustache"),
            atomically: true,
            encoding: .utf8
        )
        // Checked whatever the language in use: a mistake is found before the day it is switched on.
        #expect {
            try MailTemplates.load(folder: folder.path, language: "zh-CN")
        } throws: { e in
            let t = e as! TemplateError
            return t.file?.hasSuffix("body.en.mustache") == true && t.line == 5 && t.message.contains("closed")
        }
        try "".write(to: folder.appendingPathComponent("body.en.mustache"), atomically: true, encoding: .utf8)
        try "{{! nothing }}".write(
            to: folder.appendingPathComponent("subject.zh-CN.mustache"),
            atomically: true,
            encoding: .utf8
        )
        #expect(throws: TemplateError.self) { try MailTemplates.load(folder: folder.path, language: "zh-CN") }
    }

    @Test func aThousandRandomChangesToATemplateGiveATemplateOrAPlacedError() throws {
        let original = Array(try #require(MailTemplates.builtin("body.zh-CN")))
        let pieces = [
            "", "{{", "}}", "{{#", "{{/", "{{^", "{{!", "{{>", "{{&", "{{=<% %>=}}", "#", "/", "\n", "中", "{{{",
        ]
        var state: UInt64 = 5
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
        let folder = scratchDirectory.appendingPathComponent("tpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("body.zh-CN.mustache")
        var refused = 0
        for _ in 0..<1000 {
            var text = original
            let at = next(text.count)
            text.replaceSubrange(at..<min(text.count, at + next(4)), with: Array(pieces[next(pieces.count)]))
            try String(text).write(to: file, atomically: true, encoding: .utf8)
            do {
                // Parsed, then tried on a sample digest.
                _ = try MailTemplates.load(folder: folder.path, language: "zh-CN")
            } catch {
                refused += 1
                #expect(error.line != nil && error.file == file.path, "\(error)")
            }
        }
        #expect(refused > 100 && refused < 1000)
    }
}
