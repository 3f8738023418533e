"""Python's xmlrpc.client against `rpc serve`: `python xmlrpc_client.py URL CHECK`.

Each CHECK asserts what Python sees and prints `ok CHECK` when all of it holds; any mismatch ends
with a traceback and exit status 1.
"""

import datetime
import sys
from xmlrpc.client import Binary, DateTime, Fault, MultiCall, ServerProxy

SAMPLES = [
    None,
    True,
    False,
    0,
    -(2**31),
    2**31 - 1,
    2.5,
    -0.125,
    1e100,
    "",
    "plain",
    "h\u00e9llo w\u00f6rld \u4e16\u754c \U0001F600",
    "<tag> & \"quotes\" 'apostrophes' ]]>",
    "line\nbreaks\tand tabs\r\n",
    "  surrounding blanks  ",
    b"",
    b"\x00\x01\xfe\xffbinary",
    datetime.datetime(2026, 11, 21, 22, 41, 56),
    [],
    {},
    [1, [2, [3, [4]]], "x", None],
    {"a": {"b": [None, b"x", {"c": 1.5}]}, "\u00e9": True, "": "empty name"},
]


def builtin(url):
    return ServerProxy(url, allow_none=True, use_builtin_types=True)


def check_types(url):
    proxy = builtin(url)
    for value in SAMPLES:
        got = proxy.echo(value)
        assert got == value and type(got) is type(value), (value, got)
    # The wrapper types of the classic API.
    classic = ServerProxy(url, allow_none=True)
    got = classic.echo(Binary(b"\x00bytes"))
    assert isinstance(got, Binary) and got.data == b"\x00bytes", got
    got = classic.echo(DateTime("20261121T22:41:56"))
    assert isinstance(got, DateTime) and got.value == "20261121T22:41:56", got


def check_numbers(url):
    proxy = builtin(url)
    assert proxy.add(2, 3) == 5
    assert proxy.add(2, 0.5) == 2.5
    got = proxy.div(6, 3)
    assert got == 2.0 and isinstance(got, float), got
    # Results beyond 32 bits come back as <i8>, which Python reads as int.
    assert proxy.add(2**31 - 1, 1) == 2**31
    assert proxy.mul(2**20, 2**20) == 2**40
    assert proxy.mul(-(2**31), 2**31 - 1) == -(2**31) * (2**31 - 1)
    assert proxy.square(-(2**31)) == 2**62
    assert proxy.sum([1, 2, 3.5]) == 6.5
    assert isinstance(proxy.info(), str)


def check_multicall(url):
    proxy = builtin(url)
    # The raw answer: [result] per success, a fault struct per failure.
    results = proxy.system.multicall(
        [
            {"methodName": "add", "params": [1, 2]},
            {"methodName": "mul", "params": [3, 4]},
            {"methodName": "nope", "params": []},
            {"methodName": "div", "params": [1, 0]},
            {"methodName": "echo", "params": [{"k": [None]}]},
        ]
    )
    assert len(results) == 5, results
    assert results[0] == [3] and results[1] == [12], results
    assert results[2]["faultCode"] == -32601, results[2]
    assert results[3]["faultCode"] == 1000, results[3]
    assert results[4] == [{"k": [None]}], results[4]
    # MultiCall's iterator raises each fault in its slot.
    multi = MultiCall(proxy)
    multi.add(1, 2)
    multi.mul(3, 4)
    multi.nope()
    answers = iter(multi())
    assert next(answers) == 3
    assert next(answers) == 12
    try:
        next(answers)
        raise AssertionError("nope did not fault")
    except Fault as fault:
        assert fault.faultCode == -32601, fault


def check_introspection(url):
    proxy = builtin(url)
    names = proxy.system.listMethods()
    for name in ["add", "mul", "echo", "system.listMethods", "system.multicall"]:
        assert name in names, names
    assert "a + b" in proxy.system.methodHelp("add")
    assert proxy.system.methodSignature("add") == [
        ["int", "int", "int"],
        ["double", "double", "double"],
    ]
    assert proxy.system.methodSignature("info") == [["string"]]
    assert proxy.system.methodSignature("system.multicall") == [["array", "array"]]
    assert "system.multicall" in proxy.system.methodHelp("system.multicall")


def expect_fault(call, code):
    try:
        got = call()
    except Fault as fault:
        assert fault.faultCode == code, (fault.faultCode, code, fault.faultString)
        assert fault.faultString, fault
        return
    raise AssertionError("expected fault %d, got %r" % (code, got))


def check_faults(url):
    proxy = builtin(url)
    expect_fault(lambda: proxy.nope(), -32601)
    expect_fault(lambda: proxy.add(1), -32602)
    expect_fault(lambda: proxy.add("x", 1), -32602)
    expect_fault(lambda: proxy.div(1, 0), 1000)
    expect_fault(lambda: proxy.cube(2**31 - 1), 1001)
    expect_fault(lambda: proxy.system.methodHelp("nope"), -32601)


CHECKS = {
    "types": check_types,
    "numbers": check_numbers,
    "multicall": check_multicall,
    "introspection": check_introspection,
    "faults": check_faults,
}


def main():
    url, check = sys.argv[1], sys.argv[2]
    CHECKS[check](url)
    print("ok " + check)


if __name__ == "__main__":
    main()
