"""A server that speaks only TLS (Python's ssl module, the certificate and key given): it answers
a handshake and nothing else, closing on anything that is not TLS, as TLS-only gRPC servers do.
Prints `listening on 127.0.0.1:PORT` first. Usage: python tls_only_server.py CERT KEY"""
import socket
import ssl
import sys

context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(sys.argv[1], sys.argv[2])
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
print("listening on 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
while True:
    connection, _ = listener.accept()
    try:
        context.wrap_socket(connection, server_side=True).close()
    except (ssl.SSLError, OSError):
        connection.close()
