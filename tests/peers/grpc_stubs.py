"""Generates Python gRPC stubs at run time with grpcio-tools' protoc, for the gRPC peers.

No generated code is kept: `load` writes NAME_pb2.py and NAME_pb2_grpc.py into a temporary
directory, imports them and removes the directory.
"""
import importlib
import os
import shutil
import sys
import tempfile

from grpc_tools import protoc

# grpcio-tools' copy of google/protobuf/*.proto (the well-known types math.proto imports).
INCLUDE = os.path.join(os.path.dirname(protoc.__file__), "_proto")


def run_protoc(proto, *outputs):
    """Runs protoc on one .proto file, its own directory and the well-known types on the path."""
    args = ["grpc_tools.protoc", f"-I{os.path.dirname(os.path.abspath(proto))}", f"-I{INCLUDE}"]
    if protoc.main(args + list(outputs) + [os.path.abspath(proto)]) != 0:
        sys.exit(f"protoc failed on {proto}")


def load(proto):
    """Returns the modules (NAME_pb2, NAME_pb2_grpc) generated from PROTO."""
    out = tempfile.mkdtemp(prefix="grpc-stubs-")
    try:
        run_protoc(proto, f"--python_out={out}", f"--grpc_python_out={out}")
        sys.path.insert(0, out)
        name = os.path.splitext(os.path.basename(proto))[0]
        return importlib.import_module(f"{name}_pb2"), importlib.import_module(f"{name}_pb2_grpc")
    finally:
        if out in sys.path:
            sys.path.remove(out)
        shutil.rmtree(out)
