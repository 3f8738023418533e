#!/usr/bin/env python3
"""Python's standard XML-RPC server with the `add` method, for bench/compare.sh.

Usage: xmlrpc_server.py [--threading]. Binds 127.0.0.1 on a port the OS picks, prints
`listening on 127.0.0.1:PORT`, serves until killed. Request logging is off, as `rpc serve -q` has it.
--threading serves each request on its own thread (socketserver.ThreadingMixIn).
"""
import socketserver
import sys
from xmlrpc.server import SimpleXMLRPCServer


class ThreadingXMLRPCServer(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


def main():
    threading = "--threading" in sys.argv[1:]
    kind = ThreadingXMLRPCServer if threading else SimpleXMLRPCServer
    server = kind(("127.0.0.1", 0), logRequests=False, allow_none=True)
    # The default backlog (5) refuses connections under 64 at once; give it what rpc serve has.
    server.socket.listen(1024)
    server.register_function(lambda a, b: a + b, "add")
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
