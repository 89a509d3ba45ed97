#!/usr/bin/env python3
"""Generated TOML documents and what Python's tomllib makes of them, for the differential test of
dutyd's TOML parser (Tests/DutyFilesTests/TOMLOracleTests.swift).

Prints one JSON object per line: {"toml": TEXT, "valid": bool, "value": CANONICAL or null}.
Valid documents come from a small TOML grammar (keys bare, quoted and dotted; basic, literal and
multi-line strings with escapes; integers in four bases with underscores; floats, inf and nan;
booleans; arrays, nested and mixed; inline tables; tables; arrays of tables; comments). Half of
them are then damaged one character at a time, so most of those are invalid, some still valid.
Values are tagged so that types compare: ["s", text], ["i", n], ["f", repr(x)] (as text: Foundation's JSON reader on
Linux rounds some 17-digit numbers wrongly),
["b", bool], ["d", None] for dates and times (compared as present only), lists and objects.
Integers outside 64 bits are dutyd's documented refusal, and are marked invalid here.

usage: toml-oracle.py --count N --seed S
"""
import argparse, datetime, json, math, random, sys, tomllib

def canon(v):
    if isinstance(v, bool): return ["b", v]
    if isinstance(v, int):
        if not (-2**63 <= v < 2**63): raise OverflowError
        return ["i", v]
    if isinstance(v, float):
        if math.isnan(v): return ["f", "nan"]
        if math.isinf(v): return ["f", "inf" if v > 0 else "-inf"]
        return ["f", repr(v)]
    if isinstance(v, str): return ["s", v]
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)): return ["d", None]
    if isinstance(v, list): return [canon(x) for x in v]
    if isinstance(v, dict): return {k: canon(x) for k, x in v.items()}
    raise TypeError(type(v))

class Gen:
    def __init__(self, r): self.r = r
    def bare(self):
        return "".join(self.r.choice("abcxyz_-09AZ") for _ in range(self.r.randint(1, 6)))
    def key(self):
        c = self.r.random()
        if c < 0.7: return self.bare()
        if c < 0.85: return json.dumps(self.text(), ensure_ascii=self.r.random() < 0.5)
        return "'" + self.text().replace("'", "").replace("\n", "") + "'"
    def dotted(self):
        return ".".join(self.key() for _ in range(self.r.randint(1, 3)))
    def text(self):
        alphabet = ["a", "b", " ", "\\", '"', "'", "\t", "é", "中", "文", "😀", "#", "=", "[", "]", "{", "}", ",", "\u0001"]
        return "".join(self.r.choice(alphabet) for _ in range(self.r.randint(0, 8)))
    def string(self):
        c = self.r.random()
        t = self.text()
        if c < 0.5:
            out = ""
            for ch in t:
                if ch == '"': out += '\\"'
                elif ch == "\\": out += "\\\\"
                elif ch == "\t": out += self.r.choice(["\\t", "\t"])
                elif ch == "\u0001": out += "\\u0001"
                elif ord(ch) > 127 and self.r.random() < 0.3:
                    out += "\\U%08X" % ord(ch) if ord(ch) > 0xFFFF else "\\u%04X" % ord(ch)
                else: out += ch
            return '"' + out + '"'
        if c < 0.75:
            return "'" + t.replace("'", "").replace("\u0001", "") + "'"
        if c < 0.9:
            body = t.replace("\\", "\\\\").replace('"""', '""\\"').replace("\u0001", "\\b")
            return '"""' + self.r.choice(["", "\n"]) + body + self.r.choice(["", "\nline two", "\\\n   more"]) + '"""'
        return "'''" + self.r.choice(["", "\n"]) + t.replace("'", "").replace("\u0001", "") + "'''"
    def integer(self):
        c = self.r.random()
        n = self.r.choice([0, 1, 7, 42, 1000, 2**31, 2**53, 2**63 - 1, self.r.randint(-10**6, 10**6)])
        if c < 0.6:
            s = str(n)
            if self.r.random() < 0.3 and len(s.lstrip("-")) > 3:
                s = s[:-3] + "_" + s[-3:]
            if n >= 0 and self.r.random() < 0.2: s = "+" + s
            return s
        n = abs(n)
        return self.r.choice([hex(n).replace("0x", "0x"), oct(n), bin(n)])
    def float_(self):
        return self.r.choice(["3.14", "-0.0", "+1.5", "1e10", "6.02e+23", "1E-5", "5e+22", "1_000.5", "inf", "-inf", "nan", "+nan",
                              "0.1", "1.7976931348623157e308", "2.5e-308", str(self.r.uniform(-1e6, 1e6))])
    def value(self, depth=0):
        c = self.r.random()
        if c < 0.25: return self.string()
        if c < 0.45: return self.integer()
        if c < 0.55: return self.float_()
        if c < 0.62: return self.r.choice(["true", "false"])
        if c < 0.67: return self.r.choice(["1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "1979-05-27T00:32:00.999999-07:00"])
        if depth >= 3: return self.integer()
        if c < 0.85:
            items = [self.value(depth + 1) for _ in range(self.r.randint(0, 4))]
            sep = self.r.choice([", ", ",", ",\n  ", " , "])
            trail = self.r.choice(["", ","]) if items else ""
            return "[" + sep.join(items) + trail + "]"
        keys = []
        while len(keys) < self.r.randint(0, 3):
            k = self.bare()
            if k not in keys: keys.append(k)
        return "{" + ", ".join(f"{k} = {self.value(depth + 1)}" for k in keys) + "}"
    def document(self):
        lines = []
        used = set()
        def pair():
            k = self.dotted()
            while k in used: k = self.dotted()
            used.add(k)
            return f"{k} = {self.value()}" + self.r.choice(["", "  # note", " # 注释"])
        for _ in range(self.r.randint(0, 3)): lines.append(pair())
        for _ in range(self.r.randint(0, 3)):
            h = self.dotted()
            if self.r.random() < 0.3:
                lines.append(f"[[{h}]]")
            else:
                if h in used: continue
                used.add(h)
                lines.append(f"[{h}]")
            for _ in range(self.r.randint(0, 3)): lines.append(pair())
            if self.r.random() < 0.3: lines.append("# a comment")
            if self.r.random() < 0.3: lines.append("")
        return "\n".join(lines) + self.r.choice(["", "\n"])

def damage(r, text):
    if not text: return r.choice(["=", "[", "a =", '"'])
    i = r.randrange(len(text))
    c = r.random()
    if c < 0.4: return text[:i] + text[i + 1:]
    if c < 0.8: return text[:i] + r.choice('[]{}=,."\'#\\\n \t0a_+-:') + text[i:]
    return text[:i] + text[i] * 2 + text[i + 1:]

def main():
    a = argparse.ArgumentParser()
    a.add_argument("--count", type=int, default=3000)
    a.add_argument("--seed", type=int, default=2026)
    o = a.parse_args()
    r = random.Random(o.seed)
    g = Gen(r)
    for n in range(o.count):
        doc = g.document()
        if n % 2 == 1:
            for _ in range(r.randint(1, 2)): doc = damage(r, doc)
        try:
            value = canon(tomllib.loads(doc))
            valid = True
        except (tomllib.TOMLDecodeError, OverflowError, RecursionError, ValueError):
            value, valid = None, False
        sys.stdout.write(json.dumps({"toml": doc, "valid": valid, "value": value}, ensure_ascii=False) + "\n")

main()
