"""A grpcio server set up the way production servers are, for `rpc`'s "gRPC in the field" tests.

Serves field.v1.Values and legacy.v1.Legacy from tests/peers/field (stubs generated at start by
grpc_stubs.py: no generated code is kept). hidden.v1.Hidden is loaded too, though no served file
imports it: reflection can describe it by symbol, clients meet it only inside Any. Prints
`listening on 127.0.0.1:PORT` (or `listening on unix:PATH`) first, then serves until killed.

    python grpc_field_server.py [--reflection] [--health] [--gzip] [--max-connection-age-ms N]
                                [--broken] [--unix PATH]

  --reflection  grpc.reflection.v1alpha (grpcio-reflection serves no v1) for every service
  --health      grpc.health.v1.Health, SERVING for "" and each service; its file is named
                grpc_health/v1/health.proto, as grpcio-health-checking ships it
  --gzip        every answer gzip-compressed
  --max-connection-age-ms N   recycle connections (GOAWAY) after N ms, with N ms of grace
  --broken      also serve broken.v1.Broken, whose import broken/v1/dep.proto reflection refuses
                to give (NOT_FOUND, and left out of every answer)
  --unix PATH   listen on the Unix socket PATH, not on TCP
"""
import argparse
import os
import sys
import zlib
from concurrent import futures

import grpc
from google.protobuf import any_pb2, descriptor_pb2, timestamp_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

import grpc_stubs

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "field")
# The file reflection hides with --broken.
HIDDEN_FILE = "broken/v1/dep.proto"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reflection", action="store_true", help="serve grpc.reflection.v1alpha")
    parser.add_argument("--health", action="store_true", help="serve grpc.health.v1.Health")
    parser.add_argument("--gzip", action="store_true", help="compress every answer with gzip")
    parser.add_argument("--max-connection-age-ms", type=int, metavar="N",
                        help="send GOAWAY after N ms (and allow N ms of grace)")
    parser.add_argument("--unix", metavar="PATH", help="listen on the Unix socket PATH instead")
    parser.add_argument("--broken", action="store_true",
                        help="serve broken.v1.Broken; reflection hides broken/v1/dep.proto")
    opts = parser.parse_args()

    protos = ["field/v1/values.proto", "hidden/v1/hidden.proto", "legacy/v1/legacy.proto"]
    if opts.broken:
        protos += ["broken/v1/dep.proto", "broken/v1/broken.proto"]
    # Importing each _pb2 registers its file in the default descriptor pool, which is the pool
    # grpcio-reflection answers from: that is how hidden.proto becomes describable.
    modules = grpc_stubs.load_tree(ROOT, protos)
    (values_pb2, values_grpc), (hidden_pb2, _), (legacy_pb2, legacy_grpc) = modules[:3]

    def pack(message):
        packed = any_pb2.Any()
        packed.Pack(message)
        return packed

    class Values(values_grpc.ValuesServicer):
        def Echo(self, request, context):
            context.send_initial_metadata((("x-served-by", "field"),))
            checksum = f"crc32:{zlib.crc32(request.SerializeToString()):08x}"
            context.set_trailing_metadata((("x-checksum", checksum),))
            return request

        def Wrap(self, request, context):
            items = []
            for kind in request.kinds:
                if kind == "hidden":
                    items.append(pack(hidden_pb2.Hidden(secret="s3", big=2**64 - 1)))
                elif kind == "unknown":
                    # A type no descriptor anywhere defines: clients must cope with raw bytes.
                    items.append(any_pb2.Any(type_url="type.googleapis.com/nowhere.Thing",
                                             value=b"\x08\x01"))
                elif kind == "timestamp":
                    items.append(pack(timestamp_pb2.Timestamp(seconds=1700000000)))
                else:
                    context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unknown kind {kind!r}")
            if request.given.type_url:
                items.append(request.given)
            return values_pb2.Envelope(items=items, note=f"wrapped {len(items)}")

        def Fail(self, request, context):
            code = request.code or grpc.StatusCode.FAILED_PRECONDITION.value[0]
            if not 1 <= code <= 16:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{code} is no gRPC error code")
            bad = error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field="u64", description="too big")])
            details = [
                pack(bad),
                # A detail type the client has no descriptor for (nor does this server).
                any_pb2.Any(type_url="type.googleapis.com/acme.errors.QuotaDetail",
                            value=b"\x08\x05"),
                # One only reflection can describe.
                pack(hidden_pb2.Hidden(secret="why")),
            ]
            status = status_pb2.Status(code=code, message=request.message, details=details)
            # Sets grpc-status, grpc-message and grpc-status-details-bin in the trailers.
            context.abort_with_status(rpc_status.to_status(status))

        def Meta(self, request, context):
            # grpcio gives the values of -bin keys already base64-decoded, as bytes.
            token = dict(context.invocation_metadata()).get("x-token-bin", b"")
            context.send_initial_metadata((("x-served-by", "field"),))
            context.set_trailing_metadata((("x-checksum", "c0ffee"), ("x-echo-bin", token)))
            return values_pb2.MetaReply(token=token, text=request.text)

        def Countdown(self, request, context):
            for i in range(request.count):
                yield values_pb2.Scalars(u64=2**64 - 1 - i)

    class Legacy(legacy_grpc.LegacyServicer):
        def Book(self, request, context):
            return request

    options = []
    if opts.max_connection_age_ms is not None:
        options = [("grpc.max_connection_age_ms", opts.max_connection_age_ms),
                   ("grpc.max_connection_age_grace_ms", opts.max_connection_age_ms)]
    compression = grpc.Compression.Gzip if opts.gzip else None
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10), options=options,
                         compression=compression)
    values_grpc.add_ValuesServicer_to_server(Values(), server)
    legacy_grpc.add_LegacyServicer_to_server(Legacy(), server)
    names = [values_pb2.DESCRIPTOR.services_by_name["Values"].full_name,
             legacy_pb2.DESCRIPTOR.services_by_name["Legacy"].full_name]

    if opts.broken:
        broken_pb2, broken_grpc = modules[4]

        class Broken(broken_grpc.BrokenServicer):
            def Use(self, request, context):
                return request

        broken_grpc.add_BrokenServicer_to_server(Broken(), server)
        names.append(broken_pb2.DESCRIPTOR.services_by_name["Broken"].full_name)

    if opts.health:
        from grpc_health.v1 import health, health_pb2, health_pb2_grpc

        checker = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(checker, server)
        for name in [""] + names:
            checker.set(name, health_pb2.HealthCheckResponse.SERVING)
        names.append(health.SERVICE_NAME)

    if opts.reflection:
        from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc

        class HidingReflection(reflection.ReflectionServicer):
            """Reflection that never gives HIDDEN_FILE, like a server whose descriptors were
            built without it: the file is left out of every answer, and an answer left with no
            file becomes NOT_FOUND."""

            def ServerReflectionInfo(self, request_iterator, context):
                for response in super().ServerReflectionInfo(request_iterator, context):
                    if response.HasField("file_descriptor_response"):
                        files = response.file_descriptor_response.file_descriptor_proto
                        kept = [f for f in files if
                                descriptor_pb2.FileDescriptorProto.FromString(f).name
                                != HIDDEN_FILE]
                        if kept:
                            del files[:]
                            files.extend(kept)
                        else:
                            response = reflection_pb2.ServerReflectionResponse(
                                error_response=reflection_pb2.ErrorResponse(
                                    error_code=grpc.StatusCode.NOT_FOUND.value[0],
                                    error_message="not found"),
                                original_request=response.original_request)
                    yield response

        names.append(reflection.SERVICE_NAME)
        servicer = (HidingReflection if opts.broken else reflection.ReflectionServicer)(names)
        reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)

    if opts.unix:
        server.add_insecure_port(f"unix:{opts.unix}")
        server.start()
        print(f"listening on unix:{opts.unix}", flush=True)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        print(f"listening on 127.0.0.1:{port}", flush=True)
    server.wait_for_termination()
    return 0


if __name__ == "__main__":
    sys.exit(main())
