"""A JSON-RPC 2.0 server over WebSocket (Python websockets) with modes that misbehave on purpose
the ways real servers do. For `rpc`'s WebSocket tests.

    python ws_server.py [--mode MODE]

Prints `listening on 127.0.0.1:PORT` first, then serves until killed. Methods: `echo` answers its
params, `add [a, b]` answers a + b, `eth_subscribe` answers "0xs1" and then sends an
`eth_subscription` notification every 50 ms ({"subscription": "0xs1", "result": N}),
`eth_unsubscribe ["0xs1"]` stops them and answers true, `handshake` answers what the opening
handshake carried ({"path", "origin", "authorization", "x-test", "subprotocol"}: the server
accepts the subprotocol `json-rpc` when offered); any other method -32601. A batch gets an array
of the answers. Every unsubscribe is written to stderr as `unsubscribed <id>`.

Modes:
  normal          as above
  out-of-order    a batch's answers come as separate messages, in reverse order
  notify-first    before each answer, a notification `log` and a notification of another
                  subscription ("0xother")
  no-close        answers the first request, then drops the TCP connection without a close frame
  silent          reads everything, answers nothing
  fragmented      each answer is sent as a fragmented message (one frame per 3 bytes)
  oversized       answers every request with a 2 MB result
"""
import argparse
import asyncio
import json
import sys

from websockets.asyncio.server import serve

MODES = ["normal", "out-of-order", "notify-first", "no-close", "silent", "fragmented", "oversized"]


def handshake(ws):
    """What the client's opening handshake carried."""
    headers = ws.request.headers
    return {"path": ws.request.path, "origin": headers.get("Origin"),
            "authorization": headers.get("Authorization"), "x-test": headers.get("X-Test"),
            "subprotocol": ws.subprotocol}


def answer(request, ws):
    """The answer object to one request object (None for a notification)."""
    method, params, rid = request.get("method"), request.get("params", []), request.get("id")
    if rid is None:
        return None
    if method == "handshake":
        result = handshake(ws)
    elif method == "echo":
        result = params
    elif method == "add":
        result = params[0] + params[1]
    elif method == "eth_subscribe":
        result = "0xs1"
    elif method == "eth_unsubscribe":
        result = True
    else:
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}}
    return {"jsonrpc": "2.0", "id": rid, "result": result}


async def ticks(ws, stop):
    count = 0
    while not stop.is_set():
        await asyncio.sleep(0.05)
        count += 1
        message = {"jsonrpc": "2.0", "method": "eth_subscription",
                   "params": {"subscription": "0xs1", "result": count}}
        await ws.send(json.dumps(message))


async def send(ws, mode, message):
    text = json.dumps(message)
    if mode == "fragmented":
        await ws.send(text[i:i + 3] for i in range(0, len(text), 3))
    else:
        await ws.send(text)


async def handle(ws, mode):
    stop = asyncio.Event()
    async for raw in ws:
        if mode == "silent":
            continue
        request = json.loads(raw)
        entries = request if isinstance(request, list) else [request]
        if mode == "notify-first":
            await ws.send(json.dumps({"jsonrpc": "2.0", "method": "log", "params": {"text": "working"}}))
            await ws.send(json.dumps({"jsonrpc": "2.0", "method": "eth_subscription",
                                      "params": {"subscription": "0xother", "result": -1}}))
        answers = [a for a in (answer(e, ws) for e in entries) if a is not None]
        for entry in entries:
            if entry.get("method") == "eth_subscribe":
                stop.clear()
                asyncio.get_running_loop().create_task(ticks(ws, stop))
            if entry.get("method") == "eth_unsubscribe":
                stop.set()
                print(f"unsubscribed {entry.get('params', [None])[0]}", file=sys.stderr, flush=True)
        if mode == "oversized":
            answers = [dict(a, result="x" * 2_000_000) for a in answers]
        if mode == "out-of-order" and isinstance(request, list):
            for a in reversed(answers):
                await send(ws, mode, a)
        elif isinstance(request, list):
            if answers:
                await send(ws, mode, answers)
        elif answers:
            await send(ws, mode, answers[0])
        if mode == "no-close":
            ws.transport.abort()
            return


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=MODES, default="normal")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    opts = parser.parse_args()
    chooses = lambda ws, offered: "json-rpc" if "json-rpc" in offered else None
    async with serve(lambda ws: handle(ws, opts.mode), opts.host, 0, max_size=None,
                     select_subprotocol=chooses) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on {opts.host}:{port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
