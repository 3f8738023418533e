//! The REPL reading a script from a pipe: no prompt, no colour, the same log lines. A Reach
//! callback with no answer takes the next line of the script (see [`super::callbacks`]).

use super::callbacks::ScriptLines;
use super::session::{Session, Step};
use crate::error::{Error, Result};
use crate::output::print_stdout;
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};

/// Runs every line of stdin; exits 0 at the end, or with the first failure's status under
/// `--fail-fast`.
pub async fn run(mut session: Session, lines: ScriptLines, fail_fast: bool) -> Result<ExitCode> {
    let mut history = Vec::new();
    while let Some(line) = next_line(&lines).await {
        let line = line
            .map_err(|e| Error::Local(format!("cannot read stdin: {}", crate::error::plain(&e))))?;
        match session.execute(&line).await {
            Step::Quit => break,
            Step::ShowHistory => print_history(&history),
            Step::Failed(code) if fail_fast => return Ok(code),
            Step::Failed(_) | Step::Continue => {}
        }
        if !line.trim().is_empty() {
            history.push(line);
        }
    }
    // The end of the script ends a stream in progress, as Ctrl-D does on a terminal.
    match session.end_stream().await {
        Step::Failed(code) if fail_fast => Ok(code),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The next command. The lock is released before the command runs, so that a Reach callback of
/// that command can take the lines after it.
async fn next_line(lines: &ScriptLines) -> Option<std::io::Result<String>> {
    lines.lock().await.recv().await
}

/// Stdin, line by line, shared by the commands and the callbacks that answer from the script.
pub fn script_lines() -> ScriptLines {
    Arc::new(Mutex::new(stdin_lines()))
}

/// Reads stdin on a thread of its own: a blocking read cannot be cancelled, and a thread the
/// runtime does not own cannot keep the process from exiting after `:quit`.
fn stdin_lines() -> mpsc::Receiver<std::io::Result<String>> {
    let (sender, receiver) = mpsc::channel(1);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if sender.blocking_send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// `:history`, numbered from 1 like a shell's.
pub fn print_history<S: AsRef<str>>(lines: &[S]) {
    for (i, line) in lines.iter().enumerate() {
        print_stdout(&format!("{:>5}  {}", i + 1, line.as_ref()));
    }
}
