"""An HTTPS server that plays the example session of the Reach RPC Protocol Specification.

    python reach_spec_server.py CERT.pem KEY.pem

Prints `listening on 127.0.0.1:PORT`, then serves, as in the specification's example:
  POST /stdlib/formatCurrency ["19283.1035819471", 4]  ->  "19283.1035"
  POST /backend/Alice ["Contract-42", {"price": 10}, {"showX": true}]
                                   ->  {"t": "Kont", "kid": "Kont-A", "m": "showX", "args": ["19283.1035819471"]}
  POST /kont ["Kont-A", ANSWER]    ->  {"t": "Done", "ans": ANSWER}   (the example answers null)
Every request must carry `X-API-Key: OpenSesame` (401 otherwise). A request that differs from the
example gets a 400 naming what was expected, so a client that strays from the protocol fails.
The backend calls showX whatever the client registered, as a backend whose interact interface
has showX would: a client must then say that it cannot answer.
"""

import json
import ssl
import sys
from decimal import Decimal, ROUND_DOWN
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "OpenSesame"
ALICE_ARGS = ["Contract-42", {"price": 10}, {"showX": True}]


def format_currency(amount, decimals):
    """Cuts a decimal string to `decimals` places, as stdlib.formatCurrency does."""
    step = Decimal(1).scaleb(-int(decimals))
    return str(Decimal(amount).quantize(step, rounding=ROUND_DOWN))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.headers.get("X-API-Key") != API_KEY:
            return self.answer(401, {"error": "missing or wrong X-API-Key"})
        try:
            args = json.loads(body)
        except ValueError:
            return self.answer(400, {"error": "the body is not JSON"})
        if not isinstance(args, list):
            return self.answer(400, {"error": "the body must be a JSON array"})
        if self.path == "/stdlib/formatCurrency" and len(args) == 2:
            return self.answer(200, format_currency(*args))
        if self.path == "/backend/Alice":
            # The methods object may differ (a client may not offer showX); the rest may not.
            if args[:2] != ALICE_ARGS[:2] or len(args) != 3:
                return self.answer(400, {"error": "expected %s" % json.dumps(ALICE_ARGS)})
            return self.answer(200, {"t": "Kont", "kid": "Kont-A", "m": "showX",
                                     "args": ["19283.1035819471"]})
        if self.path == "/kont" and len(args) == 2 and args[0] == "Kont-A":
            return self.answer(200, {"t": "Done", "ans": args[1]})
        return self.answer(404, {"error": "no method %s for %s" % (self.path, json.dumps(args))})

    def answer(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        sys.stderr.write("spec server: %s\n" % (format % args))


def main():
    cert, key = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
