//! The Language Server Protocol as a dialect of JSON-RPC on a stream
//! (<https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/>):
//! `Content-Length` framing, and the lifecycle an editor runs — `initialize` (with `--root`),
//! `initialized`, `textDocument/didOpen` for each `--open FILE`, the calls, then `shutdown` and
//! `exit`. The server's own requests are answered as an editor with no settings would
//! (`workspace/configuration` → a null per item, `client/registerCapability` and
//! `window/workDoneProgress/create` → null), or by `--callback NAME=…`.
//!
//! For a command line, a `uri` given as a plain path (`"uri": "src/app.py"`) is made a `file://`
//! URI of the file it names.

use super::stream::{by_callback, Answering, ServerRequests, StreamTransport};
use crate::error::{Error, Result};
use crate::protocol::{jsonrpc, Fault, Outcome};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long `shutdown` may take to be answered when the session ends.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// The lifecycle's settings.
#[derive(Debug, Clone, Default)]
pub struct LspOptions {
    /// `--root DIR`: the workspace (None: the current directory).
    pub root: Option<PathBuf>,
    /// `--open FILE` (repeatable): files opened with `didOpen` before the calls.
    pub open: Vec<PathBuf>,
}

/// Runs `initialize`, `initialized` and each `didOpen`. `own`: the params of an `initialize`
/// the user made the session's first call (a recorded editor session replayed), sent instead of
/// rpc's; its answer is returned as that call's outcome. A refused `initialize` is the server's
/// error (exit 1), and the session goes no further.
pub async fn begin(
    transport: &StreamTransport,
    options: &LspOptions,
    own: Option<&Json>,
) -> Result<Outcome> {
    let params = match own {
        Some(params) => params.clone(),
        None => initialize_params(options)?,
    };
    let answer = transport.request("initialize", &params).await?;
    let outcome = match jsonrpc::decode_response_object(&answer) {
        Ok((_, outcome)) => outcome,
        Err(why) => return Err(Error::protocol(why)),
    };
    if let Err(fault) = outcome {
        return Err(Error::server(crate::protocol::Proto::Lsp, fault));
    }
    transport.notify("initialized", &json!({})).await?;
    for file in &options.open {
        transport
            .notify("textDocument/didOpen", &did_open(file)?)
            .await?;
    }
    Ok(outcome)
}

/// Every message of a session that makes `calls` (requests, numbered from 2), as
/// `--dry-run` and `--curl` show it: `initialize` (id 1), `initialized`, the `didOpen`s, the
/// calls, `shutdown` and `exit`.
pub fn session_messages(options: &LspOptions, calls: Vec<Json>) -> Result<Vec<Json>> {
    let mut messages = vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize_params(options)?}),
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    ];
    for file in &options.open {
        messages.push(
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": did_open(file)?}),
        );
    }
    let after = calls.len() as u64 + 2;
    messages.extend(calls);
    messages.push(json!({"jsonrpc": "2.0", "id": after, "method": "shutdown"}));
    messages.push(json!({"jsonrpc": "2.0", "method": "exit"}));
    Ok(messages)
}

/// `initialize`'s params: this process, the root (`--root`, else the current directory) and
/// what an editor with no settings can do.
fn initialize_params(options: &LspOptions) -> Result<Json> {
    let root = absolute(options.root.as_deref().unwrap_or(Path::new(".")))?;
    let root_uri = file_uri(&root);
    let name = root
        .file_name()
        .map_or_else(|| "root".to_owned(), |n| n.to_string_lossy().into_owned());
    Ok(json!({
        "processId": std::process::id(),
        "clientInfo": {"name": "rpc", "version": env!("CARGO_PKG_VERSION")},
        "rootUri": root_uri,
        "rootPath": root.display().to_string(),
        "workspaceFolders": [{"uri": root_uri, "name": name}],
        "capabilities": {
            "workspace": {"configuration": true, "workspaceFolders": true},
            "window": {"workDoneProgress": true},
            "textDocument": {
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "completion": {"completionItem": {"snippetSupport": false}},
                "publishDiagnostics": {},
                "synchronization": {}
            }
        }
    }))
}

/// Ends the session as an editor does: `shutdown`, then `exit`.
pub async fn end(transport: &StreamTransport) {
    let shutdown = transport.request("shutdown", &Json::Null);
    if tokio::time::timeout(SHUTDOWN_WAIT, shutdown).await.is_ok() {
        let _ = transport.notify("exit", &Json::Null).await;
    }
}

/// `didOpen`'s params for `file`: its URI, language (by extension), version 1 and text.
fn did_open(file: &Path) -> Result<Json> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::usage(format!(
            "cannot read --open {}: {}",
            file.display(),
            crate::error::plain(&e)
        ))
    })?;
    Ok(json!({
        "textDocument": {
            "uri": file_uri(&absolute(file)?),
            "languageId": language_of(file),
            "version": 1,
            "text": text,
        }
    }))
}

/// The LSP language identifier of a file, by its extension.
fn language_of(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    match extension {
        "py" | "pyi" => "python",
        "rs" => "rust",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" => "typescript",
        "tsx" => "typescriptreact",
        "go" => "go",
        "c" | "h" => "c",
        "cc" | "cpp" | "hpp" | "cxx" => "cpp",
        "java" => "java",
        "json" => "json",
        "md" => "markdown",
        "toml" => "toml",
        "yaml" | "yml" => "yaml",
        "sh" => "shellscript",
        _ => "plaintext",
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path)
        .map_err(|e| Error::usage(format!("{}: {}", path.display(), crate::error::plain(&e))))
}

/// `file:///abs/path`, each path segment percent-encoded.
pub fn file_uri(path: &Path) -> String {
    url::Url::from_file_path(path)
        .map_or_else(|()| format!("file://{}", path.display()), |u| u.to_string())
}

/// The params with every `uri` that is a plain path made a `file://` URI of it.
pub fn with_file_uris(params: Json) -> Json {
    match params {
        Json::Object(members) => Json::Object(
            members
                .into_iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("uri", Json::String(text)) if !text.contains("://") => {
                            absolute(Path::new(&text))
                                .map_or(Json::String(text.clone()), |p| Json::String(file_uri(&p)))
                        }
                        (_, value) => with_file_uris(value),
                    };
                    (key, value)
                })
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.into_iter().map(with_file_uris).collect()),
        other => other,
    }
}

/// The server's requests answered by `--callback` first, then as an editor with no settings.
pub struct EditorDefaults(pub super::stream::Callbacks);

impl ServerRequests for EditorDefaults {
    fn answer<'a>(&'a self, method: &'a str, params: &'a Json) -> Answering<'a> {
        Box::pin(async move {
            let interaction = self.0.read().ok().and_then(|i| i.clone());
            if let Some(answer) = by_callback(interaction.as_deref(), method, params).await {
                return answer;
            }
            default_answer(method, params)
        })
    }
}

/// What an editor with no settings answers: a null per item asked of `workspace/configuration`,
/// null to the registrations and progress tokens, an edit not applied; -32601 to the rest.
fn default_answer(method: &str, params: &Json) -> std::result::Result<Json, Fault> {
    match method {
        "workspace/configuration" => {
            let items = params
                .get("items")
                .and_then(Json::as_array)
                .map_or(0, Vec::len);
            Ok(Json::Array(vec![Json::Null; items]))
        }
        "client/registerCapability"
        | "client/unregisterCapability"
        | "window/workDoneProgress/create"
        | "window/showMessageRequest"
        | "workspace/codeLens/refresh"
        | "workspace/semanticTokens/refresh"
        | "workspace/inlayHint/refresh"
        | "workspace/diagnostic/refresh" => Ok(Json::Null),
        "workspace/applyEdit" => {
            Ok(json!({"applied": false, "failureReason": "rpc applies no edits"}))
        }
        "workspace/workspaceFolders" => Ok(Json::Null),
        _ => Err(Fault::new(
            crate::protocol::codes::METHOD_NOT_FOUND,
            format!("Method not found: {method} (answer it with --callback {method}=JSON)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_editor_with_no_settings_answers_the_usual_requests() {
        let config = json!({"items": [{"section": "python"}, {"section": "pyright"}]});
        assert_eq!(
            default_answer("workspace/configuration", &config),
            Ok(json!([null, null]))
        );
        assert_eq!(
            default_answer("client/registerCapability", &json!({})),
            Ok(Json::Null)
        );
        assert!(default_answer("x/unknown", &Json::Null).is_err());
        let made = with_file_uris(
            json!({"textDocument": {"uri": "/tmp/a b.py"}, "position": {"line": 1}}),
        );
        assert_eq!(made["textDocument"]["uri"], "file:///tmp/a%20b.py");
        assert_eq!(language_of(Path::new("x.py")), "python");
    }
}
