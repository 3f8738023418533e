//! `rpc replay FILE`: re-sends the calls of a recording (see [`crate::record`]) and prints a diff
//! wherever an answer changed, so a recorded session works as a regression test.
//!
//! Diffs go to stdout (they are the command's output); a summary line goes to stderr. Exit status:
//! 0 when every answer matched, 1 when any changed, 2 for an unreadable recording, 3 when a call
//! got no answer at all (the server is not there: nothing can be compared).

use crate::cli::ReplayArgs;
use crate::client::{Client, Mode, Options};
use crate::error::{Error, Result};
use crate::output::print_stdout;
use crate::output::{self, Style};
use crate::protocol::Proto;
use crate::record::{self, Entry};
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
    let mut changed = 0;
    for (line_number, entry) in &entries {
        let endpoint = args.endpoint.as_deref().unwrap_or(&entry.endpoint);
        let proto = args.connect.proto.unwrap_or(entry.proto);
        let client = clients.get(endpoint, proto, &options, trace)?;
        let answer = replay_one(client, entry).await?;
        if answer != entry.answer {
            changed += 1;
            print_stdout(&change_report(
                &args.file,
                *line_number,
                entry,
                &answer,
                colors.stdout,
            ));
        }
    }
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
    made: HashMap<(String, Proto), Client>,
}

impl Clients {
    fn get(
        &mut self,
        endpoint: &str,
        proto: Proto,
        options: &Options,
        trace: Trace,
    ) -> Result<&Client> {
        let key = (endpoint.to_owned(), proto);
        if !self.made.contains_key(&key) {
            let options = Options {
                proto: Some(proto),
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
async fn replay_one(client: &Client, entry: &Entry) -> Result<Json> {
    let result = client
        .run(std::slice::from_ref(&entry.call), Mode::Single)
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

/// `changed: RPC add [2,3] (FILE line 3)` followed by a line diff of the pretty answers.
fn change_report(file: &Path, line: usize, entry: &Entry, now: &Json, color: bool) -> String {
    let pretty = Style {
        pretty: true,
        color: false,
        raw: false,
    };
    let before = output::render(&entry.answer, pretty);
    let after = output::render(now, pretty);
    let mut report = format!(
        "changed: {} ({} line {line})",
        trace::call_line(&entry.call.method, &entry.call.params.to_json()),
        file.display()
    );
    for (change, text) in line_diff(&before, &after) {
        let (mark, painted): (&str, fn(String) -> String) = match change {
            Change::Same => ("  ", |s| s),
            Change::Removed => ("- ", |s| s.red().to_string()),
            Change::Added => ("+ ", |s| s.green().to_string()),
        };
        let text = format!("{mark}{text}");
        report.push('\n');
        report.push_str(&if color { painted(text) } else { text });
    }
    report
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
    fn diff_of_equal_texts_has_no_changes() {
        assert!(line_diff("a\nb", "a\nb")
            .iter()
            .all(|(c, _)| *c == Change::Same));
        assert_eq!(line_diff("", "x"), [(Change::Added, "x")]);
    }
}
