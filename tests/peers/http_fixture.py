"""A deliberately broken or inspectable HTTP server for the client's error paths.

Modes: garbage (200 with a non-JSON body), headers (a JSON-RPC result echoing the request's
headers), status (a 503 with a text body), silent (reads the request, never answers).
Prints `listening on HOST:PORT`.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def handler_for(mode):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if mode == "silent":
                threading.Event().wait()
            if mode == "garbage":
                self.answer(200, b"this is not JSON-RPC", "text/plain")
            elif mode == "status":
                self.answer(503, b"down for maintenance", "text/plain")
            elif mode == "headers":
                request = json.loads(body)
                result = {k.lower(): v for k, v in self.headers.items()}
                doc = {"jsonrpc": "2.0", "result": result, "id": request.get("id")}
                self.answer(200, json.dumps(doc).encode(), "application/json")

        def answer(self, status, payload, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def main(mode):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(mode))
    server.daemon_threads = True
    host, port = server.server_address
    print(f"listening on {host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
