"""jsonrpclib-pelix's SimpleJSONRPCServer, for `rpc call` to talk to. Prints `listening on HOST:PORT`."""
import sys

from jsonrpclib.SimpleJSONRPCServer import SimpleJSONRPCServer


class Refused(Exception):
    pass


def fail(message):
    raise Refused(message)


def main():
    server = SimpleJSONRPCServer(("127.0.0.1", 0), logRequests=False)
    server.register_function(lambda a, b: a + b, "add")
    server.register_function(lambda a, b: a - b, "sub")
    server.register_function(lambda value: value, "echo")
    server.register_function(fail, "fail")
    host, port = server.server_address
    print(f"listening on {host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
