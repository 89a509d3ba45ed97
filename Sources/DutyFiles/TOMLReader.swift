import DutyCore

/// Typed, strict access to one TOML table: every read names the dotted path it read, so a problem
/// can be placed in the file; keys nobody asked for are reported as unknown.
struct TOMLReader {
    let table: TOMLTable
    let path: String

    init(_ table: TOMLTable, path: String) {
        self.table = table
        self.path = path
    }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    func problem(_ k: String?, _ message: String) -> PolicyProblem {
        PolicyProblem(message, key: k.map(key) ?? path)
    }

    /// Refuses keys outside `known`.
    func checkKeys(_ known: [String]) throws(PolicyProblem) {
        for k in table.keys where !known.contains(k) {
            let place = path.isEmpty ? "" : " in [\(path)]"
            throw problem(k, "unknown key '\(k)'\(place); expected one of \(known.joined(separator: ", "))")
        }
    }

    func has(_ k: String) -> Bool { table[k] != nil }

    /// Every key, in the order written.
    var keys: [String] { table.keys }

    func string(_ k: String, _ what: String) throws(PolicyProblem) -> String? {
        guard let v = table[k] else { return nil }
        guard let s = v.string else { throw problem(k, "\(k): expected \(what) in quotes, found \(v.typeName)") }
        return s
    }

    func requiredString(_ k: String, _ what: String) throws(PolicyProblem) -> String {
        guard let s = try string(k, what) else { throw problem(nil, "missing \(k): expected \(what)") }
        return s
    }

    func bool(_ k: String) throws(PolicyProblem) -> Bool? {
        guard let v = table[k] else { return nil }
        guard let b = v.bool else { throw problem(k, "\(k): expected true or false, found \(v.typeName)") }
        return b
    }

    func int(_ k: String, _ range: ClosedRange<Int>) throws(PolicyProblem) -> Int? {
        guard let v = table[k] else { return nil }
        guard let i = v.int, range.contains(i) else {
            throw problem(k, "\(k): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }

    /// A string or a list of strings.
    func strings(_ k: String, _ what: String) throws(PolicyProblem) -> [String]? {
        guard let v = table[k] else { return nil }
        if let s = v.string { return [s] }
        guard let a = v.array else { throw problem(k, "\(k): expected a list of \(what) in quotes") }
        var out: [String] = []
        for (i, item) in a.enumerated() {
            guard let s = item.string else {
                throw PolicyProblem("\(k): expected a list of \(what) in quotes", key: key("\(k).\(i)"))
            }
            out.append(s)
        }
        return out
    }

    func table(_ k: String) throws(PolicyProblem) -> TOMLReader? {
        guard let v = table[k] else { return nil }
        guard let t = v.table else { throw problem(k, "\(k): expected a table ({ … } or [\(key(k))])") }
        return TOMLReader(t, path: key(k))
    }

    /// A list of tables, written `[[k]]` or `k = [{ … }, { … }]`.
    func tables(_ k: String) throws(PolicyProblem) -> [TOMLReader]? {
        guard let v = table[k] else { return nil }
        guard let a = v.array else { throw problem(k, "\(k): expected a list of tables ([{ … }, …] or [[\(key(k))]])") }
        var out: [TOMLReader] = []
        for (i, item) in a.enumerated() {
            guard let t = item.table else {
                throw PolicyProblem("\(k): expected a table { … } as element \(i + 1)", key: key("\(k).\(i)"))
            }
            out.append(TOMLReader(t, path: key("\(k).\(i)")))
        }
        return out
    }
}
