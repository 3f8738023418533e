"""A JSON-RPC 2.0 server on its own stdin/stdout, the way `rpc` runs a child process, with modes
that fail on purpose the ways real stdio servers do. For `rpc`'s stdio transport tests.

    python stdio_server.py [--mode MODE] [--framing ndjson|content-length]

Framing: ndjson (the default) is one JSON value per line; content-length is LSP's base protocol,
`Content-Length: N\r\n\r\n` then N bytes of JSON. Methods: `echo` answers its params, `add [a, b]`
answers a + b, any other method -32601. Notifications get no answer; a batch gets an array of the
answers in order (nothing if it holds only notifications). stdout is flushed after each message.
When stdin ends the server exits 0, in every mode but `die`; when stdout's reader goes away
(broken pipe) it exits 0 quietly. Nothing but protocol goes to stdout, except in `banner`.

Modes:
  echo            as above
  banner          first prints `Server started (pid N)` as a plain line, then as echo
  die             `fatal: no config file` and `aborting` on stderr, exit 3 before reading anything
  die-after-read  reads one message, `panic: cannot handle it` on stderr, exit 2, no answer
  silent          reads everything, answers nothing
  flood-stderr    as echo, while a thread writes ~20 MB of log lines to stderr as fast as it can
  chatty          a `log` notification before each answer; before the first answer, a request to
                  the client (`ping`, id "srv-1"), and nothing else until the client answers it
                  (the answer goes to stderr: `client answered ping: <json>`); a batch is answered
                  in reverse order
  out-of-order    requests that arrive within 50 ms of one another are answered in reverse order,
                  one message each
  lying-length    answers the first request `Content-Length: 99999999999` then 10 bytes, and
                  nothing more (reads content-length framing whatever --framing says)
  endless-header  once the client has written something, `Content-Length: 5` then
                  `X-Junk: aaa...` header lines forever, never the blank line
  endless-body    once the client has written something, `Content-Length: 100000000`, a blank
                  line, then `x` forever
  forever-stdout  at once, `tick` notifications forever (in --framing), answering nothing
"""
import argparse
import json
import os
import queue
import sys
import threading
import time

MODES = ["echo", "banner", "die", "die-after-read", "silent", "flood-stderr", "chatty",
         "out-of-order", "lying-length", "endless-header", "endless-body", "forever-stdout"]
# Modes whose main thread stops reading: the reading thread exits the process on EOF.
NOT_READING = {"silent", "lying-length", "endless-header", "endless-body", "forever-stdout"}
EOF = object()
UNPARSABLE = object()  # a message that is not JSON, queued so that its -32700 keeps its place
STDOUT = sys.stdout.buffer


def leave(status):
    """Exit at once. Not sys.exit: the reading thread may sit in stdin's readline, holding the
    lock that the interpreter's shutdown then waits for ("could not acquire lock ... at
    interpreter shutdown")."""
    sys.stderr.flush()
    os._exit(status)


def write_raw(data):
    try:
        STDOUT.write(data)
        STDOUT.flush()
    except BrokenPipeError:
        leave(0)  # whoever read our stdout has gone: nothing more to say, and no traceback


def error(id_, code, message):
    return {"jsonrpc": "2.0", "id": id_, "error": {"code": code, "message": message}}


def call(request):
    """The answer to one request (an object with method and id)."""
    method, params, id_ = request["method"], request.get("params"), request["id"]
    if method == "echo":
        return {"jsonrpc": "2.0", "id": id_, "result": params}
    if method == "add":
        if not (isinstance(params, list) and len(params) == 2):
            return error(id_, -32602, "Invalid params")
        try:
            return {"jsonrpc": "2.0", "id": id_, "result": params[0] + params[1]}
        except TypeError:
            return error(id_, -32602, "Invalid params")
    return error(id_, -32601, "Method not found")


def is_request(message):
    return isinstance(message, dict) and "method" in message and "id" in message


def answer(message):
    """The answer to one message: None for a notification or a response, a list for a batch."""
    if message is UNPARSABLE:
        return error(None, -32700, "Parse error")
    if isinstance(message, list):
        if not message:
            return error(None, -32600, "Invalid Request")
        answers = [a for a in map(answer_one, message) if a is not None]
        return answers or None
    return answer_one(message)


def answer_one(message):
    if not isinstance(message, dict) or not isinstance(message.get("method"), str):
        if isinstance(message, dict) and "method" not in message \
                and ("result" in message or "error" in message):
            return None  # a response to a request of ours: nothing to say
        return error(message.get("id") if isinstance(message, dict) else None,
                     -32600, "Invalid Request")
    return call(message) if "id" in message else None


class Stream:
    """Reads framed messages from stdin in a thread (so modes can wait with a timeout) and writes
    framed messages to stdout."""

    def __init__(self, framing, exit_on_eof=False):
        self.framing = framing
        self.exit_on_eof = exit_on_eof
        self.messages = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read_all, daemon=True).start()

    def _read_all(self):
        stdin = sys.stdin.buffer
        while True:
            body = self._read_body(stdin)
            if body is None:
                break
            if not body.strip():
                continue  # blank lines between ndjson messages
            try:
                self.messages.put(json.loads(body))
            except ValueError:
                self.messages.put(UNPARSABLE)
        if self.exit_on_eof:
            leave(0)  # the main thread is busy writing (or sleeping): leave from here
        self.messages.put(EOF)

    def _read_body(self, stdin):
        if self.framing == "ndjson":
            return stdin.readline() or None
        length = None
        while True:
            line = stdin.readline()
            if not line:
                return None
            line = line.rstrip(b"\r\n")
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length" and value.strip().isdigit():
                length = int(value)
        if length is None:
            # No way to find where the body ends: what an LSP server does is give up.
            sys.stderr.write("stdio_server: a header without a valid Content-Length\n")
            leave(1)
        body = stdin.read(length)
        return body if len(body) == length else None

    def get(self, timeout=None):
        """The next message, EOF when stdin has ended, None when timeout passes first."""
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            return None

    def send(self, message):
        body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
        if self.framing == "ndjson":
            data = body + b"\n"
        else:
            data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self.lock:
            write_raw(data)


def flood_stderr():
    """~20 MB of log lines. os.write, not sys.stderr: a thread stuck in sys.stderr.write holds its
    lock, and the interpreter's exit would then wait for it forever."""
    line = b"flood-stderr: a log line written as fast as possible, nobody asked for it......\n"
    chunk = line * (65536 // len(line))
    try:
        for _ in range(20_000_000 // len(chunk)):
            view = memoryview(chunk)
            while view:
                view = view[os.write(2, view):]
    except OSError:
        pass  # stderr closed: stop logging, keep serving


def drain_stdin(first):
    """Reads stdin to its end, setting first at the first bytes; exits the process at EOF."""
    while sys.stdin.buffer.read1(65536):
        first.set()
    leave(0)


def serve(stream, mode):
    """echo, banner, flood-stderr, chatty, out-of-order: answer until stdin ends."""
    pending = []  # chatty: messages read while waiting for the client's answer to srv-1
    pinged = mode != "chatty"
    while True:
        message = pending.pop(0) if pending else stream.get()
        if message is EOF:
            return
        group = [message]
        if mode == "out-of-order":
            while True:
                more = stream.get(timeout=0.05)
                if more is None:
                    break
                if more is EOF:
                    pending.append(EOF)  # answer what came, then leave
                    break
                group.append(more)
            group.reverse()
        for message in group:
            reply = answer(message)
            if reply is None:
                continue
            if not pinged:
                pinged = True
                stream.send({"jsonrpc": "2.0", "id": "srv-1", "method": "ping", "params": {}})
                if not wait_for_ping_answer(stream, pending):
                    return
            if mode == "chatty":
                requests = message if isinstance(message, list) else [message]
                for request in requests:
                    if is_request(request):
                        note = {"message": "working on %s" % json.dumps(request["id"])}
                        stream.send({"jsonrpc": "2.0", "method": "log", "params": note})
                if isinstance(reply, list):
                    reply.reverse()
            stream.send(reply)


def wait_for_ping_answer(stream, pending):
    """Reads until the client answers srv-1, keeping anything else for later. False on EOF."""
    while True:
        message = stream.get()
        if message is EOF:
            return False
        if isinstance(message, dict) and message.get("id") == "srv-1" and "method" not in message:
            answered = json.dumps(message, separators=(",", ":"))
            sys.stderr.write("client answered ping: %s\n" % answered)
            sys.stderr.flush()
            return True
        pending.append(message)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=MODES, default="echo")
    parser.add_argument("--framing", choices=["ndjson", "content-length"], default="ndjson")
    opts = parser.parse_args()
    mode = opts.mode
    framing = "content-length" if mode == "lying-length" else opts.framing

    if mode == "die":
        sys.stderr.write("fatal: no config file\naborting\n")
        leave(3)
    if mode == "banner":
        write_raw(b"Server started (pid %d)\n" % os.getpid())
    if mode == "flood-stderr":
        threading.Thread(target=flood_stderr, daemon=True).start()

    if mode in ("endless-header", "endless-body"):
        # Whatever framing the client speaks: its first bytes are the cue, the rest is dropped.
        first = threading.Event()
        threading.Thread(target=drain_stdin, args=(first,), daemon=True).start()
        first.wait()
        if mode == "endless-header":
            write_raw(b"Content-Length: 5\r\n")
            junk = b"X-Junk: " + b"a" * 1000 + b"\r\n"
            while True:
                write_raw(junk)
        write_raw(b"Content-Length: 100000000\r\n\r\n")
        while True:
            write_raw(b"x" * 65536)

    stream = Stream(framing, exit_on_eof=mode in NOT_READING)
    if mode == "die-after-read":
        if stream.get() is not EOF:
            sys.stderr.write("panic: cannot handle it\n")
            leave(2)
    elif mode == "silent":
        while True:
            stream.get()
    elif mode == "lying-length":
        while not is_request(stream.get()):
            pass
        write_raw(b"Content-Length: 99999999999\r\n\r\n" + b'{"jsonrpc"')
        while True:
            time.sleep(3600)
    elif mode == "forever-stdout":
        while True:
            stream.send({"jsonrpc": "2.0", "method": "tick", "params": [1]})
    else:
        serve(stream, mode)
    leave(0)


if __name__ == "__main__":
    main()
