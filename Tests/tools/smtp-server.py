#!/usr/bin/python3
"""A real SMTP server for dutyd's tests and benchmark (Debian's python3-aiosmtpd).

    smtp-server.py FOLDER [--port N] [--cert CERT --key KEY [--implicit]] [--user USER --password PASS
                   [--login-only]] [--discard | --headers-only]

Listens on 127.0.0.1 (on a free port unless --port) and prints `READY PORT` when it accepts
connections. With a
certificate it offers STARTTLS and requires it; with a user it requires AUTH (PLAIN or LOGIN) after
TLS. Every message accepted is stored as FOLDER/NNNNNN.json: {"mail_from", "rcpt_tos", "data",
"parsed"} ("parsed" is what Python's email package makes of it: see parse-mail.py)
(with --discard only counted, in FOLDER/count on exit; with --headers-only "parsed" is what
parse-mail.py's parse_headers reads, for tests that count thousands of messages by Message-ID).

Behaviour a test switches on and off with files in FOLDER:
- `tempfail`: every RCPT TO is answered 451;
- `hang`: the server stops answering after MAIL FROM (the client must time out);
- `slow` (a number of seconds inside): a tarpit, every answer to MAIL, RCPT and DATA comes that late;
and by recipient: a local part starting with `reject` gets 550, `busy` gets 451.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import logging
import threading

from aiosmtpd.controller import Controller

# aiosmtpd 1.4 logs a warning about its own use of a deprecated attribute on every AUTH.
logging.getLogger("mail.log").setLevel(logging.ERROR)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
parse_mail = __import__("parse-mail")
from aiosmtpd.smtp import AuthResult, LoginPassword


async def tarpit(folder):
    try:
        with open(os.path.join(folder, "slow")) as f:
            await asyncio.sleep(float(f.read().strip() or "0"))
    except FileNotFoundError:
        pass


class Handler:
    def __init__(self, folder, discard, headers_only):
        self.folder = folder
        self.discard = discard
        self.read = parse_mail.parse_headers if headers_only else parse_mail.parse
        self.count = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await tarpit(self.folder)
        if os.path.exists(os.path.join(self.folder, "hang")):
            await asyncio.sleep(3600)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await tarpit(self.folder)
        local = address.split("@")[0]
        if os.path.exists(os.path.join(self.folder, "tempfail")) or local.startswith("busy"):
            return "451 4.3.0 Try again later"
        if local.startswith("reject"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await tarpit(self.folder)
        with self.lock:
            self.count += 1
            n = self.count
        if not self.discard:
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "data": envelope.original_content.decode("utf-8", "replace"),
                "parsed": self.read(envelope.original_content),
            }
            tmp = os.path.join(self.folder, "%06d.tmp" % n)
            with open(tmp, "w") as f:
                json.dump(record, f, ensure_ascii=False)
            os.rename(tmp, os.path.join(self.folder, "%06d.json" % n))
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--discard", action="store_true")
    p.add_argument("--headers-only", action="store_true", help="parse only the headers of what is stored")
    p.add_argument("--port", type=int, default=0, help="listen here instead of on a free port")
    p.add_argument("--login-only", action="store_true", help="offer AUTH LOGIN and not PLAIN")
    p.add_argument("--implicit", action="store_true", help="TLS from the first byte (port 465 style)")
    a = p.parse_args()
    os.makedirs(a.folder, exist_ok=True)
    handler = Handler(a.folder, a.discard, a.headers_only)

    kwargs = {}
    if a.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)
        if a.implicit:
            kwargs.update(ssl_context=context)
        else:
            kwargs.update(tls_context=context, require_starttls=True)
    if a.user:

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == a.user
                and auth_data.password.decode() == a.password
            )
            # handled=False: aiosmtpd answers 535 itself (True would mean "already answered").
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(a.cert) and not a.implicit)
        if a.login_only:
            kwargs.update(auth_exclude_mechanism=["PLAIN"])

    # Find a free port, then serve on it.
    import socket

    port = a.port
    if port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname="localhost", **kwargs
    )
    controller.start()
    print("READY %d" % port, flush=True)

    done = threading.Event()
    # A parent may have blocked these (they are inherited); the server must stop on them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()
    with open(os.path.join(a.folder, "count"), "w") as f:
        f.write("%d\n" % handler.count)


if __name__ == "__main__":
    sys.exit(main())
