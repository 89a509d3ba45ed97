import DutyFiles
import DutyTestScoping
import Testing

/// TOML 1.0 as the specification writes it (toml.io/en/v1.0.0), and the mistakes it forbids, each
/// refused at its line and column.
@Suite("TOML parser", .ownThreads)
struct TOMLParserTests {
    @Test("values of every type, keys of every form")
    func values() throws {
        let t = try TOMLParser.parse(
            """
            # comment
            bare_key-1 = "basic \\"quoted\\" \\u4E2D\\U0001F600\\t"
            "quoted key" = 'literal \\no escape'
            dotted.key.here = 1_000
            hex = 0xDEAD_beef
            oct = 0o755
            bin = 0b1101
            neg = -17
            float = -3.14e+2
            inf = -inf
            bool = true
            odt = 1979-05-27T07:32:00.999-07:00
            ldt = 1979-05-27 07:32:00
            ld = 2026-11-29
            lt = 09:00:00
            multi = \"\"\"
            Roses are red \\
              Violets are blue\"\"\"
            lit = '''
            raw \\n text'''
            arr = [ 1, [2, "three"], { x = 1 }, ]  # trailing comma allowed
            inline = { a.b = 1, c = "d" }

            [table."with quotes".sub]
            k = "v"

            [[list]]
            n = 1
            [[list]]
            n = 2
            [list.inner]
            m = 3
            """
        )
        #expect(t["bare_key-1"]?.string == "basic \"quoted\" 中😀\t")
        #expect(t["quoted key"]?.string == "literal \\no escape")
        #expect(t["dotted"]?.table?["key"]?.table?["here"]?.int == 1000)
        #expect(t["hex"]?.int == 0xDEAD_BEEF)
        #expect(t["oct"]?.int == 0o755)
        #expect(t["bin"]?.int == 13)
        #expect(t["neg"]?.int == -17)
        if case .float(let f)? = t["float"]?.value { #expect(f == -314) } else { Issue.record("float") }
        if case .float(let f)? = t["inf"]?.value { #expect(f == -.infinity) } else { Issue.record("inf") }
        #expect(t["bool"]?.bool == true)
        #expect(t["odt"]?.date?.offsetSeconds == -7 * 3600)
        #expect(t["ldt"]?.date?.hour == 7)
        #expect(t["ld"]?.date?.isLocalDate == true)
        #expect(t["lt"]?.date?.year == nil && t["lt"]?.date?.hour == 9)
        #expect(t["multi"]?.string == "Roses are red Violets are blue")
        #expect(t["lit"]?.string == "raw \\n text")
        #expect(t["arr"]?.array?.count == 3)
        #expect(t["inline"]?.table?["a"]?.table?["b"]?.int == 1)
        #expect(t["table"]?.table?["with quotes"]?.table?["sub"]?.table?["k"]?.string == "v")
        #expect(t["list"]?.array?.count == 2)
        #expect(t["list"]?.array?[1].table?["inner"]?.table?["m"]?.int == 3)
        #expect(t.locate("list.1.inner.m")?.line == 32)
    }

    @Test(
        "mistakes are refused at their line and column",
        arguments: [
            ("a = 1\na = 2", 2, 1, "already defined at line 1"),
            ("[t]\n[t]", 2, 1, "table [t] is already defined at line 1"),
            ("a = { b = 1 }\n[a]", 2, 2, "inline table"),
            ("a = [1, 2]\n[[a]]", 2, 3, "already a list"),
            ("a = \"open", 1, 10, "opened at column 5 is not closed on its line"),
            ("a = [1, 2", 1, 10, "never closed"),
            ("a = [\"x\",} \"y\"]", 1, 10, "expected a value"),
            ("a = [{ b = [\"x\",} \"y\"] }]", 1, 17, "expected a value"),
            ("a = { b = 1, }", 1, 14, "no comma before '}'"),
            ("a = { b = 1\n}", 1, 12, "closed on its line"),
            ("a = 01", 1, 5, "not a value"),
            ("a = 1__0", 1, 5, "not a value"),
            ("a = 2026-02-30", 1, 13, "has 28 days"),
            ("a = 2026-13-01", 1, 10, "month 13 is out of range"),
            ("a = 09:00", 1, 10, "seconds are required"),
            ("a = \"\\q\"", 1, 6, "unknown escape"),
            ("a = tru", 1, 5, "expected a value"),
            ("a = 1 b = 2", 1, 7, "expected the end of the line"),
            ("= 1", 1, 1, "expected a key"),
            ("a 1", 1, 3, "expected '='"),
            ("a.b = 1\na = 2", 2, 1, "already defined at line 1"),
            ("[a]\nb.c = 1\n[a.b]", 3, 1, "already defined"),
            ("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 1, "a dotted key cannot add to it"),
            ("a = \"tab\tok\u{01}\"", 1, 12, "control character"),
        ] as [(String, Int, Int, String)]
    )
    func mistakes(text: String, line: Int, column: Int, message: String) {
        #expect {
            try TOMLParser.parse(text)
        } throws: { e in
            let e = e as! TOMLSyntaxError
            return e.line == line && e.column == column && e.message.contains(message)
        }
    }

    @Test("a file that is not UTF-8 is refused at its line, not repaired into nonsense")
    func notUTF8() {
        let text = String(decoding: Array("a = 1\nb = \"".utf8) + [0xB9, 0xE3, 0x22], as: UTF8.self)
        // String(decoding:) repairs bad bytes; the parser sees valid UTF-8 with U+FFFD, which is allowed.
        #expect((try? TOMLParser.parse(text)) != nil)
        // The bytes themselves, as a file saved as GBK holds them, are refused at their line.
        #expect {
            try TOMLParser.parse(bytes: Array("a = 1\nb = \"".utf8) + [0xB9, 0xE3, 0x22])
        } throws: { e in
            let e = e as! TOMLSyntaxError
            return e.line == 2 && e.message.contains("not UTF-8")
        }
        #expect {
            try Settings.parse(bytes: Array("timezone = \"".utf8) + [0xB1, 0xB1, 0xBE, 0xA9, 0x22], path: "s.toml")
        } throws: { e in (e as! ConfigError).description.hasPrefix("s.toml:1:1: the file is not UTF-8") }
    }
}
