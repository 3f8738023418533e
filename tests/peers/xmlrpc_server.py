"""Python's SimpleXMLRPCServer, the reference XML-RPC server, for `rpc call -P xml-rpc` to talk to.

Prints `listening on 127.0.0.1:PORT` (port chosen by the OS) and serves until killed. Introspection
and system.multicall are registered; None travels as <nil/> (allow_none).
"""

import datetime
import sys
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


def add(a, b):
    """add(a, b): the sum of two numbers"""
    return a + b


def mul(a, b):
    """mul(a, b): the product of two numbers"""
    return a * b


def echo(value):
    """echo(value): returns its argument unchanged"""
    return value


def info():
    """info(): a string about this server"""
    return "Python %d.%d SimpleXMLRPCServer" % sys.version_info[:2]


def fail(code, message):
    """fail(code, message): answers with that fault"""
    raise Fault(code, message)


def samples():
    """samples(): one value of every XML-RPC type, as Python writes them"""
    return {
        "nil": None,
        "true": True,
        "int": -12,
        "double": 2.0,
        "string": "h\u00e9llo <&> \U0001F600",
        "bytes": b"\x00\xffhello",
        "datetime": datetime.datetime(2026, 11, 21, 22, 41, 56),
        "array": [1, [2, [3]]],
        "struct": {"empty": {}, "list": []},
    }


class Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/", "/RPC2")

    def log_message(self, *args):
        pass


def main():
    server = SimpleXMLRPCServer(
        ("127.0.0.1", 0),
        requestHandler=Handler,
        allow_none=True,
        use_builtin_types=True,
        logRequests=False,
    )
    server.register_introspection_functions()
    server.register_multicall_functions()
    for function in (add, mul, echo, info, fail, samples):
        server.register_function(function)
    host, port = server.server_address
    print("listening on %s:%d" % (host, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
