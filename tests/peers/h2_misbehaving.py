"""An HTTP/2 server (Python h2) that answers gRPC calls the ways a gRPC library never would on
purpose: statuses that come late or never, HTTP errors and HTML from proxies. For `rpc`'s
"gRPC in the field" tests; the methods are those of field/misbehave/v1/misbehave.proto.

Cleartext HTTP/2 with prior knowledge (gRPC's h2c), no TLS. Each call of a Misbehave method is
read to its end, then answered by the method's canned frames; any other path gets a proxy's 404
at once (its body is read and dropped after). A thread per connection, any number of streams on
each. Prints `listening on 127.0.0.1:PORT` first, then serves until killed (SIGTERM exits with
status 0).

    python h2_misbehaving.py
"""
import signal
import socket
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.exceptions

PREFIX = "/misbehave.v1.Misbehave/"


def reply(text):
    """One length-prefixed gRPC message holding misbehave.v1.Reply{text}, encoded by hand:
    field 1, wire type 2 (tag 0x0a), length, bytes; then the 5-byte prefix (uncompressed, size)."""
    message = b"\x0a" + bytes([len(text)]) + text
    return b"\x00" + len(message).to_bytes(4, "big") + message


def plain(status, content_type, body):
    return [[(":status", str(status)), ("content-type", content_type)], body]


GRPC = [(":status", "200"), ("content-type", "application/grpc")]
LATE_FAILURE = [("grpc-status", "13"), ("grpc-message", "late failure")]
NOT_FOUND = plain(404, "text/plain", b"404 page not found\n")

# What each method answers: a list of HEADERS (a list of pairs) and DATA (bytes) frames, sent in
# order; the last one carries END_STREAM.
ANSWERS = {
    # The headers claim success (grpc-status 0), the trailers then say it failed.
    "LateFailure": [GRPC + [("grpc-status", "0")], reply(b"partial"), LATE_FAILURE],
    "NotFound": NOT_FOUND,
    "Html": plain(200, "text/html", b"<html><body>hello from nginx</body></html>\n"),
    # The stream ends with the message: no trailers, so no grpc-status at all.
    "NoStatus": [GRPC, reply(b"partial")],
    "TrailersWithoutStatus": [GRPC, reply(b"partial"), [("x-other", "1")]],
    "Unavailable": plain(503, "text/plain", b"no healthy upstream\n"),
    "StreamThenFailure": [GRPC, reply(b"one"), reply(b"two"), LATE_FAILURE],
}


def send(conn, stream_id, frames):
    for i, frame in enumerate(frames):
        last = i == len(frames) - 1
        if isinstance(frame, bytes):
            # Every body here is far smaller than HTTP/2's initial window (65,535 bytes).
            conn.send_data(stream_id, frame, end_stream=last)
        else:
            conn.send_headers(stream_id, frame, end_stream=last)


def serve(sock):
    """Serves one connection until the client closes it or breaks the protocol."""
    config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
    conn = h2.connection.H2Connection(config=config)
    pending = {}  # stream id -> its answer, for the calls whose body is still coming
    try:
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        while True:
            data = sock.recv(65536)
            if not data:
                break
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    path = dict(event.headers).get(":path", "")
                    method = path[len(PREFIX):] if path.startswith(PREFIX) else None
                    if method in ANSWERS:
                        pending[event.stream_id] = ANSWERS[method]
                    else:
                        # No such route: a proxy's 404 comes at once, without waiting for a
                        # body that a streaming client (grpcurl's reflection) never ends.
                        send(conn, event.stream_id, NOT_FOUND)
                elif isinstance(event, h2.events.DataReceived):
                    # Give the window back, or a request bigger than it would stall.
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    # The whole request is in (h2 reports END_STREAM on its own, also when it
                    # came with the headers): answer it.
                    if event.stream_id in pending:
                        send(conn, event.stream_id, pending.pop(event.stream_id))
                elif isinstance(event, h2.events.StreamReset):
                    pending.pop(event.stream_id, None)
                elif isinstance(event, h2.events.ConnectionTerminated):
                    sock.sendall(conn.data_to_send())
                    return
            sock.sendall(conn.data_to_send())
    except (OSError, h2.exceptions.ProtocolError):
        pass  # a client gone or broken: drop its connection
    finally:
        sock.close()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        print(f"listening on 127.0.0.1:{listener.getsockname()[1]}", flush=True)
        try:
            while True:
                sock, _ = listener.accept()
                # Daemon threads: the process ends without waiting for open connections.
                threading.Thread(target=serve, args=(sock,), daemon=True).start()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
