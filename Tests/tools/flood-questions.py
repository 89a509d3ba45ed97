#!/usr/bin/env python3
"""CLIENTS clients ask dutyd's API the same expensive question for SECONDS seconds while one more asks
GET /v1/status every 100 ms and times each answer.

Usage: flood-questions.py SOCKET CLIENTS SECONDS QUESTION-URI

Prints one JSON object: the questions' statuses by code, and the status checks' count, failures,
p50, p99 and max latency in milliseconds. At the end the clients wait, at most 30 s more, until one
question has been answered, then go away without the rest (their connections close with the
process), as impatient users do.
"""
import http.client
import json
import socket
import sys
import threading
import time


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def ask(path, uri, timeout):
    c = UnixConnection(path, timeout)
    try:
        c.request("GET", uri)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def main():
    path, clients, seconds, uri = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    end = time.time() + seconds
    codes, lock = {}, threading.Lock()

    def flood():
        while time.time() < end:
            try:
                code = str(ask(path, uri, 120))
            except Exception as e:  # a refused or dropped connection counts by its kind
                code = type(e).__name__
            with lock:
                codes[code] = codes.get(code, 0) + 1

    threads = [threading.Thread(target=flood, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    latencies, failures = [], []
    while time.time() < end:
        t0 = time.time()
        try:
            code = ask(path, "/v1/status", 30)
            if code != 200:
                failures.append(str(code))
        except Exception as e:
            failures.append(type(e).__name__)
        latencies.append((time.time() - t0) * 1000)
        time.sleep(0.1)
    # Until one question has been answered (the proof that questions are answered at all), at most
    # GRACE seconds more; the others are abandoned.
    grace_end = time.time() + 30
    while time.time() < grace_end:
        with lock:
            if "200" in codes:
                break
        time.sleep(0.1)
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else None

    with lock:
        answered = dict(codes)
    print(json.dumps({
        "questions": answered,
        "status": {"count": len(latencies), "failures": failures, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
                   "max_ms": round(max(latencies), 1) if latencies else None},
    }))


if __name__ == "__main__":
    main()
