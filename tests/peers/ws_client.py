"""A client of `rpc serve`'s JSON-RPC over WebSocket (Python websockets), and of its bounds: for
`rpc`'s WebSocket tests.

    python ws_client.py URL CASE

Prints one JSON line with what happened, and exits 0 only if the case held (else 1, why on stderr).

Cases:
  calls        add, a batch, an error, a notification (no answer), ticks subscribed to then
               unsubscribed: {"add": 5, "batch": [...], "error": {...}, "ticks": [1, 2, 3],
               "unsubscribed": true}
  never-read   (raw socket) subscribes 8 times to 10 ms ticks and reads nothing for 8 s, then
               reads: the stream must end (the server cut it off): {"cut_off": true,
               "said_why": whether the close frame's reason got through}
  oversized    sends a message larger than the server's --max-body (2 MB): {"code": 1009}
  lying-length (raw socket) a frame header announcing 2^62 bytes, then a few: the connection must
               end within 10 s: {"closed": true}
  ping-flood   10000 pings without reading, then a call: it is answered: {"add": 5}
"""
import asyncio
import json
import os
import socket
import struct
import sys
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


def fail(why):
    print(why, file=sys.stderr)
    sys.exit(1)


async def call(ws, method, params, rid):
    await ws.send(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}))
    while True:
        message = json.loads(await ws.recv())
        if isinstance(message, list) or message.get("id") == rid:
            return message


async def case_calls(url):
    async with connect(url) as ws:
        add = (await call(ws, "add", [2, 3], 1))["result"]
        await ws.send(json.dumps([
            {"jsonrpc": "2.0", "id": 2, "method": "mul", "params": [3, 4]},
            {"jsonrpc": "2.0", "method": "add", "params": [1, 1]},
            {"jsonrpc": "2.0", "id": 3, "method": "nope"},
        ]))
        batch = json.loads(await ws.recv())
        error = (await call(ws, "div", [1, 0], 4))["error"]
        sub = (await call(ws, "subscribe", ["ticks", 20], 5))["result"]
        ticks = []
        while len(ticks) < 3:
            message = json.loads(await ws.recv())
            if message.get("method") == "subscription" and message["params"]["subscription"] == sub:
                ticks.append(message["params"]["result"]["count"])
        unsubscribed = (await call(ws, "unsubscribe", [sub], 6))["result"]
    result = {"add": add, "batch": batch, "error": error, "ticks": ticks, "unsubscribed": unsubscribed}
    print(json.dumps(result))
    ok = add == 5 and len(batch) == 2 and error["code"] == 1000 and ticks == [1, 2, 3] and unsubscribed
    if not ok:
        fail(f"unexpected: {result}")


def handshake(url, rcvbuf=None):
    """A raw socket that has made the opening handshake (no library: the bytes are ours)."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(10)
    sock.connect((host, int(port)))
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    sock.sendall((f"GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        fail(f"no upgrade: {head!r}")
    return sock


def masked_text(payload):
    """A client's text frame: FIN, opcode 1, masked."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    n = len(payload)
    if n < 126:
        head = bytes([0x81, 0x80 | n])
    elif n < 1 << 16:
        head = bytes([0x81, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([0x81, 0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + body


def case_never_read(url):
    sock = handshake(url, rcvbuf=4096)
    for rid in range(1, 9):
        request = {"jsonrpc": "2.0", "id": rid, "method": "subscribe", "params": ["ticks", 10]}
        sock.sendall(masked_text(json.dumps(request).encode()))
    time.sleep(8)  # never reading: the server's writes back up, its queue fills
    # Now read all there is: a server that cut the client off ends the stream; one that did not
    # goes on sending ticks.
    sock.settimeout(2)
    received, deadline = b"", time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            data = sock.recv(1 << 16)
            if not data:
                break
            received += data
    except socket.timeout:
        fail("the connection was still open, and silent: no close")
    except ConnectionResetError:
        pass
    if time.monotonic() >= deadline:
        fail("the server went on sending to a client that did not read")
    said = b"client does not read" in received
    print(json.dumps({"cut_off": True, "said_why": said}))


async def case_oversized(url):
    async with connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "echo", "params": ["x" * 2_000_000]}))
        try:
            await ws.recv()
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            print(json.dumps({"code": code}))
            if code != 1009:
                fail(f"closed with {code}, not 1009")
            return
    fail("an oversized message was answered")


def case_lying_length(url):
    sock = handshake(url)
    # A masked text frame whose 64-bit length says 2^62 bytes, then a few of them.
    sock.sendall(bytes([0x81, 0xFF]) + struct.pack(">Q", 1 << 62) + os.urandom(4) + b"abc")
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        fail("the connection stayed open after a frame that lies about its length")
    except ConnectionResetError:
        pass
    print(json.dumps({"closed": True}))


async def case_ping_flood(url):
    async with connect(url) as ws:
        for _ in range(10000):
            await ws.ping()
        add = (await call(ws, "add", [2, 3], 1))["result"]
    print(json.dumps({"add": add}))
    if add != 5:
        fail(f"add answered {add}")


def main():
    url, case = sys.argv[1], sys.argv[2]
    raw = {"lying-length": case_lying_length, "never-read": case_never_read}
    if case in raw:
        raw[case](url)
        return
    cases = {"calls": case_calls, "oversized": case_oversized, "ping-flood": case_ping_flood}
    asyncio.run(cases[case](url))


if __name__ == "__main__":
    main()
