"""Drives a Reach RPC server with the real Reach Python client (PyPI reach-rpc-client, module
reach_rpc). The server, port, key and TLS checking come from the REACH_RPC_* environment variables,
as the Reach clients read them.

    python reach_client.py session     health, synchronous calls and an interactive /interact/sum
    python reach_client.py wrong-key   one call, expected to be refused

Prints one `result: JSON` line per result on stdout (the client prints its TLS warning there
too), so the test can compare them.
"""

import json
import sys

import requests
from reach_rpc import mk_rpc


def out(value):
    print("result: " + json.dumps(value), flush=True)


def session():
    rpc, rpc_callbacks = mk_rpc()
    out(rpc("/health"))
    out(rpc("/add", 2, 3))
    out(rpc("/div", 1, 4))
    out(rpc("/echo", {"a": [1, "two", None]}))
    shown = []
    done = rpc_callbacks("/interact/sum", 3, {
        "start": 10,
        "getNumber": lambda i: i * i,
        "showTotal": lambda total: shown.append(total),
    })
    out(done)
    out(shown)


def wrong_key():
    rpc, _ = mk_rpc()
    try:
        rpc("/add", 2, 3)
    except requests.HTTPError as e:
        out({"status": e.response.status_code})
        return
    out({"status": "no error"})


if __name__ == "__main__":
    {"session": session, "wrong-key": wrong_key}[sys.argv[1]]()
