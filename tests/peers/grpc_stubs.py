"""Generates Python gRPC stubs at run time with grpcio-tools' protoc, for the gRPC peers.

No generated code is kept: `load` writes NAME_pb2.py and NAME_pb2_grpc.py into a temporary
directory, imports them and removes the directory. `load_tree` does the same for several files
under one include root whose imports name each other by path (field/v1/values.proto becomes the
package module field.v1.values_pb2).
"""
import importlib
import os
import shutil
import sys
import tempfile

from grpc_tools import protoc

# grpcio-tools' copy of google/protobuf/*.proto (the well-known types math.proto imports).
INCLUDE = os.path.join(os.path.dirname(protoc.__file__), "_proto")


def run_protoc(proto, *outputs, root=None):
    """Runs protoc on .proto file(s) with ROOT (default: the file's own directory) and the
    well-known types on the path. PROTO is one path or a list of paths under ROOT."""
    protos = [proto] if isinstance(proto, str) else list(proto)
    root = root or os.path.dirname(os.path.abspath(protos[0]))
    args = ["grpc_tools.protoc", f"-I{os.path.abspath(root)}", f"-I{INCLUDE}"]
    if protoc.main(args + list(outputs) + [os.path.abspath(p) for p in protos]) != 0:
        sys.exit(f"protoc failed on {' '.join(protos)}")


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


def load_tree(root, protos):
    """Returns [(pb2, pb2_grpc)] for each of PROTOS (paths relative to ROOT), imported as package
    modules named after their paths, so that the generated imports between them resolve."""
    out = tempfile.mkdtemp(prefix="grpc-stubs-")
    try:
        run_protoc([os.path.join(root, p) for p in protos], f"--python_out={out}",
                   f"--grpc_python_out={out}", root=root)
        # Regular packages (with __init__.py), so that a same-named directory elsewhere on
        # sys.path (tests/peers/field itself) cannot take part as a namespace package.
        for dirpath, _, _ in os.walk(out):
            if dirpath != out:
                open(os.path.join(dirpath, "__init__.py"), "a").close()
        sys.path.insert(0, out)
        modules = []
        for proto in protos:
            name = os.path.splitext(proto)[0].replace(os.sep, ".").replace("/", ".")
            modules.append((importlib.import_module(f"{name}_pb2"),
                            importlib.import_module(f"{name}_pb2_grpc")))
        return modules
    finally:
        if out in sys.path:
            sys.path.remove(out)
        shutil.rmtree(out)
