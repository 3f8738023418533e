# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rpc_global_optspecs
    string join \n color= h/help V/version
end

function __fish_rpc_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rpc_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rpc_using_subcommand
    set -l cmd (__fish_rpc_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rpc -n "__fish_rpc_needs_command" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_needs_command" -s h -l help -d 'Print help'
complete -c rpc -n "__fish_rpc_needs_command" -s V -l version -d 'Print version'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "call" -d 'Call a remote method (or a batch of them) and print the result on stdout'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "serve" -d 'Serve the toy math service on every protocol at once, on one port'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "list" -d 'List the methods a server offers (by introspection)'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "describe" -d 'Show the help text and signature of one method (by introspection)'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "completions" -d 'Print the shell completion script (the same files are under completions/)'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "repl" -d 'Interactive session that logs every request and response'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "replay" -d 'Re-send a session recorded by `rpc repl --record`; exit 1 if an answer changed'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "bench" -d 'Load a server with one call: throughput, latency percentiles, errors by kind'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "proxy" -d 'Stand between a client and a server: forward every connection, log every call'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "demo" -d 'Start the toy service in-process and take a logged tour of every protocol; exit 0'
complete -c rpc -n "__fish_rpc_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rpc -n "__fish_rpc_using_subcommand call" -s P -l proto -d 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)' -r -f -a "json-rpc\t'JSON-RPC 2.0 over HTTP(S) POST, or as objects on a stream (unix:, stdio:, tcp://)'
xml-rpc\t'XML-RPC over HTTP(S) POST'
reach\t'The Reach RPC protocol: POST /<method> with a JSON array'
raw-tcp\t'One JSON array per request over a TCP connection'
grpc\t'gRPC over HTTP/2: grpc:// cleartext, grpcs:// TLS'
lsp\t'The Language Server Protocol: JSON-RPC 2.0 with Content-Length framing and its lifecycle, over stdio:, unix: or tcp://'"
complete -c rpc -n "__fish_rpc_using_subcommand call" -s H -l header -d 'Extra HTTP header, \'Name: value\' (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -s t -l timeout -d 'Give up after SECS seconds (connect and answer together)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l cacert -d 'Trust the CA certificates in this PEM file as well' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l max-response -d 'Refuse an answer larger than BYTES' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l max-header-block -d 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l api-key -d 'Reach: the API key sent as X-API-Key' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -s u -l user -d 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l cookie-file -d 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l schema -d 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server\'s methods, instead of its reflection (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l import-path -d 'gRPC: a directory where the imports of --schema sources are found (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l compress -d 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says' -r -f -a "gzip\t''
deflate\t''"
complete -c rpc -n "__fish_rpc_using_subcommand call" -l unix-socket -d 'Send an http(s):// or grpc(s):// URL\'s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l framing -d 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol\'s own: json (one value after another), ndjson (one per line), content-length (LSP\'s headers)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l server-stderr -d 'stdio: endpoints: write the server\'s stderr to FILE instead of rpc\'s stderr' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l stop-grace -d 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l root -d 'LSP: the workspace\'s root directory, sent with initialize (default: the current directory)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l open -d 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand call" -l origin -d 'WebSocket: the Origin header of the handshake' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l ws-protocol -d 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l ping-interval -d 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l callback -d 'Answer callback NAME: Reach\'s (makes the call interactive), or on a stream (unix:, stdio:, LSP) the server\'s own request NAME. ANSWER is JSON, or !COMMAND run with the arguments (a JSON array on stdin, each one as JSON in $1, $2, …) whose stdout is the answer (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l value -d 'Reach: add a non-function value NAME to the values object (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -s d -l params -d 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l wait -d 'On a stream (stdio:, unix:, tcp://): after the calls (or without any), wait for the server\'s notification METHOD and print its params as a result (LSP: textDocument/publishDiagnostics)' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -s n -l count -d '--follow: stop after N notifications' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l unsubscribe -d '--follow: the method that ends the subscription (default: the call\'s, with subscribe made unsubscribe); its params are [SUBSCRIPTION-ID]' -r
complete -c rpc -n "__fish_rpc_using_subcommand call" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand call" -s k -l insecure -d 'Do not verify the server\'s TLS certificate (prints a warning)'
complete -c rpc -n "__fish_rpc_using_subcommand call" -s v -l verbose -d 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
complete -c rpc -n "__fish_rpc_using_subcommand call" -l show-secrets -d 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
complete -c rpc -n "__fish_rpc_using_subcommand call" -l notify -d 'Send as notification(s): no id, no answer expected, nothing printed'
complete -c rpc -n "__fish_rpc_using_subcommand call" -s r -l raw -d 'Print a string result without quotes'
complete -c rpc -n "__fish_rpc_using_subcommand call" -l dry-run -d 'Print the request that would be sent, and send nothing'
complete -c rpc -n "__fish_rpc_using_subcommand call" -l curl -d 'Print the request as a curl command (printf | nc for raw-tcp), and send nothing'
complete -c rpc -n "__fish_rpc_using_subcommand call" -l follow -d 'On a stream (ws://, stdio:, unix:, tcp://): after the answer, print each notification as one line (its params.result) until -n, -t, the server closes or Ctrl-C; then unsubscribe (eth_subscribe → eth_unsubscribe) and exit 0'
complete -c rpc -n "__fish_rpc_using_subcommand call" -l whole-notification -d '--follow: print each notification whole ({"jsonrpc","method","params"}), not its params.result'
complete -c rpc -n "__fish_rpc_using_subcommand call" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l addr -d 'Address to listen on (port 0 picks a free port), or unix:PATH for a Unix domain socket (a stale socket file is replaced, the file removed on exit)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l socket-mode -d 'The mode of a unix:PATH socket, in octal: who may connect' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l cert -d 'PEM certificate chain for HTTPS (with --key; implies --tls)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l key -d 'PEM private key for HTTPS (with --cert; implies --tls)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l api-key -d 'Make the Reach endpoints demand this X-API-Key (401 otherwise)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-body -d 'Largest request body accepted, in bytes (larger: HTTP 413)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-batch -d 'Most calls in one JSON-RPC batch or XML-RPC multicall' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-depth -d 'Deepest nesting of arrays/objects (JSON) or arrays/structs (XML-RPC) accepted' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-message -d 'Largest raw-tcp request accepted, in bytes (larger: an error answer, then close)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l idle-timeout -d 'Seconds a raw-tcp or keep-alive HTTP connection may wait for its next request before it is closed (for HTTP the header timeout bounds the wait too)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l header-timeout -d 'Seconds a client may take to send a request\'s first bytes and headers' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l body-timeout -d 'Seconds a client may take to send an HTTP request\'s body once its headers are in (later: 408)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-connections -d 'Most connections open at once. When all are taken, a newcomer closes the oldest one that has not sent a request yet and takes its place; if every one has, the newcomer gets HTTP 503' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-sleep -d 'Longest `sleep` the service grants, in seconds' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l kont-timeout -d 'Seconds a Reach continuation handle (kid) stays valid, waiting for its /kont' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-konts -d 'Most Reach continuations waiting for their /kont at once (more: HTTP 503)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-log-queue -d 'Most per-call log lines waiting for a slow stderr (more are dropped, and counted in the log)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-streams -d 'Most HTTP/2 streams (gRPC calls) open at once on one connection' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-header-list -d 'Largest HTTP/2 header list a gRPC request may send, in bytes' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-resets -d 'Most streams one HTTP/2 connection may reset before it is closed (Rapid Reset flood, CVE-2023-44487)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-routes -d 'Most routes the gRPC Router\'s table holds (more: RESOURCE_EXHAUSTED)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-subscriptions -d 'Most subscriptions one WebSocket connection may hold (more: error -32000)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l max-ws-queue -d 'Most messages waiting for a WebSocket client that does not read; past that it is cut off (close 1008)' -r
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l stdio -d 'Serve one client on stdin and stdout instead of a port: JSON-RPC objects, one per line, the per-call log on stderr (for a client that starts its server: stdio:\'rpc serve --stdio\')'
complete -c rpc -n "__fish_rpc_using_subcommand serve" -s q -l quiet -d 'Do not log one line per call on stderr'
complete -c rpc -n "__fish_rpc_using_subcommand serve" -l tls -d 'Serve HTTPS too (same port), with a self-signed certificate for localhost and 127.0.0.1 made at start, unless --cert and --key are given'
complete -c rpc -n "__fish_rpc_using_subcommand serve" -s h -l help -d 'Print help'
complete -c rpc -n "__fish_rpc_using_subcommand list" -s P -l proto -d 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)' -r -f -a "json-rpc\t'JSON-RPC 2.0 over HTTP(S) POST, or as objects on a stream (unix:, stdio:, tcp://)'
xml-rpc\t'XML-RPC over HTTP(S) POST'
reach\t'The Reach RPC protocol: POST /<method> with a JSON array'
raw-tcp\t'One JSON array per request over a TCP connection'
grpc\t'gRPC over HTTP/2: grpc:// cleartext, grpcs:// TLS'
lsp\t'The Language Server Protocol: JSON-RPC 2.0 with Content-Length framing and its lifecycle, over stdio:, unix: or tcp://'"
complete -c rpc -n "__fish_rpc_using_subcommand list" -s H -l header -d 'Extra HTTP header, \'Name: value\' (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -s t -l timeout -d 'Give up after SECS seconds (connect and answer together)' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l cacert -d 'Trust the CA certificates in this PEM file as well' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l max-response -d 'Refuse an answer larger than BYTES' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l max-header-block -d 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l api-key -d 'Reach: the API key sent as X-API-Key' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -s u -l user -d 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l cookie-file -d 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l schema -d 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server\'s methods, instead of its reflection (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l import-path -d 'gRPC: a directory where the imports of --schema sources are found (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l compress -d 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says' -r -f -a "gzip\t''
deflate\t''"
complete -c rpc -n "__fish_rpc_using_subcommand list" -l unix-socket -d 'Send an http(s):// or grpc(s):// URL\'s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l framing -d 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol\'s own: json (one value after another), ndjson (one per line), content-length (LSP\'s headers)' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l server-stderr -d 'stdio: endpoints: write the server\'s stderr to FILE instead of rpc\'s stderr' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l stop-grace -d 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l root -d 'LSP: the workspace\'s root directory, sent with initialize (default: the current directory)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l open -d 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand list" -l origin -d 'WebSocket: the Origin header of the handshake' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l ws-protocol -d 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l ping-interval -d 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)' -r
complete -c rpc -n "__fish_rpc_using_subcommand list" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand list" -s k -l insecure -d 'Do not verify the server\'s TLS certificate (prints a warning)'
complete -c rpc -n "__fish_rpc_using_subcommand list" -s v -l verbose -d 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
complete -c rpc -n "__fish_rpc_using_subcommand list" -l show-secrets -d 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
complete -c rpc -n "__fish_rpc_using_subcommand list" -l json -d 'Print the names as one JSON array'
complete -c rpc -n "__fish_rpc_using_subcommand list" -l all -d 'gRPC: list the reflection services\' methods too'
complete -c rpc -n "__fish_rpc_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rpc -n "__fish_rpc_using_subcommand describe" -s P -l proto -d 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)' -r -f -a "json-rpc\t'JSON-RPC 2.0 over HTTP(S) POST, or as objects on a stream (unix:, stdio:, tcp://)'
xml-rpc\t'XML-RPC over HTTP(S) POST'
reach\t'The Reach RPC protocol: POST /<method> with a JSON array'
raw-tcp\t'One JSON array per request over a TCP connection'
grpc\t'gRPC over HTTP/2: grpc:// cleartext, grpcs:// TLS'
lsp\t'The Language Server Protocol: JSON-RPC 2.0 with Content-Length framing and its lifecycle, over stdio:, unix: or tcp://'"
complete -c rpc -n "__fish_rpc_using_subcommand describe" -s H -l header -d 'Extra HTTP header, \'Name: value\' (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -s t -l timeout -d 'Give up after SECS seconds (connect and answer together)' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l cacert -d 'Trust the CA certificates in this PEM file as well' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l max-response -d 'Refuse an answer larger than BYTES' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l max-header-block -d 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l api-key -d 'Reach: the API key sent as X-API-Key' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -s u -l user -d 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l cookie-file -d 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l schema -d 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server\'s methods, instead of its reflection (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l import-path -d 'gRPC: a directory where the imports of --schema sources are found (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l compress -d 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says' -r -f -a "gzip\t''
deflate\t''"
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l unix-socket -d 'Send an http(s):// or grpc(s):// URL\'s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l framing -d 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol\'s own: json (one value after another), ndjson (one per line), content-length (LSP\'s headers)' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l server-stderr -d 'stdio: endpoints: write the server\'s stderr to FILE instead of rpc\'s stderr' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l stop-grace -d 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l root -d 'LSP: the workspace\'s root directory, sent with initialize (default: the current directory)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l open -d 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l origin -d 'WebSocket: the Origin header of the handshake' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l ws-protocol -d 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l ping-interval -d 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)' -r
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand describe" -s k -l insecure -d 'Do not verify the server\'s TLS certificate (prints a warning)'
complete -c rpc -n "__fish_rpc_using_subcommand describe" -s v -l verbose -d 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l show-secrets -d 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
complete -c rpc -n "__fish_rpc_using_subcommand describe" -l json -d 'Print the description as JSON'
complete -c rpc -n "__fish_rpc_using_subcommand describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rpc -n "__fish_rpc_using_subcommand completions" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand completions" -s h -l help -d 'Print help'
complete -c rpc -n "__fish_rpc_using_subcommand repl" -s P -l proto -d 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)' -r -f -a "json-rpc\t'JSON-RPC 2.0 over HTTP(S) POST, or as objects on a stream (unix:, stdio:, tcp://)'
xml-rpc\t'XML-RPC over HTTP(S) POST'
reach\t'The Reach RPC protocol: POST /<method> with a JSON array'
raw-tcp\t'One JSON array per request over a TCP connection'
grpc\t'gRPC over HTTP/2: grpc:// cleartext, grpcs:// TLS'
lsp\t'The Language Server Protocol: JSON-RPC 2.0 with Content-Length framing and its lifecycle, over stdio:, unix: or tcp://'"
complete -c rpc -n "__fish_rpc_using_subcommand repl" -s H -l header -d 'Extra HTTP header, \'Name: value\' (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -s t -l timeout -d 'Give up after SECS seconds (connect and answer together)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l cacert -d 'Trust the CA certificates in this PEM file as well' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l max-response -d 'Refuse an answer larger than BYTES' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l max-header-block -d 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l api-key -d 'Reach: the API key sent as X-API-Key' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -s u -l user -d 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l cookie-file -d 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l schema -d 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server\'s methods, instead of its reflection (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l import-path -d 'gRPC: a directory where the imports of --schema sources are found (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l compress -d 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says' -r -f -a "gzip\t''
deflate\t''"
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l unix-socket -d 'Send an http(s):// or grpc(s):// URL\'s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l framing -d 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol\'s own: json (one value after another), ndjson (one per line), content-length (LSP\'s headers)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l server-stderr -d 'stdio: endpoints: write the server\'s stderr to FILE instead of rpc\'s stderr' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l stop-grace -d 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l root -d 'LSP: the workspace\'s root directory, sent with initialize (default: the current directory)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l open -d 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l origin -d 'WebSocket: the Origin header of the handshake' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l ws-protocol -d 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l ping-interval -d 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l callback -d 'Answer callback NAME: Reach\'s (makes the call interactive), or on a stream (unix:, stdio:, LSP) the server\'s own request NAME. ANSWER is JSON, or !COMMAND run with the arguments (a JSON array on stdin, each one as JSON in $1, $2, …) whose stdout is the answer (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l value -d 'Reach: add a non-function value NAME to the values object (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l history -d 'Keep the line history in FILE (default: rpc/history in the platform\'s data directory)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l record -d 'Append every call and its answer to FILE as JSON Lines, for `rpc replay`' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand repl" -s k -l insecure -d 'Do not verify the server\'s TLS certificate (prints a warning)'
complete -c rpc -n "__fish_rpc_using_subcommand repl" -s v -l verbose -d 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l show-secrets -d 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
complete -c rpc -n "__fish_rpc_using_subcommand repl" -l fail-fast -d 'When reading commands from a pipe, stop at the first failed line with its exit status'
complete -c rpc -n "__fish_rpc_using_subcommand repl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l endpoint -d 'Send every call here instead of the endpoint it was recorded with (URL, unix:PATH, stdio:CMD)' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -s P -l proto -d 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)' -r -f -a "json-rpc\t'JSON-RPC 2.0 over HTTP(S) POST, or as objects on a stream (unix:, stdio:, tcp://)'
xml-rpc\t'XML-RPC over HTTP(S) POST'
reach\t'The Reach RPC protocol: POST /<method> with a JSON array'
raw-tcp\t'One JSON array per request over a TCP connection'
grpc\t'gRPC over HTTP/2: grpc:// cleartext, grpcs:// TLS'
lsp\t'The Language Server Protocol: JSON-RPC 2.0 with Content-Length framing and its lifecycle, over stdio:, unix: or tcp://'"
complete -c rpc -n "__fish_rpc_using_subcommand replay" -s H -l header -d 'Extra HTTP header, \'Name: value\' (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -s t -l timeout -d 'Give up after SECS seconds (connect and answer together)' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l cacert -d 'Trust the CA certificates in this PEM file as well' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l max-response -d 'Refuse an answer larger than BYTES' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l max-header-block -d 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l api-key -d 'Reach: the API key sent as X-API-Key' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -s u -l user -d 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l cookie-file -d 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l schema -d 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server\'s methods, instead of its reflection (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l import-path -d 'gRPC: a directory where the imports of --schema sources are found (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l compress -d 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says' -r -f -a "gzip\t''
deflate\t''"
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l unix-socket -d 'Send an http(s):// or grpc(s):// URL\'s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l framing -d 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol\'s own: json (one value after another), ndjson (one per line), content-length (LSP\'s headers)' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l server-stderr -d 'stdio: endpoints: write the server\'s stderr to FILE instead of rpc\'s stderr' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l stop-grace -d 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l root -d 'LSP: the workspace\'s root directory, sent with initialize (default: the current directory)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l open -d 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l origin -d 'WebSocket: the Origin header of the handshake' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l ws-protocol -d 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l ping-interval -d 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)' -r
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand replay" -s k -l insecure -d 'Do not verify the server\'s TLS certificate (prints a warning)'
complete -c rpc -n "__fish_rpc_using_subcommand replay" -s v -l verbose -d 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
complete -c rpc -n "__fish_rpc_using_subcommand replay" -l show-secrets -d 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
complete -c rpc -n "__fish_rpc_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l params -d 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin (-d is --duration here)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s P -l proto -d 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)' -r -f -a "json-rpc\t'JSON-RPC 2.0 over HTTP(S) POST, or as objects on a stream (unix:, stdio:, tcp://)'
xml-rpc\t'XML-RPC over HTTP(S) POST'
reach\t'The Reach RPC protocol: POST /<method> with a JSON array'
raw-tcp\t'One JSON array per request over a TCP connection'
grpc\t'gRPC over HTTP/2: grpc:// cleartext, grpcs:// TLS'
lsp\t'The Language Server Protocol: JSON-RPC 2.0 with Content-Length framing and its lifecycle, over stdio:, unix: or tcp://'"
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s H -l header -d 'Extra HTTP header, \'Name: value\' (repeatable)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s t -l timeout -d 'Give up after SECS seconds (connect and answer together)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l cacert -d 'Trust the CA certificates in this PEM file as well' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l max-response -d 'Refuse an answer larger than BYTES' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l max-header-block -d 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l api-key -d 'Reach: the API key sent as X-API-Key' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s u -l user -d 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l cookie-file -d 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l schema -d 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server\'s methods, instead of its reflection (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l import-path -d 'gRPC: a directory where the imports of --schema sources are found (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l compress -d 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says' -r -f -a "gzip\t''
deflate\t''"
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l unix-socket -d 'Send an http(s):// or grpc(s):// URL\'s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l framing -d 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol\'s own: json (one value after another), ndjson (one per line), content-length (LSP\'s headers)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l server-stderr -d 'stdio: endpoints: write the server\'s stderr to FILE instead of rpc\'s stderr' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l stop-grace -d 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l root -d 'LSP: the workspace\'s root directory, sent with initialize (default: the current directory)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l open -d 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l origin -d 'WebSocket: the Origin header of the handshake' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l ws-protocol -d 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l ping-interval -d 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s c -l concurrency -d 'Connections: each has one call in flight at once (times --pipeline / --streams)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s n -l requests -d 'Stop after N calls (warm-up calls not counted)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s d -l duration -d 'Stop after SECS seconds (the default, 10, when neither -n nor -d is given)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l warmup -d 'Send calls for SECS seconds first, and count nothing of them' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l connections -d 'Keep connections alive, or open a new one per call (closed with a reset once answered, so no port is left waiting in TIME_WAIT)' -r -f -a "keep-alive\t'Each of the -c connections is opened once and reused (HTTP keep-alive)'
per-call\t'A new connection for every call, closed after its answer'"
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s m -l pipeline -l streams -d 'Calls in flight on each kept-alive connection: written ahead before their answers come (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l threads -d 'Client threads (default: the number of cores, at most one per connection)' -r
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s k -l insecure -d 'Do not verify the server\'s TLS certificate (prints a warning)'
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s v -l verbose -d 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l show-secrets -d 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
complete -c rpc -n "__fish_rpc_using_subcommand bench" -l json -d 'Print the report as one JSON object on stdout'
complete -c rpc -n "__fish_rpc_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l listen -d 'Address to listen on (HOST:PORT, or :PORT for 127.0.0.1; port 0 picks a free port, which the first stdout line names), or unix:PATH for a Unix domain socket' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l socket-mode -d 'The mode of a unix:PATH socket, in octal: who may connect' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l to -d 'The server every connection goes to: URL (http://, https://, tcp://, grpc://, grpcs://), HOST:PORT or :PORT, unix:PATH (a Unix socket), stdio:CMD (a child per client); https:// and grpcs:// use TLS toward it' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l unix-socket -d 'Reach --to\'s server through this Unix domain socket (the URL still gives TLS and names)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l cert -d 'PEM certificate chain to listen with (needs --key, implies --tls)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l key -d 'PEM private key for the listening side (with --cert; implies --tls)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l cacert -d 'Trust this PEM CA (or self-signed certificate) for the server\'s TLS' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l schema -d 'gRPC: read messages with this schema (.proto or protoset) instead of the server\'s reflection' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l import-path -d 'gRPC: where --schema\'s imports are found' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l record -d 'Append every call and answer to FILE, as `rpc repl --record` does (for `rpc replay`)' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l record-notifications -d 'With --record: the first N notifications of each subscription (eth_subscribe over ws://) recorded, for rpc replay to compare' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l max-connections -d 'Most client connections open at once (more wait to be accepted)' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l max-body -d 'Largest HTTP body (either way) or raw-tcp value decoded, in bytes; a bigger request gets 413, a bigger answer 502; a bigger gRPC message passes unread' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l header-timeout -d 'Seconds a client may take to send its first bytes and headers (and a TLS handshake)' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l idle-timeout -d 'Seconds a kept-alive HTTP/1.1 connection may wait for its next request, and a raw-tcp or tunnelled one may stay silent both ways with no call waiting' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l body-timeout -d 'Seconds a client may take to send an HTTP body once its headers are in (then 408)' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l connect-timeout -d 'Seconds connecting to the server (and asking its gRPC reflection) may take' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l drain-timeout -d 'Seconds calls in flight may take to finish after SIGINT/SIGTERM (a second signal stops at once)' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l max-log-queue -d 'Log lines waiting for a slow stdout; more are dropped, and counted in the log' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l max-streams -d 'HTTP/2 streams (gRPC calls) open at once on one client connection' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l max-konts -d 'Reach continuations remembered while they wait for their /kont (the oldest forgotten)' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l max-pending -d 'Calls remembered per connection while they wait for answers (raw-tcp; JSON-RPC on a stream or WebSocket, each way), the oldest forgotten; as many subscriptions, to label notifications' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l max-header-block -d 'Content-Length framing (LSP) on a stream: the longest header block read, in bytes (longer: its messages are no longer logged, the bytes still pass)' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l log -d '--stdio: write the log to FILE (appended) instead of stderr' -r -F
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l framing -d '--stdio: how messages are cut (json, ndjson, content-length); by default each direction\'s first bytes tell (Content-Length headers, else JSON values)' -r
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l tls -d 'Accept TLS from clients too (without it, TLS is tunnelled unread), with a self-signed certificate for localhost and 127.0.0.1 made at start unless --cert and --key give one'
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -s k -l insecure -d 'Do not check the server\'s TLS certificate'
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -s v -l verbose -d '-v: headers too; -vv: the bytes of each body and message'
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l show-secrets -d 'Show credentials (Authorization, X-API-Key, cookies) in -v headers instead of ***'
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l json -d 'One JSON object per event on stdout (connection, protocol, method, params, result or error, duration), values never shortened; the first line stays `listening on HOST:PORT`'
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -l stdio -d 'Be the server of a client that starts rpc proxy in its place (an editor, an MCP host): its stdin and stdout go to --to (stdio:CMD starts the server), the log to stderr or --log; nothing but the server\'s bytes is written to stdout'
complete -c rpc -n "__fish_rpc_using_subcommand proxy" -s h -l help -d 'Print help'
complete -c rpc -n "__fish_rpc_using_subcommand demo" -l color -d 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rpc -n "__fish_rpc_using_subcommand demo" -s h -l help -d 'Print help'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "call" -d 'Call a remote method (or a batch of them) and print the result on stdout'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "serve" -d 'Serve the toy math service on every protocol at once, on one port'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "list" -d 'List the methods a server offers (by introspection)'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "describe" -d 'Show the help text and signature of one method (by introspection)'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "completions" -d 'Print the shell completion script (the same files are under completions/)'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "repl" -d 'Interactive session that logs every request and response'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "replay" -d 'Re-send a session recorded by `rpc repl --record`; exit 1 if an answer changed'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "bench" -d 'Load a server with one call: throughput, latency percentiles, errors by kind'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "proxy" -d 'Stand between a client and a server: forward every connection, log every call'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "demo" -d 'Start the toy service in-process and take a logged tour of every protocol; exit 0'
complete -c rpc -n "__fish_rpc_using_subcommand help; and not __fish_seen_subcommand_from call serve list describe completions repl replay bench proxy demo help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
