#!/usr/bin/env python3
"""Records python-dateutil's expansion (first 10 occurrences) of generated RFC 5545 rules, in the format
of Tests/DutyCalendarTests/Resources/rrule-public.jsonl. Only rules RFC 5545 allows are generated.

    python3 Tests/tools/rrule-oracle.py --count 1500 --seed 7 > Tests/DutyCalendarTests/Resources/rrule-generated.jsonl
"""
import argparse, json, random, signal
from datetime import datetime
from dateutil import rrule, tz

STARTS = ["19970902T090000", "20261129T090000", "20261129T000000", "20240229T083000", "20261231T170000",
          "20270131T000000", "20260630T000000", "20261025T013000", "20250330T023000", "20280101T120000",
          "20261130T235959", "20260101T000000", "20261101T013000", "20260308T023000"]
ZONES = [None, None, None, "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

def lst(r, xs, k=3): return ",".join(str(x) for x in sorted(set(r.sample(xs, r.randint(1, k))), key=str))

def rule(r):
    freq = r.choice(["YEARLY", "YEARLY", "MONTHLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"])
    parts = [f"FREQ={freq}"]
    sub = freq in ("HOURLY", "MINUTELY", "SECONDLY")
    if r.random() < 0.4: parts.append(f"INTERVAL={r.choice([2, 3, 4, 6, 12] if not sub else [2, 5, 7, 15, 45, 90])}")
    have_by = False
    if r.random() < 0.35:
        parts.append("BYMONTH=" + lst(r, range(1, 13))); have_by = True
    if freq != "WEEKLY" and r.random() < 0.35:
        parts.append("BYMONTHDAY=" + lst(r, [1, 2, 13, 15, 20, 28, 29, 30, 31, -1, -2, -7, 10])); have_by = True
    if freq == "YEARLY" and r.random() < 0.15:
        parts.append("BYYEARDAY=" + lst(r, [1, 100, 200, 365, 366, -1, -100, 59, 60])); have_by = True
    weekno = False
    if freq == "YEARLY" and r.random() < 0.15:
        parts.append("BYWEEKNO=" + lst(r, [1, 2, 20, 52, 53, -1, -2, 26])); have_by = True; weekno = True
    if r.random() < 0.4:
        if freq in ("MONTHLY", "YEARLY") and not weekno and r.random() < 0.5:
            parts.append("BYDAY=" + ",".join(sorted(set(f"{r.choice([1, 2, 3, 4, 5, -1, -2, '+1'])}{r.choice(DAYS)}" for _ in range(r.randint(1, 2))))))
        else:
            parts.append("BYDAY=" + lst(r, DAYS, 5))
        have_by = True
    if sub and r.random() < 0.5:
        parts.append("BYHOUR=" + lst(r, range(0, 24))); have_by = True
    if freq in ("DAILY", "WEEKLY") and r.random() < 0.2:
        parts.append("BYHOUR=" + lst(r, [8, 9, 12, 17, 23])); have_by = True
    if freq in ("DAILY", "HOURLY", "MINUTELY", "SECONDLY") and r.random() < 0.3:
        parts.append("BYMINUTE=" + lst(r, [0, 15, 30, 45, 59])); have_by = True
    if freq in ("DAILY", "MINUTELY", "SECONDLY") and r.random() < 0.3:
        parts.append("BYSECOND=" + lst(r, [0, 10, 30, 59])); have_by = True
    if have_by and r.random() < 0.25:
        parts.append("BYSETPOS=" + lst(r, [1, 2, 3, -1, -2], 2))
    if r.random() < 0.25: parts.append(f"WKST={r.choice(DAYS)}")
    end = r.random()
    if end < 0.3: parts.append(f"COUNT={r.randint(1, 15)}")
    elif end < 0.5: parts.append(f"UNTIL={r.choice(['20271231T235959', '20280229T000000', '20300101T000000', '20261231T000000'])}")
    r.shuffle(parts[1:]) if False else None
    return ";".join(parts)

class Timeout(Exception): pass
def alarm(*_): raise Timeout()

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--count", type=int, default=1000); ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(); r = random.Random(a.seed)
    signal.signal(signal.SIGALRM, alarm)
    n = 0
    while n < a.count:
        start, zone, text = r.choice(STARTS), r.choice(ZONES), rule(r)
        if zone:
            text = text.replace("UNTIL=20271231T235959", "UNTIL=20271231T235959Z").replace("UNTIL=20280229T000000", "UNTIL=20280229T000000Z").replace("UNTIL=20300101T000000", "UNTIL=20300101T000000Z").replace("UNTIL=20261231T000000", "UNTIL=20261231T000000Z")
            ical = f"DTSTART;TZID={zone}:{start}\nRRULE:{text}"
        else:
            ical = f"DTSTART:{start}\nRRULE:{text}"
        rec = {"id": f"rgen-{n:05d}", "rrule": text, "ical": ical}
        signal.setitimer(signal.ITIMER_REAL, 0.4)
        try:
            rs = rrule.rrulestr(ical)
            first = []
            for d in rs:
                first.append(d.isoformat())
                if len(first) == 10: break
            signal.setitimer(signal.ITIMER_REAL, 0)
            rec.update(error=False, first=first, exhausted=len(first) < 10)
            if zone:
                z = tz.gettz(zone)
                rec["nonexistent_local"] = any(
                    not tz.datetime_exists(datetime.fromisoformat(s).replace(tzinfo=None), z) for s in first)
        except Timeout:
            continue
        except Exception as e:
            signal.setitimer(signal.ITIMER_REAL, 0)
            rec.update(error=True, message=f"{type(e).__name__}: {e}")
        print(json.dumps(rec)); n += 1

main()
