//! `rpc replay FILE`: re-sends the calls of a recording (see [`crate::record`]) and prints a diff
//! wherever an answer changed, so a recorded session works as a regression test. A gRPC stream's
//! request messages are sent again in order; its diff names each response that changed, is new or
//! is missing, and the final status if that changed.
//!
//! Diffs go to stdout (they are the command's output); a summary line goes to stderr. Exit status:
//! 0 when every answer matched, 1 when any changed, 2 for an unreadable recording, 3 when a call
//! got no answer at all (the server is not there: nothing can be compared).

use crate::cli::ReplayArgs;
use crate::client::grpc::Streaming;
use crate::client::{Client, Mode, Options};
use crate::error::{Error, Result};
use crate::output::print_stdout;
use crate::output::{self, Style};
use crate::protocol::{Call, Proto};
use crate::record::{self, Entry, Exchange, Stream};
use crate::term::Colors;
use crate::trace::{self, Trace};
use colored::Colorize;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

/// Diffs of answers with more lines than this (old × new) are shown as a whole, not line by line.
const MAX_DIFF_CELLS: usize = 250_000;

pub async fn run(args: ReplayArgs, colors: Colors) -> Result<ExitCode> {
    let entries = read_recording(&args.file)?;
    let trace = args.connect.trace(colors.stderr);
    let options = args.connect.options()?;
    let mut clients = Clients::default();
    let replayed = replay_all(&args, &entries, &options, trace, &mut clients, colors).await;
    // Child processes stopped and reaped, language servers shut down, whatever happened.
    for client in clients.made.values() {
        client.close().await;
    }
    let changed = replayed?;
    eprintln!(
        "rpc: replayed {} call{}: {}",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        if changed == 0 {
            "every answer is the same".to_owned()
        } else {
            format!("{changed} changed")
        }
    );
    Ok(ExitCode::from(u8::from(changed > 0)))
}

/// Replays every entry, printing a report for each answer that changed; how many changed.
async fn replay_all(
    args: &ReplayArgs,
    entries: &[(usize, Entry)],
    options: &Options,
    trace: Trace,
    clients: &mut Clients,
    colors: Colors,
) -> Result<usize> {
    let mut changed = 0;
    for (line_number, entry) in entries {
        let endpoint = args.endpoint.as_deref().unwrap_or(&entry.endpoint);
        let proto = args.connect.proto.unwrap_or(entry.proto);
        // A recorded --unix-socket holds unless --endpoint or --unix-socket says otherwise.
        let unix_socket = match (&args.endpoint, &options.unix_socket) {
            (None, None) => entry.unix_socket.clone(),
            (_, given) => given.clone(),
        };
        let client = clients.get(endpoint, proto, unix_socket, options, trace)?;
        let place = Place {
            file: &args.file,
            line: *line_number,
            color: colors.stdout,
        };
        let report = match &entry.exchange {
            Exchange::Call { call, answer } => {
                let now = replay_call(client, call).await?;
                (now != *answer).then(|| place.call_report(call, answer, &now))
            }
            Exchange::Stream(stream) => {
                let now = replay_stream(client, stream).await?;
                place.stream_report(stream, &now)
            }
        };
        if let Some(report) = report {
            changed += 1;
            print_stdout(&report);
        }
    }
    Ok(changed)
}

/// The recording's entries with their line numbers; blank lines are skipped.
fn read_recording(path: &Path) -> Result<Vec<(usize, Entry)>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "cannot read {}: {}",
            path.display(),
            crate::error::plain(&e)
        ))
    })?;
    text.strip_prefix('\u{feff}')
        .unwrap_or(&text)
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let bad = |why: String| {
                Error::usage(format!(
                    "{} line {}: {why} (expected a line written by rpc repl --record)",
                    path.display(),
                    i + 1
                ))
            };
            let json: Json = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            Entry::from_json(&json)
                .map(|entry| (i + 1, entry))
                .map_err(bad)
        })
        .collect()
}

/// One client per endpoint and protocol, made when first needed.
#[derive(Default)]
struct Clients {
    made: HashMap<(String, Proto, Option<std::path::PathBuf>), Client>,
}

impl Clients {
    fn get(
        &mut self,
        endpoint: &str,
        proto: Proto,
        unix_socket: Option<std::path::PathBuf>,
        options: &Options,
        trace: Trace,
    ) -> Result<&Client> {
        let key = (endpoint.to_owned(), proto, unix_socket.clone());
        if !self.made.contains_key(&key) {
            let options = Options {
                proto: Some(proto),
                unix_socket,
                ..options.clone()
            };
            let client = Client::new(endpoint, &options, trace)?;
            self.made.insert(key.clone(), client);
        }
        self.made
            .get(&key)
            .ok_or_else(|| Error::internal("the client cache lost an entry"))
    }
}

/// Sends the recorded call again and returns its comparable answer.
async fn replay_call(client: &Client, call: &Call) -> Result<Json> {
    let result = client
        .run(std::slice::from_ref(call), Mode::Single)
        .await
        .and_then(|outcomes| {
            outcomes
                .into_iter()
                .next()
                .ok_or_else(|| Error::protocol("the server sent no answer"))
        });
    match record::answer_json(result.as_ref()) {
        Some(answer) => Ok(answer),
        None => Err(result.err().unwrap_or_else(|| Error::protocol("no answer"))),
    }
}

/// Sends a recorded stream's request messages again and returns the stream as it went now.
async fn replay_stream(client: &Client, recorded: &Stream) -> Result<Stream> {
    if client.streaming(&recorded.method).await?.is_none() {
        return Err(Error::usage(format!(
            "{} is a gRPC stream: it cannot be replayed over {}",
            recorded.method,
            client.proto.name()
        )));
    }
    let (sender, requests) = tokio::sync::mpsc::channel(recorded.requests.len().max(1));
    for message in &recorded.requests {
        let _ = sender.try_send(Ok(message.clone()));
    }
    drop(sender);
    let mut responses = Vec::new();
    let mut on_response = |json: &Json| responses.push(json.clone());
    let io = Streaming {
        requests,
        on_response: &mut on_response,
        sent: None,
    };
    let result = client.call_streaming(&recorded.method, io).await;
    let Some(status) = record::status_json(result.as_ref().map(|_| ())) else {
        return Err(result.err().unwrap_or_else(|| Error::protocol("no answer")));
    };
    Ok(Stream {
        method: recorded.method.clone(),
        requests: recorded.requests.clone(),
        responses,
        status,
    })
}

/// Where a recorded call is (for the reports' first line) and how reports are painted.
struct Place<'a> {
    file: &'a Path,
    line: usize,
    color: bool,
}

impl Place<'_> {
    /// `changed: RPC add [2,3] (FILE line 3)` followed by a line diff of the pretty answers.
    fn call_report(&self, call: &Call, before: &Json, now: &Json) -> String {
        let mut report = self.heading(&trace::call_line(&call.method, &call.params.to_json()));
        report.push_str(&self.diff(Some(before), Some(now)));
        report
    }

    /// For a stream that went differently: the heading, then each response that changed (or is
    /// new, or is missing) with its number and a line diff, then the status if it changed.
    /// `None` when every message and the status are the same.
    fn stream_report(&self, before: &Stream, now: &Stream) -> Option<String> {
        if before.responses == now.responses && before.status == now.status {
            return None;
        }
        let requests = Json::Array(before.requests.clone());
        let mut report = self.heading(&trace::call_line(&before.method, &requests));
        let count = before.responses.len().max(now.responses.len());
        for i in 0..count {
            let (old, new) = (before.responses.get(i), now.responses.get(i));
            if old == new {
                continue;
            }
            report.push_str(&format!(
                "\nresponse {} of {}{}:",
                i + 1,
                now.responses.len(),
                match (old, new) {
                    (None, _) => " (new)",
                    (_, None) => " (missing)",
                    _ => "",
                }
            ));
            report.push_str(&self.diff(old, new));
        }
        if before.status != now.status {
            report.push_str("\nstatus:");
            report.push_str(&self.diff(Some(&before.status), Some(&now.status)));
        }
        Some(report)
    }

    fn heading(&self, call_line: &str) -> String {
        format!(
            "changed: {call_line} ({} line {})",
            self.file.display(),
            self.line
        )
    }

    /// The line diff of two pretty answers, each line on a line of its own after a newline;
    /// a side that is not there has no lines.
    fn diff(&self, before: Option<&Json>, after: Option<&Json>) -> String {
        let pretty = Style {
            pretty: true,
            color: false,
            raw: false,
        };
        let render = |json: Option<&Json>| json.map(|j| output::render(j, pretty));
        let (before, after) = (
            render(before).unwrap_or_default(),
            render(after).unwrap_or_default(),
        );
        let mut text = String::new();
        for (change, line) in line_diff(&before, &after) {
            let (mark, painted): (&str, fn(String) -> String) = match change {
                Change::Same => ("  ", |s| s),
                Change::Removed => ("- ", |s| s.red().to_string()),
                Change::Added => ("+ ", |s| s.green().to_string()),
            };
            let line = format!("{mark}{line}");
            text.push('\n');
            text.push_str(&if self.color { painted(line) } else { line });
        }
        text
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Same,
    Removed,
    Added,
}

/// A line diff by longest common subsequence; answers are small, and a huge one is shown whole.
fn line_diff<'a>(before: &'a str, after: &'a str) -> Vec<(Change, &'a str)> {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    if old.len().saturating_mul(new.len()) > MAX_DIFF_CELLS {
        let removed = old.iter().map(|l| (Change::Removed, *l));
        return removed
            .chain(new.iter().map(|l| (Change::Added, *l)))
            .collect();
    }
    // common[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut diff = Vec::new();
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            diff.push((Change::Same, old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            diff.push((Change::Removed, old[i]));
            i += 1;
        } else {
            diff.push((Change::Added, new[j]));
            j += 1;
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_keeps_common_lines() {
        let diff = line_diff("{\n  \"result\": 5\n}", "{\n  \"result\": 6\n}");
        assert_eq!(
            diff,
            [
                (Change::Same, "{"),
                (Change::Removed, "  \"result\": 5"),
                (Change::Added, "  \"result\": 6"),
                (Change::Same, "}"),
            ]
        );
    }

    #[test]
    fn a_stream_report_names_each_changed_message_and_the_status() {
        let place = Place {
            file: Path::new("s.jsonl"),
            line: 2,
            color: false,
        };
        let stream = |responses: Vec<Json>, status: Json| Stream {
            method: "Count".into(),
            requests: vec![serde_json::json!({"x": 2})],
            responses,
            status,
        };
        let ok = serde_json::json!({"code": 0});
        let before = stream(vec![1.into(), 2.into()], ok.clone());
        assert_eq!(place.stream_report(&before, &before.clone()), None);
        let failed = serde_json::json!({"code": 13, "message": "boom"});
        let now = stream(vec![1.into()], failed);
        assert_eq!(
            place.stream_report(&before, &now).unwrap(),
            concat!(
                "changed: RPC Count [{\"x\":2}] (s.jsonl line 2)\n",
                "response 2 of 1 (missing):\n- 2\n",
                "status:\n  {\n-   \"code\": 0\n+   \"code\": 13,\n+   \"message\": \"boom\"\n  }"
            )
        );
    }

    #[test]
    fn diff_of_equal_texts_has_no_changes() {
        assert!(line_diff("a\nb", "a\nb")
            .iter()
            .all(|(c, _)| *c == Change::Same));
        assert_eq!(line_diff("", "x"), [(Change::Added, "x")]);
    }
}
