"""A grpcio client that checks `rpc serve` (and grpc_route_server.py for `route`) over gRPC.

    python grpc_client.py [--authority NAME] HOST:PORT|unix:PATH CASE [ARGS]

CASE: route, math, deadline, metadata, health, reflection, `tls CAFILE [SERVER_NAME]` (the name
the certificate is checked against, default localhost). --authority sets :authority
(grpc.default_authority): over unix:PATH grpcio sends the path, percent-encoded, which servers on
Rust's h2 (rpc serve, tonic) refuse as no authority. Prints a JSON summary on stdout; exits 0
only if every check held, else 1 with the names of the failed checks on stderr.
Stubs for math.proto and routetable.proto are generated at start (grpc_stubs.py); --proto-dir
says where they are (default: src/server/grpc of this repository).
"""
import argparse
import base64
import json
import os
import queue
import sys

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2, wrappers_pb2

import grpc_stubs

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "src", "server", "grpc")


def expect_error(call, code, text=None, error_info=False):
    """Calls CALL(); returns (ok, what happened): ok for an RpcError with CODE, TEXT in its details()
    and, with ERROR_INFO, a google.rpc.Status holding an ErrorInfo in grpc-status-details-bin."""
    try:
        return False, f"no error, answered {call()}"
    except grpc.RpcError as e:
        status = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin", b"")
        got = {"code": e.code().name, "details": e.details(), "error_info": b"google.rpc.ErrorInfo" in status}
        ok = e.code() == code and (text is None or text in (e.details() or "")) and (got["error_info"] or not error_info)
        return ok, got


def guarded(check):
    """Runs CHECK(); an RpcError it raises is a failed check."""
    try:
        return check()
    except grpc.RpcError as e:
        return False, {"code": e.code().name, "details": e.details()}


def metadata(pairs):
    """Metadata as a JSON-able list of [key, value]; binary (-bin) values in base64."""
    return [[k, base64.b64encode(v).decode() if isinstance(v, bytes) else v] for k, v in pairs or ()]


def case_route(channel, rt):
    stub = rt.pb2_grpc.RouterStub(channel)
    routes = [
        rt.pb2.Route(dest=f"10.{i}.0.0", mask="255.255.0.0", nh=f"10.0.0.{i}", metric=i, interface=f"eth{i}")
        for i in (1, 2, 3)
    ]
    added = stub.AddRoutes(iter(routes))
    listed = list(stub.ListRoutes(rt.pb2.Empty()))
    found = stub.GetRoute(rt.pb2.Destination(network="10.2.0.0", mask="255.255.0.0"))
    unknown = stub.GetRoute(rt.pb2.Destination(network="10.99.0.0", mask="255.255.0.0"))
    as_json = lambda m: json_format.MessageToDict(m, preserving_proto_field_name=True)
    return {
        "AddRoutes": (added.success, as_json(added)),
        # the table may hold routes from before: ours are the last three, in the order sent
        "ListRoutes": (listed[-3:] == routes, [as_json(r) for r in listed]),
        "GetRoute": (found == routes[1], as_json(found)),
        "GetRoute unknown": (unknown.nh == "0.0.0.0" and unknown.dest == "", as_json(unknown)),
    }


def case_math(channel, math):
    pb2, stub = math.pb2, math.pb2_grpc.MathStub(channel)

    def add():
        got = stub.Add(pb2.Operands(a=2, b=3)).value
        return got == 5, got

    def div():
        call = lambda: stub.Div(pb2.Operands(a=1, b=0))
        return expect_error(call, grpc.StatusCode.INVALID_ARGUMENT, "division by zero", error_info=True)

    def mul():
        return expect_error(lambda: stub.Mul(pb2.Operands(a=2**62, b=4)), grpc.StatusCode.OUT_OF_RANGE, error_info=True)

    def count():
        got = [m.value for m in stub.Count(pb2.Operand(x=3))]
        return got == [1, 2, 3], got

    def running_sum():
        # Each number is sent only once the total of the one before has come back, so this
        # finishes only if the server answers while the client's stream is still open.
        answers = queue.Queue()

        def numbers():
            for x in (1, 2, 3):
                yield pb2.Operand(x=x)
                answers.get(timeout=5)

        got = []
        for total in stub.RunningSum(numbers()):
            got.append(total.value)
            answers.put(total.value)
        return got == [1, 3, 6], got

    def echo():
        value = {"a": 1, "b": [True, "x", None], "c": {"d": 2.5}}
        got = json_format.MessageToDict(stub.Echo(json_format.ParseDict(value, struct_pb2.Value())))
        return got == value, got

    checks = {"Add": add, "Div by zero": div, "Mul overflow": mul, "Count": count, "RunningSum": running_sum, "Echo": echo}
    return {name: guarded(check) for name, check in checks.items()}


def case_deadline(channel, math):
    stub = math.pb2_grpc.MathStub(channel)
    sleep = lambda: stub.Sleep(wrappers_pb2.DoubleValue(value=2.0), timeout=0.3)
    return {"Sleep deadline": expect_error(sleep, grpc.StatusCode.DEADLINE_EXCEEDED)}


def case_metadata(channel, math):
    stub = math.pb2_grpc.MathStub(channel)
    answer, call = stub.Info.with_call(empty_pb2.Empty(), metadata=[("x-test", "yes")])
    got = {"value": answer.value, "initial": metadata(call.initial_metadata()), "trailing": metadata(call.trailing_metadata())}
    return {"Info": (True, got)}


def case_health(channel, _):
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    stub = health_pb2_grpc.HealthStub(channel)
    checks = {}
    for service in ("", "rpc.math.Math"):
        status = stub.Check(health_pb2.HealthCheckRequest(service=service)).status
        name = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
        checks[service] = (name == "SERVING", name)
    return checks


def case_reflection(channel, _):
    from google.protobuf.descriptor_pool import DescriptorPool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    db = ProtoReflectionDescriptorDatabase(channel)
    services = list(db.get_services())
    pool = DescriptorPool(db)  # finding a service fetches its file, and the files it imports
    methods = {s: [m.name for m in pool.FindServiceByName(s).methods] for s in ("rpc.math.Math", "Router") if s in services}
    return {"services": (len(methods) == 2, services), "methods": (len(methods) == 2, methods)}


def case_tls(channel, math):
    add = math.pb2_grpc.MathStub(channel).Add(math.pb2.Operands(a=2, b=3), timeout=10)
    return {"Add over TLS": (add.value == 5, add.value)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", metavar="HOST:PORT|unix:PATH")
    parser.add_argument("case", choices=["route", "math", "deadline", "metadata", "health", "reflection", "tls"])
    parser.add_argument("args", nargs="*", help="tls: CAFILE [SERVER_NAME]")
    parser.add_argument("--proto-dir", default=PROTO_DIR)
    parser.add_argument("--authority", metavar="NAME", help="the :authority to send")
    opts = parser.parse_args()

    class Stubs:
        def __init__(self, name):
            self.pb2, self.pb2_grpc = grpc_stubs.load(os.path.join(opts.proto_dir, name))

    math, rt = Stubs("math.proto"), Stubs("routetable.proto")
    if opts.case == "tls":
        if not 1 <= len(opts.args) <= 2:
            parser.error("tls needs CAFILE [SERVER_NAME]")
        with open(opts.args[0], "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        name = opts.args[1] if len(opts.args) > 1 else "localhost"
        channel = grpc.secure_channel(opts.target, credentials, options=[("grpc.ssl_target_name_override", name)])
    else:
        authority = [("grpc.default_authority", opts.authority)] if opts.authority else []
        channel = grpc.insecure_channel(opts.target, options=authority)
    run = globals()[f"case_{opts.case}"]
    checks = guarded(lambda: run(channel, rt if opts.case == "route" else math))
    if isinstance(checks, tuple):  # an RpcError outside any single check
        checks = {"call": checks}

    print(json.dumps({name: got for name, (ok, got) in checks.items()}, indent=2))
    failed = [name for name, (ok, _) in checks.items() if not ok]
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
