#!/usr/bin/env python3
"""A raw-TCP JSON RPC client written the way socket tutorials teach it: connect, one send of the
request, one recv(1024), json.loads, close. The interop tests run it against `rpc serve`.

usage: tcp_tutorial_client.py HOST PORT REQUEST_JSON [PIECES DELAY]
With PIECES > 1 the request is sent in that many pieces, DELAY seconds apart, to show the server
does not take the first piece for the whole request. Prints the answer as compact JSON.
"""
import json
import socket
import sys
import time


def send_in_pieces(sock, data, pieces, delay):
    size = -(-len(data) // pieces)
    for start in range(0, len(data), size):
        sock.send(data[start:start + size])
        time.sleep(delay)


def main():
    host, port, request = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    pieces = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    sock = socket.create_connection((host, port), timeout=20)
    data = request.encode()
    if pieces > 1:
        send_in_pieces(sock, data, pieces, delay)
    else:
        sock.send(data)
    answer = json.loads(sock.recv(1024))
    sock.close()
    print(json.dumps(answer, separators=(",", ":")))


if __name__ == "__main__":
    main()
