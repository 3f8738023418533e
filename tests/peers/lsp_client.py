"""A scripted LSP client, doing what an editor does, for `rpc`'s stdio tests: it starts CMD with
pipes and speaks the LSP base protocol (Content-Length framing) on its stdin/stdout.

    python lsp_client.py [--root DIR] [--file FILE] [--timeout S] -- CMD ARGS...
    python lsp_client.py --echo -- CMD ARGS...

It sends initialize (with hover, workspace/configuration and work-done-progress capabilities),
waits for the result, sends initialized, didOpen of FILE (default lsp/sample.py), and a hover over
the name of the file's first function where it is called; it waits for that answer, then sends
shutdown and exit, and waits (at most 10 s) for CMD to exit. Requests from the server meanwhile
are answered: workspace/configuration with a null per item, anything else with null.

Framing is checked strictly: each message has one valid Content-Length (and at most a
Content-Type besides), a body of exactly that many bytes that is a JSON-RPC 2.0 object, and every
byte CMD writes belongs to a message; a Content-Length over 64 MB is refused at once. Prints
one JSON line, on failure too:
  {"hover": ..., "received": N, "sent": N, "server_requests": [methods],
   "notifications": [methods], "exit_code": N}
The lists hold the first 100 methods; exit_code is null if CMD had to be killed. Exits 0 if all
was well-formed and the hover non-null, 1 otherwise (the reason on stderr, with the end of CMD's
stderr).

With --echo, CMD is taken for a byte echo (`cat`, or `rpc` relaying to one): a fixed sequence of
framed messages, among them one with non-ASCII text and one of 200 KB, is written, and exactly
the same bytes must come back. Prints {"echoed_bytes": N, "identical": true|false}.
"""
import argparse
import json
import os
import pathlib
import queue
import re
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
EXIT_WAIT = 10  # seconds CMD has to exit after `exit`
MAX_HEADER = 8192  # a header this long is stray output, not LSP
MAX_BODY = 64 << 20  # a Content-Length over this is a lie, not a message to wait for
LISTED = 100  # server_requests and notifications list the first methods only


class Failure(Exception):
    pass


def outgoing(method, params=None, **id):
    """A request (given id=) or a notification; without params for shutdown and exit, whose
    params LSP calls void (JSON-RPC allows no null there)."""
    built = {"jsonrpc": "2.0", **id, "method": method}
    if params is not None:
        built["params"] = params
    return built


def frame(message):
    body = json.dumps(message, ensure_ascii=False).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


HEADER_LINE = re.compile(rb"([A-Za-z-]+): *([^\r\n]*?) *")
# What a header line may look like before its CRLF has come: anything else is stray output.
HEADER_START = re.compile(rb"[A-Za-z-]*(:[^\r\n]*)?\r?")


class Framer:
    """Splits bytes into LSP messages, refusing anything that is not exactly the framing: header
    lines are checked as they come, so stray output fails at once rather than at a timeout."""

    def __init__(self):
        self.buffer = bytearray()
        self.framed = 0  # bytes accounted for by complete messages

    def feed(self, data):
        """Yields the messages data completes (those before a fault too)."""
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n", 0, MAX_HEADER + 4)
            if end < 0:
                self.check_unfinished_header()
                return
            length = self.content_length(bytes(self.buffer[:end]))
            if length > MAX_BODY:
                raise Failure("Content-Length %d, over %d" % (length, MAX_BODY))
            start = end + 4
            if len(self.buffer) < start + length:
                return
            body = bytes(self.buffer[start:start + length])
            del self.buffer[:start + length]
            self.framed += start + length
            yield self.parse(body)

    def check_unfinished_header(self):
        head = bytes(self.buffer[:MAX_HEADER + 4])
        if len(head) > MAX_HEADER:
            raise Failure("no end of header in %d bytes: %r" % (len(head), head[:80]))
        *lines, last = head.split(b"\r\n")
        for line in lines:
            if not HEADER_LINE.fullmatch(line):
                raise Failure("not a header line: %r" % line[:80])
        if not HEADER_START.fullmatch(last):
            raise Failure("not a header line: %r" % last[:80])

    @staticmethod
    def content_length(header):
        length = None
        for line in header.split(b"\r\n"):
            match = HEADER_LINE.fullmatch(line)
            if not match:
                raise Failure("not a header line: %r" % line[:80])
            name, value = match.group(1).lower(), match.group(2)
            if name == b"content-length":
                if length is not None or not value.isdigit():
                    raise Failure("bad Content-Length header: %r" % header[:80])
                length = int(value)
            elif name != b"content-type":
                raise Failure("unexpected header: %r" % line[:80])
        if length is None:
            raise Failure("a header without Content-Length: %r" % header[:80])
        return length

    @staticmethod
    def parse(body):
        try:
            message = json.loads(body.decode("utf-8"))
        except ValueError as e:
            raise Failure("a body that is not UTF-8 JSON (%s): %r" % (e, body[:80]))
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            raise Failure("not a JSON-RPC 2.0 object: %r" % body[:80])
        return message


class Child:
    """CMD, its stdout read in a thread (into messages, or raw bytes with --echo), its stderr kept
    (the end of it) for the report."""

    def __init__(self, argv, raw=False):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.inbox = queue.Queue()
        self.raw = raw
        self.received_bytes = bytearray()
        self.stderr_tail = b""
        self.sent = 0
        self.framer = None
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        framer = self.framer = Framer()
        fd = self.proc.stdout.fileno()
        try:
            while True:
                data = os.read(fd, 65536)
                if not data:
                    break
                if self.raw:
                    self.received_bytes += data
                    self.inbox.put(len(data))
                    continue
                for message in framer.feed(data):
                    self.inbox.put(message)
            if framer.buffer:
                raise Failure("%d bytes after the last message: %r" % (
                    len(framer.buffer), bytes(framer.buffer[:80])))
            self.inbox.put(None)  # EOF, every byte accounted for
        except Failure as e:
            self.inbox.put(e)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_tail = (self.stderr_tail + line)[-4000:]

    def send(self, message):
        self.write(frame(message))
        self.sent += 1

    def write(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise Failure("CMD closed its stdin (exit code %s)" % self.proc.poll())

    def next(self, timeout):
        """The next message; None at EOF."""
        try:
            item = self.inbox.get(timeout=max(timeout, 0))
        except queue.Empty:
            pending = len(self.framer.buffer) if self.framer else 0
            raise Failure("timed out (with %d bytes of an unfinished message)" % pending)
        if isinstance(item, Failure):
            raise item
        return item

    def stop(self):
        """After a failure: CMD is killed if it still runs."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def finish(self):
        """Closes stdin and waits for CMD to exit; its exit code."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(EXIT_WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("CMD did not exit within %d s" % EXIT_WAIT)


class Session:
    def __init__(self, child, timeout):
        self.child = child
        self.timeout = timeout
        self.received = 0
        self.server_requests = []
        self.notifications = []
        self.next_id = 0

    def request(self, method, params=None):
        """Sends a request and returns its result, serving the server meanwhile: all within
        timeout, however much else the server sends."""
        self.next_id += 1
        self.child.send(outgoing(method, params, id=self.next_id))
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                message = self.child.next(deadline - time.monotonic())
            except Failure as e:
                raise Failure("waiting for the answer to %s: %s" % (method, e))
            if message is None:
                raise Failure("CMD's stdout ended while waiting for %s" % method)
            self.received += 1
            if "method" in message:
                self.serve(message)
                continue
            if message.get("id") != self.next_id:
                raise Failure("an answer to no request of ours: %s" % json.dumps(message)[:200])
            if "error" in message or "result" not in message:
                raise Failure("%s failed: %s" % (method, json.dumps(message)[:200]))
            return message["result"]

    def serve(self, message):
        method = message["method"]
        if "id" not in message:
            self.notifications.append(method)
            del self.notifications[LISTED:]
            return
        self.server_requests.append(method)
        del self.server_requests[LISTED:]
        result = None  # client/registerCapability, window/workDoneProgress/create, the rest
        if method == "workspace/configuration":
            result = [None] * len(message.get("params", {}).get("items", []))
        self.child.send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def notify(self, method, params=None):
        self.child.send(outgoing(method, params))

    def drain(self):
        """After exit: reads to EOF (what comes must still be well-formed)."""
        deadline = time.monotonic() + self.timeout
        while self.child.next(deadline - time.monotonic()) is not None:
            self.received += 1


def hover_position(text):
    """Line and character inside the name of the file's first function, where it is called."""
    found = re.search(r"^def (\w+)\(", text, re.M)
    if not found:
        raise Failure("no function in the file to hover over")
    name = found.group(1)
    for line, content in enumerate(text.splitlines()):
        for match in re.finditer(r"\b%s\(" % name, content):
            if not content.lstrip().startswith("def "):
                return line, match.start() + len(name) // 2
    raise Failure("%s is never called in the file" % name)


def lsp(argv, root, path, timeout):
    text = path.read_text()
    line, character = hover_position(text)
    child = Child(argv)
    session = Session(child, timeout)
    report = {"hover": None, "exit_code": None}
    try:
        session.request("initialize", {
            "processId": os.getpid(),
            "clientInfo": {"name": "lsp_client.py", "version": "1.0"},
            "rootUri": root.as_uri(),
            "rootPath": str(root),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": {
                "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]},
                                 "synchronization": {"didSave": False}},
                "workspace": {"configuration": True, "workspaceFolders": True},
                "window": {"workDoneProgress": True},
            },
        })
        session.notify("initialized", {})
        session.notify("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": "python", "version": 1, "text": text}})
        report["hover"] = session.request("textDocument/hover", {
            "textDocument": {"uri": path.as_uri()},
            "position": {"line": line, "character": character}})
        session.request("shutdown")
        session.notify("exit")
        report["exit_code"] = child.finish()
        session.drain()
        if report["hover"] is None:
            raise Failure("the hover result is null")
    except Failure as e:
        try:
            report["exit_code"] = child.proc.wait(0.5)
        except subprocess.TimeoutExpired:
            pass  # still running: killed below, and exit_code stays null
        child.stop()
        tail = child.stderr_tail.decode(errors="replace")
        raise Failure("%s\n--- the end of CMD's stderr:\n%s" % (e, tail)) if tail else e
    finally:
        # The line is printed on failure too: what was seen helps to tell why.
        print(json.dumps({"hover": report["hover"], "received": session.received,
                          "sent": child.sent, "server_requests": session.server_requests,
                          "notifications": session.notifications,
                          "exit_code": report["exit_code"]}))


def echo(argv):
    """Writes framed messages (in a thread: CMD echoes while we write) and compares the echo."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "echo",
         "params": {"text": "héllo wörld, 日本語, 🦀"}},
        {"jsonrpc": "2.0", "id": 3, "method": "echo", "params": {"blob": "x" * 200_000}},
        {"jsonrpc": "2.0", "id": 4, "result": None},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    data = b"".join(frame(m) for m in messages)
    child = Child(argv, raw=True)

    def write_all():
        try:
            child.write(data)
            child.proc.stdin.close()
        except (Failure, BrokenPipeError):
            pass  # shows as a short echo

    threading.Thread(target=write_all, daemon=True).start()
    try:
        while child.next(30) is not None:
            pass
        exit_code = child.finish()
    finally:
        child.stop()
    got = child.received_bytes
    identical = got == data
    print(json.dumps({"echoed_bytes": len(got), "identical": identical}))
    if not identical:
        raise Failure("sent %d bytes, got back %d, first difference at %d (exit code %s)" % (
            len(data), len(got), next((i for i, (a, b) in enumerate(zip(data, got)) if a != b),
                                      min(len(data), len(got))), exit_code))
    # Our own bytes, through the strict framer: all of them must make messages again.
    framer = Framer()
    if len(list(framer.feed(got))) != len(messages) or framer.buffer:
        raise Failure("the echo does not split into the %d messages sent" % len(messages))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, default=HERE / "lsp")
    parser.add_argument("--file", type=pathlib.Path, default=HERE / "lsp" / "sample.py")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds to wait for each answer (default 60)")
    parser.add_argument("--echo", action="store_true", help="CMD is a byte echo, e.g. cat")
    parser.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    opts = parser.parse_args()
    argv = opts.cmd[1:] if opts.cmd[:1] == ["--"] else opts.cmd
    if not argv:
        parser.error("no command given after --")
    try:
        if opts.echo:
            echo(argv)
        else:
            lsp(argv, opts.root.resolve(), opts.file.resolve(), opts.timeout)
    except Failure as e:
        sys.stderr.write("lsp_client: %s\n" % e)
        sys.exit(1)


if __name__ == "__main__":
    main()
