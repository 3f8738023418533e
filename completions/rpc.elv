
use builtin;
use str;

set edit:completion:arg-completer[rpc] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rpc'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rpc'= {
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand call 'Call a remote method (or a batch of them) and print the result on stdout'
            cand serve 'Serve the toy math service on every protocol at once, on one port'
            cand list 'List the methods a server offers (by introspection)'
            cand describe 'Show the help text and signature of one method (by introspection)'
            cand completions 'Print the shell completion script (the same files are under completions/)'
            cand repl 'Interactive session that logs every request and response'
            cand replay 'Re-send a session recorded by `rpc repl --record`; exit 1 if an answer changed'
            cand bench 'Load a server with one call: throughput, latency percentiles, errors by kind'
            cand proxy 'Stand between a client and a server: forward every connection, log every call'
            cand demo 'Start the toy service in-process and take a logged tour of every protocol; exit 0'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpc;call'= {
            cand -P 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand --proto 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand -H 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand --header 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand -t 'Give up after SECS seconds (connect and answer together)'
            cand --timeout 'Give up after SECS seconds (connect and answer together)'
            cand --cacert 'Trust the CA certificates in this PEM file as well'
            cand --max-response 'Refuse an answer larger than BYTES'
            cand --api-key 'Reach: the API key sent as X-API-Key'
            cand -u 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --user 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --cookie-file 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file'
            cand --schema 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)'
            cand --import-path 'gRPC: a directory where the imports of --schema sources are found (repeatable)'
            cand --compress 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says'
            cand --callback 'Reach: register callback NAME; ANSWER is JSON, or !COMMAND run with the callback''s arguments (a JSON array on stdin, each one as JSON in $1, $2, …) whose stdout is the answer (repeatable; makes the call interactive)'
            cand --value 'Reach: add a non-function value NAME to the values object (repeatable)'
            cand -d 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin'
            cand --params 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -k 'Do not verify the server''s TLS certificate (prints a warning)'
            cand --insecure 'Do not verify the server''s TLS certificate (prints a warning)'
            cand -v 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --verbose 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --show-secrets 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
            cand --notify 'Send as notification(s): no id, no answer expected, nothing printed'
            cand -r 'Print a string result without quotes'
            cand --raw 'Print a string result without quotes'
            cand --dry-run 'Print the request that would be sent, and send nothing'
            cand --curl 'Print the request as a curl command (printf | nc for raw-tcp), and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rpc;serve'= {
            cand --addr 'Address to listen on; port 0 picks a free port'
            cand --cert 'PEM certificate chain for HTTPS (with --key; implies --tls)'
            cand --key 'PEM private key for HTTPS (with --cert; implies --tls)'
            cand --api-key 'Make the Reach endpoints demand this X-API-Key (401 otherwise)'
            cand --max-body 'Largest request body accepted, in bytes (larger: HTTP 413)'
            cand --max-batch 'Most calls in one JSON-RPC batch or XML-RPC multicall'
            cand --max-depth 'Deepest nesting of arrays/objects (JSON) or arrays/structs (XML-RPC) accepted'
            cand --max-message 'Largest raw-tcp request accepted, in bytes (larger: an error answer, then close)'
            cand --idle-timeout 'Seconds a raw-tcp or keep-alive HTTP connection may wait for its next request before it is closed (for HTTP the header timeout bounds the wait too)'
            cand --header-timeout 'Seconds a client may take to send a request''s first bytes and headers'
            cand --body-timeout 'Seconds a client may take to send an HTTP request''s body once its headers are in (later: 408)'
            cand --max-connections 'Most connections open at once. When all are taken, a newcomer closes the oldest one that has not sent a request yet and takes its place; if every one has, the newcomer gets HTTP 503'
            cand --max-sleep 'Longest `sleep` the service grants, in seconds'
            cand --kont-timeout 'Seconds a Reach continuation handle (kid) stays valid, waiting for its /kont'
            cand --max-konts 'Most Reach continuations waiting for their /kont at once (more: HTTP 503)'
            cand --max-log-queue 'Most per-call log lines waiting for a slow stderr (more are dropped, and counted in the log)'
            cand --max-streams 'Most HTTP/2 streams (gRPC calls) open at once on one connection'
            cand --max-header-list 'Largest HTTP/2 header list a gRPC request may send, in bytes'
            cand --max-resets 'Most streams one HTTP/2 connection may reset before it is closed (Rapid Reset flood, CVE-2023-44487)'
            cand --max-routes 'Most routes the gRPC Router''s table holds (more: RESOURCE_EXHAUSTED)'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -q 'Do not log one line per call on stderr'
            cand --quiet 'Do not log one line per call on stderr'
            cand --tls 'Serve HTTPS too (same port), with a self-signed certificate for localhost and 127.0.0.1 made at start, unless --cert and --key are given'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rpc;list'= {
            cand -P 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand --proto 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand -H 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand --header 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand -t 'Give up after SECS seconds (connect and answer together)'
            cand --timeout 'Give up after SECS seconds (connect and answer together)'
            cand --cacert 'Trust the CA certificates in this PEM file as well'
            cand --max-response 'Refuse an answer larger than BYTES'
            cand --api-key 'Reach: the API key sent as X-API-Key'
            cand -u 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --user 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --cookie-file 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file'
            cand --schema 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)'
            cand --import-path 'gRPC: a directory where the imports of --schema sources are found (repeatable)'
            cand --compress 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -k 'Do not verify the server''s TLS certificate (prints a warning)'
            cand --insecure 'Do not verify the server''s TLS certificate (prints a warning)'
            cand -v 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --verbose 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --show-secrets 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
            cand --json 'Print the names as one JSON array'
            cand --all 'gRPC: list the reflection services'' methods too'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rpc;describe'= {
            cand -P 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand --proto 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand -H 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand --header 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand -t 'Give up after SECS seconds (connect and answer together)'
            cand --timeout 'Give up after SECS seconds (connect and answer together)'
            cand --cacert 'Trust the CA certificates in this PEM file as well'
            cand --max-response 'Refuse an answer larger than BYTES'
            cand --api-key 'Reach: the API key sent as X-API-Key'
            cand -u 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --user 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --cookie-file 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file'
            cand --schema 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)'
            cand --import-path 'gRPC: a directory where the imports of --schema sources are found (repeatable)'
            cand --compress 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -k 'Do not verify the server''s TLS certificate (prints a warning)'
            cand --insecure 'Do not verify the server''s TLS certificate (prints a warning)'
            cand -v 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --verbose 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --show-secrets 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
            cand --json 'Print the description as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rpc;completions'= {
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rpc;repl'= {
            cand -P 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand --proto 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand -H 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand --header 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand -t 'Give up after SECS seconds (connect and answer together)'
            cand --timeout 'Give up after SECS seconds (connect and answer together)'
            cand --cacert 'Trust the CA certificates in this PEM file as well'
            cand --max-response 'Refuse an answer larger than BYTES'
            cand --api-key 'Reach: the API key sent as X-API-Key'
            cand -u 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --user 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --cookie-file 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file'
            cand --schema 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)'
            cand --import-path 'gRPC: a directory where the imports of --schema sources are found (repeatable)'
            cand --compress 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says'
            cand --callback 'Reach: register callback NAME; ANSWER is JSON, or !COMMAND run with the callback''s arguments (a JSON array on stdin, each one as JSON in $1, $2, …) whose stdout is the answer (repeatable; makes the call interactive)'
            cand --value 'Reach: add a non-function value NAME to the values object (repeatable)'
            cand --history 'Keep the line history in FILE (default: rpc/history in the platform''s data directory)'
            cand --record 'Append every call and its answer to FILE as JSON Lines, for `rpc replay`'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -k 'Do not verify the server''s TLS certificate (prints a warning)'
            cand --insecure 'Do not verify the server''s TLS certificate (prints a warning)'
            cand -v 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --verbose 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --show-secrets 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
            cand --fail-fast 'When reading commands from a pipe, stop at the first failed line with its exit status'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rpc;replay'= {
            cand --endpoint 'Send every call here instead of the endpoint it was recorded with'
            cand -P 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand --proto 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand -H 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand --header 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand -t 'Give up after SECS seconds (connect and answer together)'
            cand --timeout 'Give up after SECS seconds (connect and answer together)'
            cand --cacert 'Trust the CA certificates in this PEM file as well'
            cand --max-response 'Refuse an answer larger than BYTES'
            cand --api-key 'Reach: the API key sent as X-API-Key'
            cand -u 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --user 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --cookie-file 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file'
            cand --schema 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)'
            cand --import-path 'gRPC: a directory where the imports of --schema sources are found (repeatable)'
            cand --compress 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -k 'Do not verify the server''s TLS certificate (prints a warning)'
            cand --insecure 'Do not verify the server''s TLS certificate (prints a warning)'
            cand -v 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --verbose 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --show-secrets 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rpc;bench'= {
            cand --params 'Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin (-d is --duration here)'
            cand -P 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand --proto 'Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)'
            cand -H 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand --header 'Extra HTTP header, ''Name: value'' (repeatable)'
            cand -t 'Give up after SECS seconds (connect and answer together)'
            cand --timeout 'Give up after SECS seconds (connect and answer together)'
            cand --cacert 'Trust the CA certificates in this PEM file as well'
            cand --max-response 'Refuse an answer larger than BYTES'
            cand --api-key 'Reach: the API key sent as X-API-Key'
            cand -u 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --user 'HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for the password at the terminal (credentials in the URL work too)'
            cand --cookie-file 'HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes __cookie__:PASSWORD to its .cookie file'
            cand --schema 'gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server''s methods, instead of its reflection (repeatable)'
            cand --import-path 'gRPC: a directory where the imports of --schema sources are found (repeatable)'
            cand --compress 'gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate whatever this says'
            cand -c 'Connections: each has one call in flight at once (times --pipeline / --streams)'
            cand --concurrency 'Connections: each has one call in flight at once (times --pipeline / --streams)'
            cand -n 'Stop after N calls (warm-up calls not counted)'
            cand --requests 'Stop after N calls (warm-up calls not counted)'
            cand -d 'Stop after SECS seconds (the default, 10, when neither -n nor -d is given)'
            cand --duration 'Stop after SECS seconds (the default, 10, when neither -n nor -d is given)'
            cand --warmup 'Send calls for SECS seconds first, and count nothing of them'
            cand --connections 'Keep connections alive, or open a new one per call (closed with a reset once answered, so no port is left waiting in TIME_WAIT)'
            cand -m 'Calls in flight on each kept-alive connection: written ahead before their answers come (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC'
            cand --pipeline 'Calls in flight on each kept-alive connection: written ahead before their answers come (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC'
            cand --streams 'Calls in flight on each kept-alive connection: written ahead before their answers come (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC'
            cand --threads 'Client threads (default: the number of cores, at most one per connection)'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -k 'Do not verify the server''s TLS certificate (prints a warning)'
            cand --insecure 'Do not verify the server''s TLS certificate (prints a warning)'
            cand -v 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --verbose 'Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)'
            cand --show-secrets 'Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***'
            cand --json 'Print the report as one JSON object on stdout'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'rpc;proxy'= {
            cand --listen 'Address to listen on (HOST:PORT, or :PORT for 127.0.0.1); port 0 picks a free port, which the first stdout line names'
            cand --to 'The server every connection goes to: URL (http://, https://, tcp://, grpc://, grpcs://), HOST:PORT or :PORT; https:// and grpcs:// use TLS toward it'
            cand --cert 'PEM certificate chain to listen with (needs --key, implies --tls)'
            cand --key 'PEM private key for the listening side (with --cert; implies --tls)'
            cand --cacert 'Trust this PEM CA (or self-signed certificate) for the server''s TLS'
            cand --schema 'gRPC: read messages with this schema (.proto or protoset) instead of the server''s reflection'
            cand --import-path 'gRPC: where --schema''s imports are found'
            cand --record 'Append every call and answer to FILE, as `rpc repl --record` does (for `rpc replay`)'
            cand --max-connections 'Most client connections open at once (more wait to be accepted)'
            cand --max-body 'Largest HTTP body (either way) or raw-tcp value decoded, in bytes; a bigger request gets 413, a bigger answer 502; a bigger gRPC message passes unread'
            cand --header-timeout 'Seconds a client may take to send its first bytes and headers (and a TLS handshake)'
            cand --idle-timeout 'Seconds a kept-alive HTTP/1.1 connection may wait for its next request, and a raw-tcp or tunnelled one may stay silent both ways with no call waiting'
            cand --body-timeout 'Seconds a client may take to send an HTTP body once its headers are in (then 408)'
            cand --connect-timeout 'Seconds connecting to the server (and asking its gRPC reflection) may take'
            cand --drain-timeout 'Seconds calls in flight may take to finish after SIGINT/SIGTERM (a second signal stops at once)'
            cand --max-log-queue 'Log lines waiting for a slow stdout; more are dropped, and counted in the log'
            cand --max-streams 'HTTP/2 streams (gRPC calls) open at once on one client connection'
            cand --max-konts 'Reach continuations remembered while they wait for their /kont (the oldest forgotten)'
            cand --max-pending 'raw-tcp calls remembered per connection while they wait for answers (the oldest forgotten)'
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand --tls 'Accept TLS from clients too, with a self-signed certificate for localhost and 127.0.0.1 made at start, unless --cert and --key are given (without it, TLS is tunnelled unread)'
            cand -k 'Do not check the server''s TLS certificate'
            cand --insecure 'Do not check the server''s TLS certificate'
            cand -v '-v: headers too; -vv: the bytes of each body and message'
            cand --verbose '-v: headers too; -vv: the bytes of each body and message'
            cand --show-secrets 'Show credentials (Authorization, X-API-Key, cookies) in -v headers instead of ***'
            cand --json 'One JSON object per event on stdout (connection, protocol, method, params, result or error, duration), values never shortened; the first line stays `listening on HOST:PORT`'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rpc;demo'= {
            cand --color 'When to colour output: auto (on terminals, unless NO_COLOR is set), always or never'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rpc;help'= {
            cand call 'Call a remote method (or a batch of them) and print the result on stdout'
            cand serve 'Serve the toy math service on every protocol at once, on one port'
            cand list 'List the methods a server offers (by introspection)'
            cand describe 'Show the help text and signature of one method (by introspection)'
            cand completions 'Print the shell completion script (the same files are under completions/)'
            cand repl 'Interactive session that logs every request and response'
            cand replay 'Re-send a session recorded by `rpc repl --record`; exit 1 if an answer changed'
            cand bench 'Load a server with one call: throughput, latency percentiles, errors by kind'
            cand proxy 'Stand between a client and a server: forward every connection, log every call'
            cand demo 'Start the toy service in-process and take a logged tour of every protocol; exit 0'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rpc;help;call'= {
        }
        &'rpc;help;serve'= {
        }
        &'rpc;help;list'= {
        }
        &'rpc;help;describe'= {
        }
        &'rpc;help;completions'= {
        }
        &'rpc;help;repl'= {
        }
        &'rpc;help;replay'= {
        }
        &'rpc;help;bench'= {
        }
        &'rpc;help;proxy'= {
        }
        &'rpc;help;demo'= {
        }
        &'rpc;help;help'= {
        }
    ]
    $completions[$command]
}
