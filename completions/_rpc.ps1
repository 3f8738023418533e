
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rpc' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rpc'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rpc' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call a remote method (or a batch of them) and print the result on stdout')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the toy math service on every protocol at once, on one port')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the methods a server offers (by introspection)')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show the help text and signature of one method (by introspection)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (the same files are under completions/)')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'Interactive session that logs every request and response')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-send a session recorded by `rpc repl --record`; exit 1 if an answer changed')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load a server with one call: throughput, latency percentiles, errors by kind')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Stand between a client and a server: forward every connection, log every call')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start the toy service in-process and take a logged tour of every protocol; exit 0')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpc;call' {
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file as well')
            [CompletionResult]::new('--max-response', '--max-response', [CompletionResultType]::ParameterName, 'Refuse an answer larger than BYTES')
            [CompletionResult]::new('--max-header-block', '--max-header-block', [CompletionResultType]::ParameterName, 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Reach: the API key sent as X-API-Key')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--cookie-file', '--cookie-file', [CompletionResultType]::ParameterName, 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'gRPC: a directory where the imports of --schema sources are found (repeatable)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Send an http(s):// or grpc(s):// URL''s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do')
            [CompletionResult]::new('--framing', '--framing', [CompletionResultType]::ParameterName, 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol''s own: json (one value after another), ndjson (one per line), content-length (LSP''s headers)')
            [CompletionResult]::new('--server-stderr', '--server-stderr', [CompletionResultType]::ParameterName, 'stdio: endpoints: write the server''s stderr to FILE instead of rpc''s stderr')
            [CompletionResult]::new('--stop-grace', '--stop-grace', [CompletionResultType]::ParameterName, 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'LSP: the workspace''s root directory, sent with initialize (default: the current directory)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'WebSocket: the Origin header of the handshake')
            [CompletionResult]::new('--ws-protocol', '--ws-protocol', [CompletionResultType]::ParameterName, 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)')
            [CompletionResult]::new('--callback', '--callback', [CompletionResultType]::ParameterName, 'Answer callback NAME: Reach''s (makes the call interactive), or on a stream (unix:, stdio:, LSP) the server''s own request NAME. ANSWER is JSON, or !COMMAND run with the arguments (a JSON array on stdin, each one as JSON in $1, $2, …) whose stdout is the answer (repeatable)')
            [CompletionResult]::new('--value', '--value', [CompletionResultType]::ParameterName, 'Reach: add a non-function value NAME to the values object (repeatable)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin')
            [CompletionResult]::new('--params', '--params', [CompletionResultType]::ParameterName, 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'On a stream (stdio:, unix:, tcp://): after the calls (or without any), wait for the server''s notification METHOD and print its params as a result (LSP: textDocument/publishDiagnostics)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, '--follow: stop after N notifications')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, '--follow: stop after N notifications')
            [CompletionResult]::new('--unsubscribe', '--unsubscribe', [CompletionResultType]::ParameterName, '--follow: the method that ends the subscription (default: the call''s, with subscribe made unsubscribe); its params are [SUBSCRIPTION-ID]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Send as notification(s): no id, no answer expected, nothing printed')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Print a string result without quotes')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print a string result without quotes')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent, and send nothing')
            [CompletionResult]::new('--curl', '--curl', [CompletionResultType]::ParameterName, 'Print the request as a curl command (printf | nc for raw-tcp), and send nothing')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'On a stream (ws://, stdio:, unix:, tcp://): after the answer, print each notification as one line (its params.result) until -n, -t, the server closes or Ctrl-C; then unsubscribe (eth_subscribe → eth_unsubscribe) and exit 0')
            [CompletionResult]::new('--whole-notification', '--whole-notification', [CompletionResultType]::ParameterName, '--follow: print each notification whole ({"jsonrpc","method","params"}), not its params.result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rpc;serve' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free port), or unix:PATH for a Unix domain socket (a stale socket file is replaced, the file removed on exit)')
            [CompletionResult]::new('--socket-mode', '--socket-mode', [CompletionResultType]::ParameterName, 'The mode of a unix:PATH socket, in octal: who may connect')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM certificate chain for HTTPS (with --key; implies --tls)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key for HTTPS (with --cert; implies --tls)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Make the Reach endpoints demand this X-API-Key (401 otherwise)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body accepted, in bytes (larger: HTTP 413)')
            [CompletionResult]::new('--max-batch', '--max-batch', [CompletionResultType]::ParameterName, 'Most calls in one JSON-RPC batch or XML-RPC multicall')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Deepest nesting of arrays/objects (JSON) or arrays/structs (XML-RPC) accepted')
            [CompletionResult]::new('--max-message', '--max-message', [CompletionResultType]::ParameterName, 'Largest raw-tcp request accepted, in bytes (larger: an error answer, then close)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Seconds a raw-tcp or keep-alive HTTP connection may wait for its next request before it is closed (for HTTP the header timeout bounds the wait too)')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send a request''s first bytes and headers')
            [CompletionResult]::new('--body-timeout', '--body-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send an HTTP request''s body once its headers are in (later: 408)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most connections open at once. When all are taken, a newcomer closes the oldest one that has not sent a request yet and takes its place; if every one has, the newcomer gets HTTP 503')
            [CompletionResult]::new('--max-sleep', '--max-sleep', [CompletionResultType]::ParameterName, 'Longest `sleep` the service grants, in seconds')
            [CompletionResult]::new('--kont-timeout', '--kont-timeout', [CompletionResultType]::ParameterName, 'Seconds a Reach continuation handle (kid) stays valid, waiting for its /kont')
            [CompletionResult]::new('--max-konts', '--max-konts', [CompletionResultType]::ParameterName, 'Most Reach continuations waiting for their /kont at once (more: HTTP 503)')
            [CompletionResult]::new('--max-log-queue', '--max-log-queue', [CompletionResultType]::ParameterName, 'Most per-call log lines waiting for a slow stderr (more are dropped, and counted in the log)')
            [CompletionResult]::new('--max-streams', '--max-streams', [CompletionResultType]::ParameterName, 'Most HTTP/2 streams (gRPC calls) open at once on one connection')
            [CompletionResult]::new('--max-header-list', '--max-header-list', [CompletionResultType]::ParameterName, 'Largest HTTP/2 header list a gRPC request may send, in bytes')
            [CompletionResult]::new('--max-resets', '--max-resets', [CompletionResultType]::ParameterName, 'Most streams one HTTP/2 connection may reset before it is closed (Rapid Reset flood, CVE-2023-44487)')
            [CompletionResult]::new('--max-routes', '--max-routes', [CompletionResultType]::ParameterName, 'Most routes the gRPC Router''s table holds (more: RESOURCE_EXHAUSTED)')
            [CompletionResult]::new('--max-subscriptions', '--max-subscriptions', [CompletionResultType]::ParameterName, 'Most subscriptions one WebSocket connection may hold (more: error -32000)')
            [CompletionResult]::new('--max-ws-queue', '--max-ws-queue', [CompletionResultType]::ParameterName, 'Most messages waiting for a WebSocket client that does not read; past that it is cut off (close 1008)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('--stdio', '--stdio', [CompletionResultType]::ParameterName, 'Serve one client on stdin and stdout instead of a port: JSON-RPC objects, one per line, the per-call log on stderr (for a client that starts its server: stdio:''rpc serve --stdio'')')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not log one line per call on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not log one line per call on stderr')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Serve HTTPS too (same port), with a self-signed certificate for localhost and 127.0.0.1 made at start, unless --cert and --key are given')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rpc;list' {
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file as well')
            [CompletionResult]::new('--max-response', '--max-response', [CompletionResultType]::ParameterName, 'Refuse an answer larger than BYTES')
            [CompletionResult]::new('--max-header-block', '--max-header-block', [CompletionResultType]::ParameterName, 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Reach: the API key sent as X-API-Key')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--cookie-file', '--cookie-file', [CompletionResultType]::ParameterName, 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'gRPC: a directory where the imports of --schema sources are found (repeatable)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Send an http(s):// or grpc(s):// URL''s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do')
            [CompletionResult]::new('--framing', '--framing', [CompletionResultType]::ParameterName, 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol''s own: json (one value after another), ndjson (one per line), content-length (LSP''s headers)')
            [CompletionResult]::new('--server-stderr', '--server-stderr', [CompletionResultType]::ParameterName, 'stdio: endpoints: write the server''s stderr to FILE instead of rpc''s stderr')
            [CompletionResult]::new('--stop-grace', '--stop-grace', [CompletionResultType]::ParameterName, 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'LSP: the workspace''s root directory, sent with initialize (default: the current directory)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'WebSocket: the Origin header of the handshake')
            [CompletionResult]::new('--ws-protocol', '--ws-protocol', [CompletionResultType]::ParameterName, 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the names as one JSON array')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'gRPC: list the reflection services'' methods too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rpc;describe' {
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file as well')
            [CompletionResult]::new('--max-response', '--max-response', [CompletionResultType]::ParameterName, 'Refuse an answer larger than BYTES')
            [CompletionResult]::new('--max-header-block', '--max-header-block', [CompletionResultType]::ParameterName, 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Reach: the API key sent as X-API-Key')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--cookie-file', '--cookie-file', [CompletionResultType]::ParameterName, 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'gRPC: a directory where the imports of --schema sources are found (repeatable)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Send an http(s):// or grpc(s):// URL''s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do')
            [CompletionResult]::new('--framing', '--framing', [CompletionResultType]::ParameterName, 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol''s own: json (one value after another), ndjson (one per line), content-length (LSP''s headers)')
            [CompletionResult]::new('--server-stderr', '--server-stderr', [CompletionResultType]::ParameterName, 'stdio: endpoints: write the server''s stderr to FILE instead of rpc''s stderr')
            [CompletionResult]::new('--stop-grace', '--stop-grace', [CompletionResultType]::ParameterName, 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'LSP: the workspace''s root directory, sent with initialize (default: the current directory)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'WebSocket: the Origin header of the handshake')
            [CompletionResult]::new('--ws-protocol', '--ws-protocol', [CompletionResultType]::ParameterName, 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the description as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rpc;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rpc;repl' {
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file as well')
            [CompletionResult]::new('--max-response', '--max-response', [CompletionResultType]::ParameterName, 'Refuse an answer larger than BYTES')
            [CompletionResult]::new('--max-header-block', '--max-header-block', [CompletionResultType]::ParameterName, 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Reach: the API key sent as X-API-Key')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--cookie-file', '--cookie-file', [CompletionResultType]::ParameterName, 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'gRPC: a directory where the imports of --schema sources are found (repeatable)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Send an http(s):// or grpc(s):// URL''s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do')
            [CompletionResult]::new('--framing', '--framing', [CompletionResultType]::ParameterName, 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol''s own: json (one value after another), ndjson (one per line), content-length (LSP''s headers)')
            [CompletionResult]::new('--server-stderr', '--server-stderr', [CompletionResultType]::ParameterName, 'stdio: endpoints: write the server''s stderr to FILE instead of rpc''s stderr')
            [CompletionResult]::new('--stop-grace', '--stop-grace', [CompletionResultType]::ParameterName, 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'LSP: the workspace''s root directory, sent with initialize (default: the current directory)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'WebSocket: the Origin header of the handshake')
            [CompletionResult]::new('--ws-protocol', '--ws-protocol', [CompletionResultType]::ParameterName, 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)')
            [CompletionResult]::new('--callback', '--callback', [CompletionResultType]::ParameterName, 'Answer callback NAME: Reach''s (makes the call interactive), or on a stream (unix:, stdio:, LSP) the server''s own request NAME. ANSWER is JSON, or !COMMAND run with the arguments (a JSON array on stdin, each one as JSON in $1, $2, …) whose stdout is the answer (repeatable)')
            [CompletionResult]::new('--value', '--value', [CompletionResultType]::ParameterName, 'Reach: add a non-function value NAME to the values object (repeatable)')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'Keep the line history in FILE (default: rpc/history in the platform''s data directory)')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Append every call and its answer to FILE as JSON Lines, for `rpc replay`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'When reading commands from a pipe, stop at the first failed line with its exit status')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rpc;replay' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Send every call here instead of the endpoint it was recorded with (URL, unix:PATH, stdio:CMD)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file as well')
            [CompletionResult]::new('--max-response', '--max-response', [CompletionResultType]::ParameterName, 'Refuse an answer larger than BYTES')
            [CompletionResult]::new('--max-header-block', '--max-header-block', [CompletionResultType]::ParameterName, 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Reach: the API key sent as X-API-Key')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--cookie-file', '--cookie-file', [CompletionResultType]::ParameterName, 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'gRPC: a directory where the imports of --schema sources are found (repeatable)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Send an http(s):// or grpc(s):// URL''s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do')
            [CompletionResult]::new('--framing', '--framing', [CompletionResultType]::ParameterName, 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol''s own: json (one value after another), ndjson (one per line), content-length (LSP''s headers)')
            [CompletionResult]::new('--server-stderr', '--server-stderr', [CompletionResultType]::ParameterName, 'stdio: endpoints: write the server''s stderr to FILE instead of rpc''s stderr')
            [CompletionResult]::new('--stop-grace', '--stop-grace', [CompletionResultType]::ParameterName, 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'LSP: the workspace''s root directory, sent with initialize (default: the current directory)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'WebSocket: the Origin header of the handshake')
            [CompletionResult]::new('--ws-protocol', '--ws-protocol', [CompletionResultType]::ParameterName, 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rpc;bench' {
            [CompletionResult]::new('--params', '--params', [CompletionResultType]::ParameterName, 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin (-d is --duration here)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after SECS seconds (connect and answer together)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file as well')
            [CompletionResult]::new('--max-response', '--max-response', [CompletionResultType]::ParameterName, 'Refuse an answer larger than BYTES')
            [CompletionResult]::new('--max-header-block', '--max-header-block', [CompletionResultType]::ParameterName, 'Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Reach: the API key sent as X-API-Key')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)')
            [CompletionResult]::new('--cookie-file', '--cookie-file', [CompletionResultType]::ParameterName, 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'gRPC: a directory where the imports of --schema sources are found (repeatable)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Send an http(s):// or grpc(s):// URL''s requests to this Unix domain socket instead of its host (Host and :authority still come from the URL), as curl and buf curl do')
            [CompletionResult]::new('--framing', '--framing', [CompletionResultType]::ParameterName, 'How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol''s own: json (one value after another), ndjson (one per line), content-length (LSP''s headers)')
            [CompletionResult]::new('--server-stderr', '--server-stderr', [CompletionResultType]::ParameterName, 'stdio: endpoints: write the server''s stderr to FILE instead of rpc''s stderr')
            [CompletionResult]::new('--stop-grace', '--stop-grace', [CompletionResultType]::ParameterName, 'stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is killed')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'LSP: the workspace''s root directory, sent with initialize (default: the current directory)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'LSP: open FILE (textDocument/didOpen) before the calls (repeatable)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'WebSocket: the Origin header of the handshake')
            [CompletionResult]::new('--ws-protocol', '--ws-protocol', [CompletionResultType]::ParameterName, 'WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Connections: each has one call in flight at once (times --pipeline / --streams)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Connections: each has one call in flight at once (times --pipeline / --streams)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N calls (warm-up calls not counted)')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Stop after N calls (warm-up calls not counted)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Stop after SECS seconds (the default, 10, when neither -n nor -d is given)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after SECS seconds (the default, 10, when neither -n nor -d is given)')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Send calls for SECS seconds first, and count nothing of them')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Keep connections alive, or open a new one per call (closed with a reset once answered, so no port is left waiting in TIME_WAIT)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Calls in flight on each kept-alive connection: written ahead before their answers come (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Calls in flight on each kept-alive connection: written ahead before their answers come (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC')
            [CompletionResult]::new('--streams', '--streams', [CompletionResultType]::ParameterName, 'Calls in flight on each kept-alive connection: written ahead before their answers come (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Client threads (default: the number of cores, at most one per connection)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (prints a warning)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the report as one JSON object on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rpc;proxy' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (HOST:PORT, or :PORT for 127.0.0.1; port 0 picks a free port, which the first stdout line names), or unix:PATH for a Unix domain socket')
            [CompletionResult]::new('--socket-mode', '--socket-mode', [CompletionResultType]::ParameterName, 'The mode of a unix:PATH socket, in octal: who may connect')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The server every connection goes to: URL (http://, https://, tcp://, grpc://, grpcs://), HOST:PORT or :PORT, unix:PATH (a Unix socket), stdio:CMD (a child per client); https:// and grpcs:// use TLS toward it')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Reach --to''s server through this Unix domain socket (the URL still gives TLS and names)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM certificate chain to listen with (needs --key, implies --tls)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key for the listening side (with --cert; implies --tls)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust this PEM CA (or self-signed certificate) for the server''s TLS')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'gRPC: read messages with this schema (.proto or protoset) instead of the server''s reflection')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'gRPC: where --schema''s imports are found')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Append every call and answer to FILE, as `rpc repl --record` does (for `rpc replay`)')
            [CompletionResult]::new('--record-notifications', '--record-notifications', [CompletionResultType]::ParameterName, 'With --record: the first N notifications of each subscription (eth_subscribe over ws://) recorded, for rpc replay to compare')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most client connections open at once (more wait to be accepted)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest HTTP body (either way) or raw-tcp value decoded, in bytes; a bigger request gets 413, a bigger answer 502; a bigger gRPC message passes unread')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send its first bytes and headers (and a TLS handshake)')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Seconds a kept-alive HTTP/1.1 connection may wait for its next request, and a raw-tcp or tunnelled one may stay silent both ways with no call waiting')
            [CompletionResult]::new('--body-timeout', '--body-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take to send an HTTP body once its headers are in (then 408)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds connecting to the server (and asking its gRPC reflection) may take')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Seconds calls in flight may take to finish after SIGINT/SIGTERM (a second signal stops at once)')
            [CompletionResult]::new('--max-log-queue', '--max-log-queue', [CompletionResultType]::ParameterName, 'Log lines waiting for a slow stdout; more are dropped, and counted in the log')
            [CompletionResult]::new('--max-streams', '--max-streams', [CompletionResultType]::ParameterName, 'HTTP/2 streams (gRPC calls) open at once on one client connection')
            [CompletionResult]::new('--max-konts', '--max-konts', [CompletionResultType]::ParameterName, 'Reach continuations remembered while they wait for their /kont (the oldest forgotten)')
            [CompletionResult]::new('--max-pending', '--max-pending', [CompletionResultType]::ParameterName, 'Calls remembered per connection while they wait for answers (raw-tcp; JSON-RPC on a stream or WebSocket, each way), the oldest forgotten; as many subscriptions, to label notifications')
            [CompletionResult]::new('--max-header-block', '--max-header-block', [CompletionResultType]::ParameterName, 'Content-Length framing (LSP) on a stream: the longest header block read, in bytes (longer: its messages are no longer logged, the bytes still pass)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, '--stdio: write the log to FILE (appended) instead of stderr')
            [CompletionResult]::new('--framing', '--framing', [CompletionResultType]::ParameterName, '--stdio: how messages are cut (json, ndjson, content-length); by default each direction''s first bytes tell (Content-Length headers, else JSON values)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Accept TLS from clients too (without it, TLS is tunnelled unread), with a self-signed certificate for localhost and 127.0.0.1 made at start unless --cert and --key give one')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not check the server''s TLS certificate')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server''s TLS certificate')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, '-v: headers too; -vv: the bytes of each body and message')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, '-v: headers too; -vv: the bytes of each body and message')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, X-API-Key, cookies) in -v headers instead of ***')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per event on stdout (connection, protocol, method, params, result or error, duration), values never shortened; the first line stays `listening on HOST:PORT`')
            [CompletionResult]::new('--stdio', '--stdio', [CompletionResultType]::ParameterName, 'Be the server of a client that starts rpc proxy in its place (an editor, an MCP host): its stdin and stdout go to --to (stdio:CMD starts the server), the log to stderr or --log; nothing but the server''s bytes is written to stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rpc;demo' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rpc;help' {
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call a remote method (or a batch of them) and print the result on stdout')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the toy math service on every protocol at once, on one port')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the methods a server offers (by introspection)')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show the help text and signature of one method (by introspection)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (the same files are under completions/)')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'Interactive session that logs every request and response')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Re-send a session recorded by `rpc repl --record`; exit 1 if an answer changed')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load a server with one call: throughput, latency percentiles, errors by kind')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Stand between a client and a server: forward every connection, log every call')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start the toy service in-process and take a logged tour of every protocol; exit 0')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rpc;help;call' {
            break
        }
        'rpc;help;serve' {
            break
        }
        'rpc;help;list' {
            break
        }
        'rpc;help;describe' {
            break
        }
        'rpc;help;completions' {
            break
        }
        'rpc;help;repl' {
            break
        }
        'rpc;help;replay' {
            break
        }
        'rpc;help;bench' {
            break
        }
        'rpc;help;proxy' {
            break
        }
        'rpc;help;demo' {
            break
        }
        'rpc;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
