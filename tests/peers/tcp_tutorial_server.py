#!/usr/bin/env python3
"""A raw-TCP JSON RPC server written the way socket tutorials teach it: accept, one recv(1024),
json.loads, call, sendall(json.dumps(result)), close. The interop tests run `rpc call` against it.

With --loop it is the other common tutorial shape: it keeps each connection and answers every
recv(1024) in turn, still with no newline after an answer.

Binds 127.0.0.1 on a port the OS picks and prints `listening on 127.0.0.1:PORT` first.
Besides the arithmetic it has a few methods that exercise a client's framing:
  range n          a large answer (n numbers), sent in one sendall
  slow_add a b     the answer sent one byte at a time, a little apart
  half             half a JSON value, then close (a client must call that an invalid answer)
"""
import json
import socket
import sys
import time


def slow_add(conn, a, b):
    for byte in json.dumps(a + b).encode():
        conn.sendall(bytes([byte]))
        time.sleep(0.02)


METHODS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "range": lambda n: list(range(n)),
}


def handle(conn, data):
    method, *args = json.loads(data)
    if method == "slow_add":
        slow_add(conn, *args)
    elif method == "half":
        conn.sendall(b'{"result": [1, 2')
    elif method in METHODS:
        conn.sendall(json.dumps(METHODS[method](*args)).encode())
    else:
        error = {"code": -32601, "message": "Unknown method: " + str(method)}
        conn.sendall(json.dumps({"error": error}).encode())


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
    keep_connections = "--loop" in sys.argv[1:]
    while True:
        conn, _ = server.accept()
        with conn:
            while True:
                data = conn.recv(1024)
                if not data:
                    break
                try:
                    handle(conn, data)
                except Exception as e:  # the tutorial's catch-all: the error text as the answer
                    conn.sendall(json.dumps({"error": str(e)}).encode())
                if not keep_connections:
                    break


if __name__ == "__main__":
    main()
