"""Writes the big-payload inputs of bench/compare.sh into DIR (sizes as in issue 24's table):

    python3 payloads.py DIR

  answer.json   a JSON-RPC answer whose result is 185k small objects (about 23 MiB)
  params.json   a params document of about 14 MiB (an array of objects), and call.json, the
                JSON-RPC request around it (what curl posts)
  ints.json     a params document: [[2M integers]] (about 16 MiB), and echo.json, the `echo`
                request around it
  small.json    a JSON-RPC answer `true`, for a server that takes big params and answers little
  answer.xml    an XML-RPC methodResponse whose value is an array of 50k structs (about 12 MiB)
"""
import json
import os
import sys


def objects(count, offset=0):
    return [{"index": i + offset, "name": "object-%07d" % i, "active": i % 2 == 0,
             "score": i / 7, "tags": ["alpha", "beta"], "note": "caf\u00e9 \"quoted\""}
            for i in range(count)]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write = lambda name, text: open(os.path.join(out, name), "w").write(text)
    write("answer.json", json.dumps({"jsonrpc": "2.0", "id": 1, "result": objects(185_000)},
                                    ensure_ascii=False, separators=(",", ":")))
    write("small.json", '{"jsonrpc":"2.0","id":1,"result":true}')
    params = json.dumps([objects(110_000, 7)], separators=(",", ":"))
    write("params.json", params)
    write("call.json", '{"jsonrpc":"2.0","method":"take","params":%s,"id":1}' % params)
    ints = json.dumps([list(range(2_000_000))], separators=(",", ":"))
    write("ints.json", ints)
    write("echo.json", '{"jsonrpc":"2.0","method":"echo","params":%s,"id":1}' % ints)
    member = ("<member><name>%s</name><value>%s</value></member>")
    structs = "".join(
        "<value><struct>" + member % ("index", "<int>%d</int>" % i)
        + member % ("name", "<string>object-%07d</string>" % i)
        + member % ("score", "<double>%r</double>" % (i / 7)) + "</struct></value>"
        for i in range(50_000))
    write("answer.xml", '<?xml version="1.0"?><methodResponse><params><param><value><array>'
          "<data>%s</data></array></value></param></params></methodResponse>" % structs)


if __name__ == "__main__":
    main()
