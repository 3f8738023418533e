#!/usr/bin/env python3
"""Prints the table of bench/compare.sh from its results file (tab-separated lines
`group  name  concurrency  value  note`): throughput per server, peak memory, one-shot client
times, and every target (issue 8's, and gRPC's of issue 14) as a ratio with met/MISSED. gRPC rows'
"c=64" is 64 streams: 4 connections x 16.

Usage: table.py RESULTS MACHINE DURATION
"""
import sys
from collections import OrderedDict


def load(path):
    rows = OrderedDict()
    for line in open(path):
        group, name, conc, value, *_ = line.rstrip("\n").split("\t")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        rows.setdefault((group, name), {})[int(conc)] = number
    return rows


def main():
    path, machine, duration = sys.argv[1:4]
    rows = load(path)
    get = lambda group, name, c: rows.get((group, name), {}).get(c, float("nan"))

    print("rpc benchmark — %s" % machine)
    print("each load row: %s s; req/s, higher is better\n" % duration)
    print("%-9s %-46s %12s %12s" % ("protocol", "server (load generator)", "c=1", "c=64"))
    for (group, name), by_c in rows.items():
        if group in ("rss", "client") or group.startswith("payload"):
            continue
        tool = {"raw-tcp": "rpc bench", "websocket": "rpc bench", "grpc": "h2load", "generator": "", "grpc-generator": ""}.get(group, "wrk")
        label = "%s (%s)" % (name, tool) if tool else name
        print("%-9s %-46s %12.0f %12.0f" % (group, label, by_c.get(1, float("nan")), by_c.get(64, float("nan"))))

    print("\npeak RSS under load (MiB)")
    for (group, name), by_c in rows.items():
        if group == "rss":
            print("  %-44s %8.1f" % (name, by_c[64]))

    print("\none-shot client wall time (hyperfine mean, ms), lower is better")
    for (group, name), by_c in rows.items():
        if group == "client":
            print("  %-44s %8.2f" % (name, by_c[1]))

    payloads(rows, get)

    ceiling = get("json-rpc", "hyper fixed body (ceiling)", 64)
    rpc_json = get("json-rpc", "rpc serve -q", 64)
    client = lambda name: get("client", name, 1)
    targets = [
        ("JSON-RPC rpc serve / jsonrpsee, c=64", rpc_json / get("json-rpc", "jsonrpsee", 64), ">=", 1.0),
        ("JSON-RPC rpc serve / hyper ceiling, c=64", rpc_json / ceiling, ">=", 0.85),
        ("JSON-RPC rpc serve log on / -q, c=64", get("json-rpc", "rpc serve (log on)", 64) / rpc_json, "info", None),
        ("XML-RPC rpc serve / hyper ceiling, c=64", get("xml-rpc", "rpc serve -q", 64) / ceiling, ">=", 0.7),
        ("XML-RPC rpc serve / SimpleXMLRPCServer, c=64", get("xml-rpc", "rpc serve -q", 64) / get("xml-rpc", "SimpleXMLRPCServer", 64), "info", None),
        ("raw-tcp pipelined / hyper ceiling, c=64", get("raw-tcp", "rpc serve -q, pipelined 16", 64) / ceiling, ">", 1.0),
        ("raw-tcp per call / Python tutorial, c=64",
         get("raw-tcp", "rpc serve -q, connection per call", 64) / get("raw-tcp", "Python tutorial server, connection per call", 64), ">=", 2.0),
        ("WebSocket rpc serve / jsonrpsee, c=64", get("websocket", "rpc serve -q", 64) / get("websocket", "jsonrpsee", 64), ">=", 0.8),
        ("WebSocket pipelined 16 rpc serve / jsonrpsee, c=64",
         get("websocket", "rpc serve -q, pipelined 16", 64) / get("websocket", "jsonrpsee, pipelined 16", 64), "info", None),
        ("rpc call / curl wall time", client("rpc call (json-rpc)") / client("curl (same json-rpc body)"), "<=", 1.25),
        ("rpc call -P xml-rpc / python xmlrpc.client", client("rpc call -P xml-rpc") / client("python3 xmlrpc.client"), "info", None),
        ("rpc bench / wrk, c=64", get("generator", "rpc bench", 64) / get("generator", "wrk", 64), ">=", 0.9),
        ("rpc bench / wrk, c=1", get("generator", "rpc bench", 1) / get("generator", "wrk", 1), "info", None),
        ("gRPC rpc bench / h2load, 64 streams", get("grpc-generator", "rpc bench", 64) / get("grpc-generator", "h2load", 64), ">=", 0.9),
        ("gRPC rpc bench / h2load, 1 stream", get("grpc-generator", "rpc bench", 1) / get("grpc-generator", "h2load", 1), "info", None),
        ("gRPC rpc serve / tonic ceiling, 64 streams", get("grpc", "rpc serve -q", 64) / get("grpc", "tonic GetRoute (ceiling)", 64), ">=", 0.85),
        ("gRPC rpc serve / grpcio seed server, 64 streams", get("grpc", "rpc serve -q", 64) / get("grpc", "grpcio (the seed's Python server)", 64), "info", None),
    ]
    rss = get("rss", "rpc serve -q (all rows above)", 64)
    time = lambda name: get("payload-time", name, 1)
    mem = lambda name: get("payload-rss", name, 1)
    size = lambda case: get("payload-size", case, 1)
    answer = "JSON-RPC answer"
    targets += [
        ("big answer: rpc call peak RSS / answer", mem(answer + ": rpc call, piped") / size(answer), "<=", 3.0),
        ("big answer: rpc call -v peak RSS / answer", mem(answer + ": rpc call -v, piped") / size(answer), "<=", 3.0),
        ("big answer: rpc call / curl | jq wall time",
         time(answer + ": rpc call, piped") / time(answer + ": curl | jq -c .result"), "<=", 1.0),
        ("big params: rpc call peak RSS / file", mem("params -d @FILE: rpc call") / size("params -d @FILE"), "<=", 3.0),
        ("big params: rpc call / curl wall time",
         time("params -d @FILE: rpc call") / time("params -d @FILE: curl --data-binary"), "<=", 2.0),
        ("big echo: rpc call peak RSS / file", mem("echo -d @FILE: rpc call") / size("echo -d @FILE"), "<=", 3.0),
        ("big echo: rpc serve peak RSS / body",
         mem("echo -d @FILE: rpc serve (both clients)") / size("echo -d @FILE"), "info", None),
        ("big XML-RPC answer: rpc call peak RSS / answer",
         mem("XML-RPC answer: rpc call, piped") / size("XML-RPC answer"), "<=", 4.0),
    ]
    print("\ntargets")
    for name, ratio, op, goal in targets:
        if goal is None:
            print("  %-46s %7.2fx" % (name, ratio))
            continue
        met = {">=": ratio >= goal, ">": ratio > goal, "<=": ratio <= goal}[op]
        print("  %-46s %7.2fx  (target %s %.2fx)  %s" % (name, ratio, op, goal, "met" if met else "MISSED"))
    print("  %-46s %7.1f MiB (target <= 25 MiB)  %s" % ("rpc serve peak RSS under load", rss, "met" if rss <= 25 else "MISSED"))
    grpc_rss = get("rss", "rpc serve -q (gRPC rows)", 64)
    print("  %-46s %7.1f MiB (target <= 25 MiB)  %s" % ("rpc serve gRPC peak RSS, 64 streams", grpc_rss, "met" if grpc_rss <= 25 else "MISSED"))


def payloads(rows, get):
    """The big-payload rows: each case's size, then each client's wall time and peak RSS."""
    names = [name for (group, name) in rows if group == "payload-rss"]
    if not names:
        return
    print("\nbig payloads (one run each), lower is better")
    print("  %-46s %9s %9s %9s" % ("case: client", "wall s", "peak MiB", "x size"))
    for name in names:
        case = name.split(":")[0]
        size = get("payload-size", case, 1)
        rss = get("payload-rss", name, 1)
        wall = get("payload-time", name, 1)
        wall_text = "%9.2f" % wall if wall == wall else "%9s" % "-"
        print("  %-46s %s %9.1f %8.1fx" % (name, wall_text, rss, rss / size))
    for (group, case), by_c in rows.items():
        if group == "payload-size":
            print("  %-46s %9.1f MiB" % ("size of " + case, by_c[1]))


if __name__ == "__main__":
    main()
