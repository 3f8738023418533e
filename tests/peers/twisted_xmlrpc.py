"""A Twisted XMLRPC resource (methods info, add, multiply) for `rpc call -P xml-rpc` to talk to.

Prints `listening on 127.0.0.1:PORT` (port chosen by the OS) and serves until killed.
"""

from twisted.internet import reactor
from twisted.web import server, xmlrpc


class Calculator(xmlrpc.XMLRPC):
    def xmlrpc_info(self):
        """info(): a string about this server"""
        return "Twisted XMLRPC calculator"

    def xmlrpc_add(self, a, b):
        """add(a, b): the sum"""
        return a + b

    def xmlrpc_multiply(self, a, b):
        """multiply(a, b): the product"""
        return a * b


def main():
    site = server.Site(Calculator(allowNone=True, useDateTime=True))
    port = reactor.listenTCP(0, site, interface="127.0.0.1")
    print("listening on 127.0.0.1:%d" % port.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
