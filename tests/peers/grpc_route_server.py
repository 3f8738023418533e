"""The routing-table gRPC server of the seed document "gRPC in Python", for `rpc` to talk to.

Stubs are generated from routetable.proto by grpcio-tools at start (grpc_stubs.py: no generated
code is kept). Prints `listening on 127.0.0.1:PORT` first, then serves until killed.

    python grpc_route_server.py [--proto PATH] [--reflection]   # serve (reflection: v1alpha only)
    python grpc_route_server.py [--proto PATH] --protoset OUT   # write a FileDescriptorSet, exit
"""
import argparse
import os
import sys
import threading
from concurrent import futures

import grpc

import grpc_stubs

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO = os.path.join(HERE, "..", "..", "src", "server", "grpc", "routetable.proto")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proto", default=DEFAULT_PROTO, help="routetable.proto")
    parser.add_argument("--reflection", action="store_true", help="serve grpc.reflection.v1alpha")
    parser.add_argument("--protoset", metavar="OUT", help="write a FileDescriptorSet and exit")
    opts = parser.parse_args()
    proto = os.path.abspath(opts.proto)

    if opts.protoset:
        grpc_stubs.run_protoc(proto, f"--descriptor_set_out={opts.protoset}", "--include_imports")
        return 0

    pb2, pb2_grpc = grpc_stubs.load(proto)

    class Router(pb2_grpc.RouterServicer):
        def __init__(self):
            self.routes = []
            self.lock = threading.Lock()

        def GetRoute(self, request, context):
            with self.lock:
                for route in self.routes:
                    if route.dest == request.network:
                        return route
            return pb2.Route(nh="0.0.0.0")

        def ListRoutes(self, request, context):
            with self.lock:
                routes = list(self.routes)
            yield from routes

        def AddRoutes(self, request_iterator, context):
            for route in request_iterator:
                with self.lock:
                    self.routes.append(route)
            return pb2.Result(success=True)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    pb2_grpc.add_RouterServicer_to_server(Router(), server)
    if opts.reflection:
        from grpc_reflection.v1alpha import reflection

        names = [s.full_name for s in pb2.DESCRIPTOR.services_by_name.values()]
        reflection.enable_server_reflection(names + [reflection.SERVICE_NAME], server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    server.wait_for_termination()
    return 0


if __name__ == "__main__":
    sys.exit(main())
