//! `rpc call --curl`: the same request as a command line for someone without `rpc` — curl with
//! the exact body and headers for the HTTP protocols, `printf` into `nc` for raw-tcp.
//!
//! It renders [`Client::preview`], the very requests `rpc call` would send (and `--dry-run`
//! prints), so the two can never disagree. Every word is shell-quoted for POSIX shells.

use crate::client::http::HttpRequest;
use crate::client::{Client, Credentials, Given, Mode, Options, Wire};
use crate::error::Result;
use crate::protocol::Call;

/// The command lines, one per request, and a note for stderr when one line cannot do it all.
pub struct CurlText {
    pub commands: Vec<String>,
    pub note: Option<String>,
}

/// The equivalent commands of `calls` as `client` would send them.
pub async fn render(client: &Client, calls: &[Call], mode: Mode) -> Result<CurlText> {
    let options = curl_options(client.options());
    let commands = client
        .preview_all(calls, mode)
        .await?
        .iter()
        .map(|wire| match wire {
            Wire::Http(request) => curl_line(request, client, &options),
            Wire::Grpc(preview) => grpc_line(preview, client.options()),
            Wire::Tcp { addr, bytes } => nc_line(addr, bytes),
        })
        .collect();
    Ok(CurlText {
        commands,
        note: interactive_note(client),
    })
}

/// An interactive Reach call goes on with `/kont` requests whose content depends on each answer.
fn interactive_note(client: &Client) -> Option<String> {
    if !client.proto.spec().interactive || !client.is_interactive() {
        return None;
    }
    let mut kont = client.url.clone();
    kont.set_path(&format!(
        "{}{}",
        client.url.path().trim_end_matches('/'),
        crate::protocol::reach::KONT_PATH
    ));
    Some(format!(
        "rpc: --curl shows only the first request of an interactive call: each callback the server \
         asks for with {{\"t\":\"Kont\",\"kid\":KID,\"m\":NAME,\"args\":[…]}} needs one more round \
         trip, curl {kont} --data-binary '[\"KID\", ANSWER]' (with the same headers), until the server \
         answers {{\"t\":\"Done\",\"ans\":RESULT}}"
    ))
}

/// The curl options that match `rpc`'s connection options: `-k`, `--cacert FILE`,
/// `--max-time SECS`, and credentials as the user gave them (URL credentials stay in the URL;
/// see [`url_as_given`]).
fn curl_options(connect: &Options) -> Vec<String> {
    let mut options = Vec::new();
    match connect.auth.as_ref().map(|auth| (auth, &auth.given)) {
        Some((auth, Given::Flag)) => {
            options.push("-u".to_owned());
            options.push(shell_quote(&format!("{}:{}", auth.user, auth.password)));
        }
        // curl asks for the password too.
        Some((auth, Given::Prompted)) => {
            options.push("-u".to_owned());
            options.push(shell_quote(&auth.user));
        }
        // The file holds USER:PASSWORD, which is what -u takes.
        Some((_, Given::CookieFile(path))) => {
            options.push("-u".to_owned());
            options.push(format!(
                "\"$(cat {})\"",
                shell_quote(&path.to_string_lossy())
            ));
        }
        Some((_, Given::Url)) | None => {}
    }
    if connect.insecure {
        options.push("-k".to_owned());
    }
    if let Some(path) = &connect.cacert {
        options.push("--cacert".to_owned());
        options.push(shell_quote(&path.to_string_lossy()));
    }
    if let Some(timeout) = connect.timeout {
        options.push("--max-time".to_owned());
        options.push(timeout.as_secs_f64().to_string());
    }
    if let Some(path) = &connect.unix_socket {
        options.push("--unix-socket".to_owned());
        options.push(shell_quote(&path.to_string_lossy()));
    }
    options
}

/// `curl -sS [OPTIONS] URL -H 'Name: value' … --data-binary 'BODY'`.
fn curl_line(request: &HttpRequest, client: &Client, options: &[String]) -> String {
    let url = url_as_given(&request.url, client.options().auth.as_ref());
    curl_words(request, client.extra_headers(), options, &url)
}

/// The URL with the credentials put back where the user wrote them (in the URL itself).
fn url_as_given(url: &url::Url, auth: Option<&Credentials>) -> String {
    let mut url = url.clone();
    if let Some(auth) = auth.filter(|auth| auth.given == Given::Url) {
        // Both setters fail only for URLs that cannot carry credentials (not http(s)).
        let _ = url.set_username(&auth.user);
        let _ = url.set_password(Some(&auth.password));
    }
    url.to_string()
}

fn curl_words(
    request: &HttpRequest,
    extra_headers: &[(String, String)],
    options: &[String],
    url: &str,
) -> String {
    let mut words = vec!["curl".to_owned(), "-sS".to_owned()];
    words.extend(options.iter().cloned());
    words.push(shell_quote(url));
    // A header the user gives replaces rpc's own of the same name, as it does on the wire.
    for (name, value) in request.headers_with(extra_headers) {
        words.push("-H".to_owned());
        words.push(shell_quote(&format!("{name}: {value}")));
    }
    // --data-binary sends the bytes unchanged (-d would strip newlines) and makes it a POST.
    words.push("--data-binary".to_owned());
    words.push(shell_quote(&String::from_utf8_lossy(&request.body)));
    words.join(" ")
}

/// A gRPC request as curl sends it: the framed message written by `printf` in octal escapes,
/// posted with `--http2-prior-knowledge` (cleartext) or `--http2` (TLS) with the gRPC headers;
/// the answer's headers, its framed (binary) messages and its trailers (`grpc-status`) go to
/// stdout (`-D -`, `-o -`).
pub fn grpc_line(preview: &crate::client::grpc::Preview, connect: &Options) -> String {
    let escaped: String = preview.frame.iter().map(|b| format!("\\{b:03o}")).collect();
    let mut words = vec!["curl".to_owned(), "-sS".to_owned()];
    words.push(
        if preview.tls {
            "--http2"
        } else {
            "--http2-prior-knowledge"
        }
        .to_owned(),
    );
    words.extend(curl_options(connect));
    for (name, value) in &preview.headers {
        words.push("-H".to_owned());
        words.push(shell_quote(&format!("{name}: {value}")));
    }
    words.extend(["--data-binary", "@-", "-o", "-", "-D", "-"].map(str::to_owned));
    words.push(shell_quote(&preview.url));
    format!("printf '{escaped}' | {}", words.join(" "))
}

/// `printf '%s\n' 'REQUEST'… | nc -N HOST PORT`: printf writes each request on its own line
/// (it repeats its format for every argument), nc carries them and prints the answers. `-N`
/// (netcat-openbsd, macOS) closes the sending side at the end of input, so a server that keeps
/// connections open learns that no more requests come, answers, and closes.
/// The program `--curl` prints for a `ws://` call: connect to `argv[1]`, send `argv[2]` as one text
/// frame, print the first message that comes back, close (Python `websockets`, its sync client).
const WEBSOCKET_ONE_SHOT: &str = "import sys
from websockets.sync.client import connect
with connect(sys.argv[1]) as ws: ws.send(sys.argv[2]); print(ws.recv())";

fn nc_line(addr: &str, bytes: &[u8]) -> String {
    // A stream that is not TCP: the bytes exactly (framing headers included), into nc on the
    // socket, or into the command itself.
    if let Some(path) = addr.strip_prefix("unix:") {
        // No half-close (-N): some IPC servers (anvil) drop a connection whose writer closed
        // before answering; -q 2 waits for the answers instead.
        return format!("{} | nc -U -q 2 {}", printf_exact(bytes), shell_quote(path));
    }
    if let Some(command) = addr.strip_prefix("stdio:") {
        return format!("{} | {command}", printf_exact(bytes));
    }
    if addr.starts_with("ws://") || addr.starts_with("wss://") {
        // One message, one answer, then a close: Python websockets' blocking client. (websocat
        // and wscat race or wait a fixed time on one-shot use, the reason rpc speaks ws://.)
        let message = String::from_utf8_lossy(bytes);
        return format!(
            "python3 -c {} {} {}",
            shell_quote(WEBSOCKET_ONE_SHOT),
            shell_quote(addr),
            shell_quote(message.trim_end())
        );
    }
    let text = String::from_utf8_lossy(bytes);
    let requests: Vec<String> = text.lines().map(shell_quote).collect();
    let (host, port) = addr.rsplit_once(':').unwrap_or((addr, ""));
    let host = host.trim_start_matches('[').trim_end_matches(']');
    format!(
        "printf '%s\\n' {} | nc -N {} {}",
        requests.join(" "),
        shell_quote(host),
        shell_quote(port)
    )
}

/// `printf 'FORMAT'` writing exactly `bytes`: printable text as it is, `\r`, `\n` and other
/// bytes escaped, `%` and `\\` doubled.
fn printf_exact(bytes: &[u8]) -> String {
    let mut format = String::with_capacity(bytes.len());
    for &byte in bytes {
        match byte {
            b'\n' => format.push_str("\\n"),
            b'\r' => format.push_str("\\r"),
            b'%' => format.push_str("%%"),
            b'\\' => format.push_str("\\\\"),
            0x20..=0x7e => format.push(char::from(byte)),
            other => format.push_str(&format!("\\{other:03o}")),
        }
    }
    format!("printf {}", shell_quote(&format))
}

/// One word for a POSIX shell: bare when it is made of safe characters only, else in single
/// quotes, with each `'` written as `'\''` (close, escaped quote, reopen).
pub fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        return word.to_owned();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(shell_quote("add"), "add");
        assert_eq!(shell_quote("http://h:1/RPC2"), "http://h:1/RPC2");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("two words"), "'two words'");
        assert_eq!(shell_quote(r#"{"a":[1,2]}"#), r#"'{"a":[1,2]}'"#);
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$HOME `x` \\"), "'$HOME `x` \\'");
    }

    #[test]
    fn curl_line_carries_url_headers_and_body() {
        let mut request = HttpRequest::post(
            Url::parse("http://127.0.0.1:8000/add").unwrap(),
            "application/json",
            b"[\"it's\",2]".to_vec(),
        );
        request.headers.push(("X-API-Key".into(), "k".into()));
        assert_eq!(
            curl_words(
                &request,
                &[("X-A".into(), "b c".into())],
                &["-k".into()],
                request.url.as_str()
            ),
            r#"curl -sS -k http://127.0.0.1:8000/add -H 'Content-Type: application/json' -H 'X-API-Key: k' -H 'X-A: b c' --data-binary '["it'\''s",2]'"#
        );
        // A header the user gives replaces rpc's own of the same name.
        let replaced = curl_words(
            &request,
            &[("content-type".into(), "application/json-rpc".into())],
            &[],
            "u",
        );
        assert!(replaced.contains("-H 'content-type: application/json-rpc' -H 'X-API-Key: k'"));
        assert!(!replaced.contains("application/json'"), "{replaced}");
    }

    #[test]
    fn connection_options_become_curl_options() {
        assert!(curl_options(&Options::default()).is_empty());
        let options = Options {
            insecure: true,
            cacert: Some("my ca.pem".into()),
            timeout: Some(std::time::Duration::from_millis(2500)),
            ..Options::default()
        };
        assert_eq!(
            curl_options(&options),
            ["-k", "--cacert", "'my ca.pem'", "--max-time", "2.5"]
        );
    }

    #[test]
    fn nc_line_pipes_the_bytes() {
        assert_eq!(
            nc_line("127.0.0.1:9000", b"[\"add\",2,3]\n[\"echo\",\"it's\"]\n"),
            r#"printf '%s\n' '["add",2,3]' '["echo","it'\''s"]' | nc -N 127.0.0.1 9000"#
        );
        assert_eq!(
            nc_line("[::1]:9000", b"[]\n"),
            r"printf '%s\n' '[]' | nc -N ::1 9000"
        );
    }
}
