#!/usr/bin/env python3
"""Records what systemd-analyze calendar answers for generated expressions, in the format of
Tests/DutyCalendarTests/Resources/systemd-calendar-public.jsonl (fields id, expr, base, tz, error,
normalized, next). Needs systemd-analyze (systemd 252 on Debian 12).

    python3 Tests/tools/systemd-oracle.py --count 1500 --seed 7 > Tests/DutyCalendarTests/Resources/systemd-calendar-generated.jsonl
"""
import argparse, calendar, json, os, random, re, subprocess, datetime

BASES = ["2026-11-29T00:00:00Z", "2026-11-29T04:22:13Z", "2024-02-28T12:34:56Z", "2027-12-31T23:59:59Z",
         "2026-03-08T06:30:00Z", "2026-10-25T00:30:00Z", "2099-12-30T00:00:00Z", "2028-02-29T00:00:00Z",
         "2026-03-29T00:30:00Z", "2026-11-01T05:10:00Z", "2026-11-01T06:10:00Z", "2027-06-30T23:59:59Z"]
TZS = ["UTC", "UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
ZONES = ["", "", "", "", " UTC", " Asia/Shanghai", " America/New_York", " Europe/Berlin", " Australia/Lord_Howe",
          " Asia/Kolkata", " Pacific/Chatham", " America/Sao_Paulo", " Europe/London", " utc", " Etc/GMT-14",
         " CST", " EST", " EDT", " CET", " CEST", " +1030", " +11", " GMT"]

def pick(r, xs): return xs[r.randrange(len(xs))]

def num(r, lo, hi, width):
    return str(r.randint(lo, hi)).zfill(r.choice([1, width]))

def item(r, lo, hi, width, allow_repeat=True):
    k = r.random()
    a = r.randint(lo, hi)
    w = r.choice([1, width])
    if k < 0.5: return str(a).zfill(w)
    if k < 0.7:
        b = r.randint(lo, hi)
        return f"{str(a).zfill(w)}..{str(b).zfill(w)}"
    if k < 0.85 and allow_repeat: return f"{str(a).zfill(w)}/{r.randint(1, max(1, (hi - lo) // 2 + 2))}"
    if allow_repeat:
        b = r.randint(a, hi)
        return f"{str(a).zfill(w)}..{str(b).zfill(w)}/{r.randint(1, 5)}"
    return str(a)

def field(r, lo, hi, width, star=0.4):
    if r.random() < star: return "*"
    return ",".join(item(r, lo, hi, width) for _ in range(r.choice([1, 1, 1, 2, 3])))

def weekdays(r):
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "friday", "SUN"]
    n = r.choice([0, 0, 1, 2, 3])
    parts = []
    for _ in range(n):
        a = r.randrange(7)
        if r.random() < 0.4:
            b = r.randrange(a, 7)
            parts.append(f"{days[a]}..{days[b]}")
        else:
            parts.append(pick(r, days))
    return ",".join(parts)

def expression(r):
    k = r.random()
    if k < 0.05:
        return pick(r, ["minutely", "hourly", "daily", "weekly", "monthly", "quarterly", "semiannually",
                        "yearly", "annually", "Semi-Annually", "bi-annually", "DAILY"]) + pick(r, ZONES)
    wd = weekdays(r)
    year = field(r, 2024, 2032, 4, 0.7) if r.random() < 0.5 else "*"
    month = field(r, 1, 12, 2, 0.5)
    if r.random() < 0.25:
        day = ",".join(item(r, 1, 10, 2) for _ in range(r.choice([1, 1, 2])))
        sep = "~"
    else:
        day = field(r, 1, 31, 2, 0.3)
        sep = "-"
    form = r.random()
    if form < 0.2: date = f"{month}{sep}{day}"
    elif form < 0.3: date = ""
    else: date = f"{year}-{month}{sep}{day}"
    t = r.random()
    if t < 0.3: time = ""
    elif t < 0.7: time = f"{field(r, 0, 23, 2, 0.2)}:{field(r, 0, 59, 2, 0.2)}"
    else: time = f"{field(r, 0, 23, 2, 0.2)}:{field(r, 0, 59, 2, 0.2)}:{field(r, 0, 59, 2, 0.3)}"
    parts = [p for p in [wd, date, time] if p]
    if not parts: parts = ["*-*-*"]
    return " ".join(parts) + pick(r, ZONES)

def mutate(r, e):
    """Breaks an expression the way people do: stray characters, missing parts, out-of-range numbers."""
    ops = [lambda s: s.replace(" ", "T", 1), lambda s: s + ",", lambda s: s.replace("-", "/", 1),
           lambda s: s.replace(":", "", 1), lambda s: "x" + s, lambda s: s.replace("..", "...", 1),
           lambda s: s + " Mars/Olympus", lambda s: s.replace("*", "**", 1), lambda s: s + ":00:00",
           lambda s: s.replace("0", "9", 1), lambda s: s.replace("1", "-1", 1), lambda s: s + "~",
           lambda s: s.replace(",", ",,", 1), lambda s: " " + s, lambda s: s + " ", lambda s: s.upper(),
           lambda s: s.replace("Mon", "Mo", 1), lambda s: s.replace("..", "-", 1), lambda s: s.replace("/", "/0", 1)]
    return pick(r, ops)(e)

def epoch(iso): return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())

LINE = re.compile(r"(?:Next elapse|Iter\. #\d+|\(in UTC\)): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+)")

def run(expr, base, tz):
    env = dict(os.environ, TZ=tz, LC_ALL="C")
    p = subprocess.run(["systemd-analyze", "calendar", "--iterations=8", f"--base-time=@{epoch(base)}", expr],
                       env=env, capture_output=True, text=True)
    rec = {"expr": expr, "base": base, "tz": tz}
    out = p.stdout
    m = re.search(r"Normalized form: (.*)", out)
    if p.returncode != 0 or not m:
        kind = "next-elapse" if (m or "Failed to determine next elapse" in p.stderr) else "parse"
        rec.update(error=True, error_kind=kind, message=p.stderr.strip())
        if m: rec["normalized"] = m.group(1)
        return rec
    rec.update(error=False, normalized=m.group(1))
    times = []
    lines = out.splitlines()
    for i, line in enumerate(lines):
        mm = LINE.search(line)
        if not mm: continue
        is_utc_line = "(in UTC)" in line
        nxt_is_utc = i + 1 < len(lines) and "(in UTC)" in lines[i + 1]
        if is_utc_line or not nxt_is_utc:
            stamp, zone = mm.group(1), mm.group(2)
            if not is_utc_line and tz != "UTC" and zone != "UTC":
                continue
            times.append(stamp.replace(" ", "T") + "Z")
    rec["next"] = times
    rec["never"] = "Next elapse: never" in out
    return rec

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)
    for n in range(a.count):
        e = expression(r)
        if r.random() < 0.2: e = mutate(r, e)
        rec = run(e, pick(r, BASES), pick(r, TZS))
        rec = {"id": f"gen-{n:05d}", **rec}
        print(json.dumps(rec, ensure_ascii=False))

main()
