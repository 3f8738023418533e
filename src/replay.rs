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
use std::time::Duration;

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
    let notifications = entries
        .iter()
        .filter(|(_, entry)| matches!(entry.exchange, Exchange::Notification { .. }))
        .count();
    let calls = entries.len() - notifications;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let and_notifications = match notifications {
        0 => String::new(),
        n => format!(" and {n} notification{}", plural(n)),
    };
    eprintln!(
        "rpc: replayed {calls} call{}{and_notifications}: {}",
        plural(calls),
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
    let mut subscriptions = Subscriptions::default();
    let wait = options.timeout.unwrap_or(NOTIFICATION_WAIT);
    for (line_number, entry) in entries {
        let endpoint = args.endpoint.as_deref().unwrap_or(&entry.endpoint);
        let proto = args.connect.proto.unwrap_or(entry.proto);
        // A recorded --unix-socket holds unless --endpoint or --unix-socket says otherwise.
        let unix_socket = match (&args.endpoint, &options.unix_socket) {
            (None, None) => entry.unix_socket.clone(),
            (_, given) => given.clone(),
        };
        let (client, listener) = clients.get(endpoint, proto, unix_socket, options, trace)?;
        let place = Place {
            file: &args.file,
            line: *line_number,
            color: colors.stdout,
        };
        let report = match &entry.exchange {
            Exchange::Call { call, answer } => {
                let sent = subscriptions.translated(call);
                let now = replay_call(client, &sent).await?;
                let opened = subscriptions.opened(call, answer, &now);
                let same = opened || now == *answer;
                (!same).then(|| place.call_report(call, answer, &now))
            }
            Exchange::Notification { method, params } => {
                let now = match (listener, subscriptions.now_of(params)) {
                    (Some(listener), Some(id)) => {
                        let came = listener.next_for(&id, wait).await;
                        let secs = wait.as_secs_f64();
                        came.ok_or_else(|| format!("no such notification came within {secs} s"))
                    }
                    (None, _) => Err("no notification comes over HTTP".to_owned()),
                    (_, None) => Err("its subscription was not opened again".to_owned()),
                };
                place.notification_report(method, params, now)
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
                    "{} line {}: {why} (expected a line written by rpc repl --record or rpc proxy --record)",
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

/// One client per endpoint and protocol, made when first needed; on a stream, what its server
/// sends unasked is listened to from the start.
#[derive(Default)]
struct Clients {
    made: HashMap<ClientKey, Client>,
    listening: HashMap<ClientKey, Listener>,
}

type ClientKey = (String, Proto, Option<std::path::PathBuf>);

/// How long a replay waits for a recorded notification unless `-t` says otherwise.
const NOTIFICATION_WAIT: Duration = Duration::from_secs(10);

/// Notifications held per subscription while the replay waits for another's: at most this
/// many (the oldest dropped), so a server that floods one it is not asked about cannot grow it.
const MAX_HELD: usize = 1024;

/// A stream's unasked messages, sorted by the subscription they name.
struct Listener {
    incoming: tokio::sync::broadcast::Receiver<crate::client::stream::Unasked>,
    held: HashMap<String, std::collections::VecDeque<Json>>,
}

impl Listener {
    /// The params of the next notification of subscription `id`, or None after `wait`.
    async fn next_for(&mut self, id: &Json, wait: Duration) -> Option<Json> {
        use tokio::sync::broadcast::error::RecvError;
        let key = id.to_string();
        if let Some(params) = self.held.get_mut(&key).and_then(|held| held.pop_front()) {
            return Some(params);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let unasked = match tokio::time::timeout_at(deadline, self.incoming.recv()).await {
                Ok(Ok(unasked)) => unasked,
                Ok(Err(RecvError::Lagged(_))) => continue,
                Ok(Err(RecvError::Closed)) | Err(_) => return None,
            };
            let Some(named) = unasked
                .params
                .get("subscription")
                .filter(|_| unasked.id.is_none())
            else {
                continue;
            };
            if named == id {
                return Some(unasked.params);
            }
            let held = self.held.entry(named.to_string()).or_default();
            if held.len() >= MAX_HELD {
                held.pop_front();
            }
            held.push_back(unasked.params);
        }
    }
}

/// The recording's subscription ids (as JSON text) and the ids the replay got for them. An id is
/// the server's choice: a subscribe answered with an id then and now answered the same, and the
/// calls and notifications that name the recorded id go with (and are matched by) the new one.
#[derive(Default)]
struct Subscriptions(HashMap<String, Json>);

impl Subscriptions {
    /// A replayed call that opened a subscription then and now: its two ids paired. Whether it
    /// did (the answers are then the same, whatever the ids).
    fn opened(&mut self, call: &Call, then: &Json, now: &Json) -> bool {
        let id = |answer: &Json| {
            let result = answer.get("result")?;
            crate::follow::subscription_id(&call.method, result).cloned()
        };
        let (Some(old), Some(new)) = (id(then), id(now)) else {
            return false;
        };
        self.0.insert(old.to_string(), new);
        true
    }

    /// `call` with each positional param that is a recorded subscription id replaced by the
    /// replay's (`eth_unsubscribe ["0x1"]` → `["0x9"]`).
    fn translated(&self, call: &Call) -> Call {
        let crate::protocol::Params::Positional(values) = &call.params else {
            return call.clone();
        };
        let values = values
            .iter()
            .map(|value| {
                let now = self.0.get(&value.to_json().to_string());
                now.and_then(|id| crate::value::Value::from_json(id).ok())
                    .unwrap_or_else(|| value.clone())
            })
            .collect();
        Call {
            method: call.method.clone(),
            params: crate::protocol::Params::Positional(values),
        }
    }

    /// The replay's id of the subscription a recorded notification names.
    fn now_of(&self, params: &Json) -> Option<Json> {
        let old = params.get("subscription")?;
        self.0.get(&old.to_string()).cloned()
    }
}

impl Clients {
    fn get(
        &mut self,
        endpoint: &str,
        proto: Proto,
        unix_socket: Option<std::path::PathBuf>,
        options: &Options,
        trace: Trace,
    ) -> Result<(&Client, Option<&mut Listener>)> {
        let key = (endpoint.to_owned(), proto, unix_socket.clone());
        if !self.made.contains_key(&key) {
            let options = Options {
                proto: Some(proto),
                unix_socket,
                ..options.clone()
            };
            let client = Client::new(endpoint, &options, trace)?;
            if let Ok(incoming) = client.listen() {
                let listener = Listener {
                    incoming,
                    held: HashMap::new(),
                };
                self.listening.insert(key.clone(), listener);
            }
            self.made.insert(key.clone(), client);
        }
        let client = self
            .made
            .get(&key)
            .ok_or_else(|| Error::internal("the client cache lost an entry"))?;
        Ok((client, self.listening.get_mut(&key)))
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

    /// For a notification that changed (its `subscription` left out: the id is the server's
    /// choice) or did not come (`now` says why): the heading and a line diff. None when the same.
    fn notification_report(
        &self,
        method: &str,
        before: &Json,
        now: std::result::Result<Json, String>,
    ) -> Option<String> {
        let without_id = |params: &Json| {
            let mut params = params.clone();
            if let Some(object) = params.as_object_mut() {
                object.remove("subscription");
            }
            params
        };
        let before_shown = without_id(before);
        let now_shown = now.as_ref().ok().map(without_id);
        if now_shown.as_ref() == Some(&before_shown) {
            return None;
        }
        let mut report = self.heading(&trace::call_line(&format!("<- {method}"), before));
        if let Err(why) = &now {
            report.push_str(&format!("\n({why})"));
        }
        report.push_str(&self.diff(Some(&before_shown), now_shown.as_ref()));
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
