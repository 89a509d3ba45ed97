#!/usr/bin/python3
"""Parses one RFC 5322 message with Python's email package (the oracle for dutyd's messages).

    parse-mail.py < message      prints JSON: {"headers": [[name, raw value], ...], "subject", "from",
                                 "to", "message_id", "date", "body", "attachments": [{"filename",
                                 "content_type", "charset", "text"}], "defects", "max_line"}
    parse-mail.py --headers      the same keys from the headers alone (parse_headers)
"""
import email
import email.parser
import email.policy
import email.utils
import json
import sys


def parse(raw: bytes) -> dict:
    m = email.message_from_bytes(raw, policy=email.policy.default)
    compat = email.message_from_bytes(raw, policy=email.policy.compat32)
    body = m.get_body(preferencelist=("plain",))
    lines = raw.split(b"\n")
    return {
        "headers": [[k, v] for k, v in compat.items()],
        "subject": str(m["subject"]) if m["subject"] is not None else None,
        "from": str(m["from"]) if m["from"] is not None else None,
        "to": str(m["to"]) if m["to"] is not None else None,
        "to_addresses": [a.addr_spec for a in m["to"].addresses] if m["to"] is not None else [],
        "to_names": [a.display_name for a in m["to"].addresses] if m["to"] is not None else [],
        "from_name": m["from"].addresses[0].display_name if m["from"] is not None else None,
        "message_id": str(m["message-id"]) if m["message-id"] is not None else None,
        "date": str(m["date"]) if m["date"] is not None else None,
        "auto_submitted": str(m["auto-submitted"]) if m["auto-submitted"] is not None else None,
        "body": body.get_content() if body is not None else None,
        "attachments": [
            {
                "filename": a.get_filename(),
                "content_type": a.get_content_type(),
                "charset": a.get_content_charset(),
                # The bytes as sent, decoded as UTF-8 (a byte-order mark stays in the text).
                "text": a.get_payload(decode=True).decode("utf-8"),
            }
            for a in m.iter_attachments()
        ],
        "defects": [str(d) for d in m.defects] + [str(d) for d in (body.defects if body is not None else [])],
        "max_line": max(len(l.rstrip(b"\r")) for l in lines),
    }


def parse_headers(raw: bytes) -> dict:
    """The same keys from the header section alone, for a server that receives thousands of
    messages and a test that only counts them: Message-ID, Date, the raw headers and the To
    addresses; the fields that need decoding (subject, names, body) are None. A hundredth of
    parse()'s processor time."""
    h = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    lines = raw.split(b"\n")

    def one(name):
        v = h[name]
        return str(v).strip() if v is not None else None

    return {
        "headers": [[k, v] for k, v in h.items()],
        "subject": None,
        "from": None,
        "to": None,
        "to_addresses": [a for _, a in email.utils.getaddresses(h.get_all("to", []))],
        "to_names": [],
        "from_name": None,
        "message_id": one("message-id"),
        "date": one("date"),
        "auto_submitted": one("auto-submitted"),
        "body": None,
        "attachments": [],
        "defects": [],
        "max_line": max(len(l.rstrip(b"\r")) for l in lines),
    }


if __name__ == "__main__":
    read = parse_headers if "--headers" in sys.argv[1:] else parse
    json.dump(read(sys.stdin.buffer.read()), sys.stdout, ensure_ascii=False)
