#!/usr/bin/python3
"""Runs dutyd's libFuzzer targets (`make fuzz`, and a short run in `make test`).

    fuzz.py FUZZER SECONDS WORK TARGET...

Seeds each target's corpus (WORK/corpus/TARGET) from the repository's own fixtures the first time:
the example settings and policy, the organisation CSV files, the holiday files, the systemd and
python-dateutil oracle expressions, and request bodies the tests send. Then runs FUZZER on it for
SECONDS, one target after another, keeping what libFuzzer found new in the corpus, and writes any input
that crashed to WORK/crashes/TARGET/. Prints one line per target: runs, corpus size, and the outcome.
Exits 1 when any target crashed (the input to reproduce it: `FUZZER TARGET FILE`).
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def files(*patterns):
    out = []
    for p in patterns:
        out += sorted(glob.glob(os.path.join(ROOT, p), recursive=True))
    return [open(f, "rb").read() for f in out]


def jsonl(name, key):
    out = []
    path = os.path.join(ROOT, "Tests/DutyCalendarTests/Resources", name)
    with open(path, encoding="utf-8") as f:
        for line in f:
            value = json.loads(line).get(key)
            if isinstance(value, str):
                out.append(value.encode())
    return out[:600]


def seeds(target):
    if target in ("toml", "settings"):
        return files("config/*.toml", "systemd/*.toml.in", "config/policy/*.toml")
    if target == "policy":
        return files("config/policy/*.toml")
    if target == "csv":
        done = (
            "\ufeffoccurrence,date,reference,note,by\r\nsemiannual-report/gd.gz/2026-H2,2026-11-30,穗宣〔2026〕12号,,张三\r\n"
            "unit-situation-report/gd.gz.jyj/2026-H2,2026-12-01,,\"备注，含逗号\",\r\n"
        ).encode()
        parts = "date,period,subject,obligation\n2026-12-04,2026-H2,gd.gz.tsg,unit-situation-report\n".encode()
        return files("config/organisation/*.csv") + [done, parts]
    if target == "holiday-json":
        return files("config/holidays/cn/*.json")
    if target == "holiday-ics":
        return files("config/holidays/cn/*.ics")
    if target == "oncalendar":
        return jsonl("systemd-calendar-public.jsonl", "expr") + jsonl("systemd-calendar-generated.jsonl", "expr")
    if target == "rrule":
        return (
            jsonl("rrule-public.jsonl", "rrule")
            + jsonl("rrule-generated.jsonl", "rrule")
            + jsonl("rrule-generated.jsonl", "ical")[:200]
        )
    if target == "duration":
        return [s.encode() for s in ["7d", "5wd", "1w2d", "30min", "2h", "0d", "-3d", "10min", "1y", "3M"]]
    if target == "instant":
        return [
            s.encode()
            for s in [
                "2026-12-21T09:00:00+08:00",
                "2026-12-21 09:00",
                "@1766278800",
                "2026-02-29",
                "2024-02-29T23:59:59.999999Z",
                "previous-workday",
                "next-workday",
            ]
        ]
    if target == "requests":
        bodies = [
            {"occurrence": "unit-situation-report/gd.skl/2026-H2", "on": "2026-08-01", "reference": "粤宣〔2026〕1号"},
            {"within": "30d", "unit": "gd.sz", "subtree": True, "state": ["all"]},
            {"year": 2026, "unit": "gd", "subtree": True, "at": "2026-12-31T12:00:00+08:00"},
            {"file": "units.csv", "data": "aWQsbmFtZSxraW5kCg==", "replace": False, "track_from": "2026-01-01"},
            {"kind": "major-situation", "unit": "gd.sz", "on": "2026-05-01", "note": "x"},
            {"expression": "*-*-01 09:00", "rrule": "FREQ=MONTHLY;BYMONTHDAY=-1", "count": 5},
            {"limit": 100, "state": "failed", "channel": "email"},
        ]
        return [json.dumps(b, ensure_ascii=False).encode() for b in bodies]
    raise SystemExit("fuzz.py: no target %s" % target)


def main():
    fuzzer, seconds, work, targets = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    failed = []
    for target in targets:
        corpus = os.path.join(work, "corpus", target)
        crashes = os.path.join(work, "crashes", target)
        os.makedirs(corpus, exist_ok=True)
        os.makedirs(crashes, exist_ok=True)
        for old in os.listdir(crashes):  # this run's findings only
            os.remove(os.path.join(crashes, old))
        if not os.listdir(corpus):
            for s in seeds(target):
                with open(os.path.join(corpus, hashlib.sha1(s).hexdigest()), "wb") as f:
                    f.write(s)
        r = subprocess.run(
            [
                fuzzer, target, corpus,
                "-max_total_time=%d" % seconds,
                "-max_len=65536",
                "-timeout=10",
                "-rss_limit_mb=2048",
                "-print_final_stats=1",
                "-artifact_prefix=%s/" % crashes,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            errors="replace",
        )
        runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", r.stderr)
        found = sorted(os.listdir(crashes))
        outcome = "nothing found" if r.returncode == 0 and not found else "FOUND %s" % " ".join(found)
        print(
            "fuzz %-13s %4d s  %9s runs  %5d inputs in the corpus  %s"
            % (target, seconds, runs[-1] if runs else "?", len(os.listdir(corpus)), outcome),
            flush=True,
        )
        if r.returncode != 0 or found:
            failed.append(target)
            sys.stderr.write(r.stderr[-4000:])
    if failed:
        print("fuzz: crashes in %s; reproduce with: %s TARGET FILE" % (" ".join(failed), fuzzer))
        sys.exit(1)


main()
