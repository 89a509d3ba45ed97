#!/usr/bin/env python3
"""Opens COUNT connections to a Unix socket (or HOST:PORT over TCP) and holds them, as a careless or
hostile client would.

Usage: hold-connections.py SOCKET|HOST:PORT COUNT READYFILE [--wait-closed SECONDS | --hold SECONDS]

After connecting it waits until the server has stopped closing connections (the count of open ones
is steady for a second, or 30 s pass), writes "held N refused M" to READYFILE, then, with
--wait-closed, waits until the server has closed every connection it kept (its idle timeout) and
prints "closed after S s"; exit status 1 if some were still open after SECONDS. With --hold, it
keeps what it holds for SECONDS (or until it is killed).
"""
import os
import resource
import select
import socket
import sys
import time


def still_open(conns):
    alive = []
    for s in conns:
        try:
            r, _, _ = select.select([s], [], [], 0)
            if r and s.recv(1, socket.MSG_PEEK) == b"":
                s.close()
                continue
        except OSError:
            s.close()
            continue
        alive.append(s)
    return alive


def main():
    path, count, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    wait_closed = hold = None
    if "--wait-closed" in sys.argv:
        wait_closed = float(sys.argv[sys.argv.index("--wait-closed") + 1])
    if "--hold" in sys.argv:
        hold = float(sys.argv[sys.argv.index("--hold") + 1])
    tcp = not path.startswith("/") and ":" in path
    address = (path.rsplit(":", 1)[0], int(path.rsplit(":", 1)[1])) if tcp else path
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    conns, refused = [], 0
    for _ in range(count):
        s = socket.socket(socket.AF_INET if tcp else socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if tcp:
                s.connect(address)
                s.setblocking(False)
            else:
                # Without waiting: a full backlog (EAGAIN) counts as refused, as a flood does not wait
                # either.
                s.setblocking(False)
                s.connect(address)
            conns.append(s)
        except OSError:
            refused += 1
            s.close()
            time.sleep(0.001)
        if len(conns) % 256 == 0:
            conns = still_open(conns)
    deadline = time.time() + 30
    last, steady_since = -1, time.time()
    while time.time() < deadline:
        conns = still_open(conns)
        if len(conns) != last:
            last, steady_since = len(conns), time.time()
        elif time.time() - steady_since >= 1.0:
            break
        time.sleep(0.1)
    with open(ready + ".tmp", "w") as f:
        f.write(f"held {len(conns)} refused {refused}\n")
    os.rename(ready + ".tmp", ready)
    if hold is not None:
        time.sleep(hold)
        return 0
    if wait_closed is None:
        return 0
    start = time.time()
    while time.time() - start < wait_closed:
        conns = still_open(conns)
        if not conns:
            print(f"closed after {time.time() - start:.1f} s", flush=True)
            return 0
        time.sleep(0.2)
    print(f"still open {len(conns)} after {wait_closed} s", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
