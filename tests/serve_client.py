"""HTTP clients for tests/cli_serve.sh: real clients (http.client, raw
sockets) against `seqsent serve` on loopback.  One process makes many
requests, as a Python start costs more than a hundred of them.

  bodies OUT=TEXTFILE[,KEY=JSON...]...
      /predict bodies: {"texts": the file's lines, KEY: value, ...}
  batch PORT SPECFILE
      the requests of SPECFILE, one a line, in order:
      NAME METHOD PATH [BODYFILE [chunked]]
          NAME.body: the answer's body; NAME.head: "status N" and its Allow,
          Content-Type and Connection headers; NAME.error: the "error" of a
          JSON body
      NAME declare LENGTH
          POST /predict saying Content-Length LENGTH and sending no body;
          NAME.body: all that comes back before the server closes, its
          status in NAME.head
      NAME samejson FILE
          NAME.same: "equal" when FILE (less its "file" section) and the
          earlier answer NAME hold the same JSON
  load PORT CLIENTS REQUESTS BODY:EXPECT...
      REQUESTS POST /predict from CLIENTS threads, each on its own keep-alive
      connection, cycling through the pairs; prints how many answers were
      200 with the EXPECT file's bytes, how many were not, how many failed
  drain PORT PID BODYFILE
      POST /predict with half of the body, SIGTERM to PID, a new connection
      (which must be refused), the rest of the body; the answer as batch
      saves it, as drain.*; prints whether the new connection was refused

Every socket has a timeout: nothing here waits for ever.
"""
import http.client
import json
import os
import signal
import socket
import sys
import threading
import time

TIMEOUT = 30


def conn(port):
    return http.client.HTTPConnection("127.0.0.1", int(port), timeout=TIMEOUT)


def save(name, status, headers, body):
    with open(name + ".body", "wb") as f:
        f.write(body)
    with open(name + ".head", "w") as f:
        f.write("status %d\n" % status)
        for h in ("Allow", "Content-Type", "Connection"):
            if headers.getheader(h) is not None:
                f.write("%s: %s\n" % (h.lower(), headers.getheader(h)))
    try:
        err = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        err = "(no JSON error)"
    with open(name + ".error", "w", encoding="utf-8") as f:
        f.write(err + "\n")


def request(port, name, method, path, bodyfile=None, chunked=None):
    c = conn(port)
    body = open(bodyfile, "rb").read() if bodyfile else None
    if chunked:
        pieces = [body[i:i + 4096] for i in range(0, len(body), 4096)]
        c.request(method, path, body=iter(pieces), encode_chunked=True,
                  headers={"Transfer-Encoding": "chunked"})
    else:
        c.request(method, path, body=body)
    r = c.getresponse()
    save(name, r.status, r, r.read())
    c.close()


def post_head(length):
    return (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % length)


def declare(port, name, length):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)
    s.sendall(post_head(int(length)))
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    with open(name + ".body", "wb") as f:
        f.write(data)
    with open(name + ".head", "w") as f:
        f.write("status %s\n" % (data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "none"))


def samejson(name, path):
    a = json.load(open(path, encoding="utf-8"))
    a.pop("file", None)
    same = a == json.loads(open(name + ".body", "rb").read())
    with open(name + ".same", "w") as f:
        f.write("equal\n" if same else "differ\n")


def bodies(*specs):
    for spec in specs:
        out, rest = spec.split("=", 1)
        parts = rest.split(",")
        d = {"texts": open(parts[0], encoding="utf-8").read().split("\n")[:-1]}
        for kv in parts[1:]:
            k, v = kv.split("=", 1)
            d[k] = json.loads(v)
        with open(out, "w", encoding="utf-8") as f:
            f.write(json.dumps(d, ensure_ascii=False))


def batch(port, specfile):
    for line in open(specfile):
        w = line.split()
        if not w:
            continue
        if w[1] == "declare":
            declare(port, w[0], w[2])
        elif w[1] == "samejson":
            samejson(w[0], w[2])
        else:
            request(port, *w)


def load(port, clients, requests, *pairs):
    work = [(open(b, "rb").read(), open(e, "rb").read()) for b, e in (p.split(":") for p in pairs)]
    clients, requests = int(clients), int(requests)
    counts = {"ok": 0, "wrong": 0, "failed": 0}
    lock = threading.Lock()

    def client(k):
        c = conn(port)
        for i in range(k, requests, clients):
            b, want = work[i % len(work)]
            try:
                c.request("POST", "/predict", body=b, headers={"Content-Type": "application/json"})
                r = c.getresponse()
                got = r.read()
                what = "ok" if r.status == 200 and got == want else "wrong"
            except (OSError, http.client.HTTPException):
                what = "failed"
                c.close()
                c = conn(port)
            with lock:
                counts[what] += 1
        c.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("%(ok)d ok, %(wrong)d wrong, %(failed)d failed" % counts)


def drain(port, pid, bodyfile):
    b = open(bodyfile, "rb").read()
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)
    s.sendall(post_head(len(b)) + b[:len(b) // 2])
    time.sleep(0.5)                   # the server has the headers: the request is in progress
    os.kill(int(pid), signal.SIGTERM)
    time.sleep(0.5)                   # the server has taken the signal
    try:
        socket.create_connection(("127.0.0.1", int(port)), timeout=5).close()
        refused = "a new connection was accepted"
    except OSError:
        refused = "new connections refused"
    s.sendall(b[len(b) // 2:])
    r = http.client.HTTPResponse(s, method="POST")
    r.begin()
    save("drain", r.status, r, r.read())
    s.close()
    print(refused)


if __name__ == "__main__":
    {"bodies": bodies, "batch": batch, "load": load, "drain": drain}[sys.argv[1]](*sys.argv[2:])
