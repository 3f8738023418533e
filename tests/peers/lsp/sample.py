"""The file lsp_client.py opens in a language server, then hovers over greet where it is called."""


def greet(name):
    """Return a friendly greeting for name."""
    return "hello, " + name


print(greet("world"))
