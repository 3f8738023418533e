"""jsonrpclib-pelix as a client of `rpc serve`: prints one JSON object of what each call gave."""
import json
import sys

import jsonrpclib
from jsonrpclib.jsonrpc import ProtocolError


def error_code(thunk):
    try:
        thunk()
    except ProtocolError as e:
        return e.args[0][0]
    return None


def main(url):
    server = jsonrpclib.ServerProxy(url)
    batch = jsonrpclib.MultiCall(server)
    batch.add(1, 2)
    batch.mul(3, 4)
    batch.echo("x")
    batch_results = list(batch())
    failing = jsonrpclib.MultiCall(server)
    failing.add(1, 2)
    failing.nope()
    failing_results = []
    try:
        for item in failing():
            failing_results.append(item)
    except ProtocolError as e:
        failing_results.append({"error": e.args[0][0]})
    server._notify.add(1, 2)
    report = {
        "add": server.add(2, 3),
        "float": server.add(2.5, 1),
        "named": server.sub(a=5, b=1),
        "echo": server.echo({"a": [1, 2, None], "s": "héllo"}),
        "div": server.div(7, 2),
        "batch": batch_results,
        "failing_batch": failing_results,
        "notify": "sent",
        "method_not_found": error_code(lambda: server.nope()),
        "invalid_params": error_code(lambda: server.add(1)),
        "division_by_zero": error_code(lambda: server.div(1, 0)),
        "overflow": error_code(lambda: server.add(2**63 - 1, 1)),
        "discover": len(server.rpc.discover()["methods"]),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
