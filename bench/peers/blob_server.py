"""An HTTP/1.1 server that answers every POST with one file's bytes, for the big-payload rows of
bench/compare.sh: the request body is read and dropped, the answer is the file, as is.

    python3 blob_server.py FILE CONTENT_TYPE

Prints `listening on 127.0.0.1:PORT` first, then serves until killed.
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 20


class Blob(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        left = int(self.headers.get("Content-Length", "0"))
        while left > 0:
            left -= len(self.rfile.read(min(left, CHUNK)))
        self.send_response(200)
        self.send_header("Content-Type", self.server.content_type)
        self.send_header("Content-Length", str(len(self.server.blob)))
        self.end_headers()
        self.wfile.write(self.server.blob)

    def log_message(self, *args):
        pass


def main():
    path, content_type = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Blob)
    server.blob = open(path, "rb").read()
    server.content_type = content_type
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
