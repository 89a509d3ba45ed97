#!/usr/bin/python3
"""Shows mail kept by smtp-server.py as a mail client would: headers decoded, then the body.

    show-mail.py FOLDER [--to ADDRESS] [--last] [--count N]
"""
import argparse
import glob
import json
import os
import signal

# `show-mail.py … | head -n 1`: end quietly when the reader has had enough.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--to")
p.add_argument("--last", action="store_true", help="only the newest matching message")
p.add_argument("--count", type=int, default=1)
a = p.parse_args()

files = sorted(glob.glob(os.path.join(a.folder, "*.json")))
mails = [json.load(open(f)) for f in files]
if a.to:
    mails = [m for m in mails if a.to in m["rcpt_tos"]]
print("%d message(s) kept in %s%s" % (len(mails), a.folder, " for " + a.to if a.to else ""))
chosen = mails[-1:] if a.last else mails[: a.count]
for m in chosen:
    p = m["parsed"]
    print("-" * 72)
    for name in ("from", "to", "subject", "date", "message_id"):
        print("%s: %s" % (name.replace("_", "-").title(), p[name]))
    print()
    print(p["body"].rstrip())
print("-" * 72)
