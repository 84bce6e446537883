"""bench_serve.py - a bounded load generator for `seqsent serve` (scripts/bench_serve.sh).

  python3 scripts/bench_serve.py PORT CLIENTS REQUESTS BODYFILE [MAX_SECONDS]

CLIENTS threads, each on its own keep-alive loopback connection, send
REQUESTS POST /predict in all (the body of BODYFILE every time), one at a
time per connection; the run stops by itself after REQUESTS, or after
MAX_SECONDS (default 300) whatever is left.  Raw sockets with the request
bytes built once, so that the client spends as little as it can per request
(it shares the machine with the server).  Prints one JSON object:
{"clients", "requests", "ok", "errors", "seconds", "rps", "p50_ms", "p99_ms"}
(latency: from sending a request to its last byte; ok: 200 answers).
"""
import json
import socket
import sys
import threading
import time


def read_answer(s, buf):
    """One HTTP answer from s (buf: bytes already read): (status, rest of buf)."""
    while b"\r\n\r\n" not in buf:
        b = s.recv(65536)
        if not b:
            raise ConnectionError("connection closed")
        buf += b
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(buf) < length:
        b = s.recv(65536)
        if not b:
            raise ConnectionError("connection closed")
        buf += b
    return status, buf[length:]


def main(port, clients, requests, bodyfile, max_seconds="300"):
    port, clients, requests, max_seconds = int(port), int(clients), int(requests), float(max_seconds)
    body = open(bodyfile, "rb").read()
    req = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body
    lat, errors, lock = [], [0], threading.Lock()
    t0 = time.monotonic()
    deadline = t0 + max_seconds

    def client(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        buf = b""
        mine = []
        for _ in range(n):
            if time.monotonic() > deadline:
                break
            t = time.monotonic()
            try:
                s.sendall(req)
                status, buf = read_answer(s, buf)
            except OSError:
                with lock:
                    errors[0] += 1
                s.close()
                s = socket.create_connection(("127.0.0.1", port), timeout=30)
                buf = b""
                continue
            if status == 200:
                mine.append(time.monotonic() - t)
            else:
                with lock:
                    errors[0] += 1
        s.close()
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=client, args=(requests // clients + (k < requests % clients),))
               for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    lat.sort()

    def pct(p):
        return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 3) if lat else None

    print(json.dumps({"clients": clients, "requests": requests, "ok": len(lat), "errors": errors[0],
                      "seconds": round(secs, 3), "rps": round(len(lat) / secs, 1),
                      "p50_ms": pct(0.50), "p99_ms": pct(0.99)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
