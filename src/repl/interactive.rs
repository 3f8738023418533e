//! The REPL on a terminal: rustyline with persistent history and Tab completion, and Ctrl-C that
//! cancels the line being typed or the call in flight without ending the session.

use super::complete::ReplHelper;
use super::pipe::print_history;
use super::session::{Session, Step};
use crate::error::{Error, Result};
use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};
use rustyline::{CompletionType, Config, Editor, ExternalPrinter};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

type LineEditor = Editor<ReplHelper, FileHistory>;

/// Most lines kept in the history file.
const HISTORY_SIZE: usize = 1000;

pub async fn run(mut session: Session, history: Option<PathBuf>) -> Result<ExitCode> {
    let history = history.or_else(default_history_path);
    let mut editor = new_editor(&session)?;
    let _routed = route_log_above_prompt(&mut editor);
    if let Some(path) = &history {
        load_history(&mut editor, path);
    }
    eprintln!(
        "rpc repl: {} at {}. :help lists the commands, Ctrl-D leaves.",
        session.client_proto_name(),
        session.location()
    );
    loop {
        let (returned, read) = read_line(editor, session.prompt()).await?;
        editor = returned;
        let line = match read {
            Ok(line) => line,
            // Ctrl-C at the prompt drops the line (in stream mode: cancels the call); the session
            // goes on.
            Err(ReadlineError::Interrupted) => {
                session.cancel_stream();
                continue;
            }
            // Ctrl-D ends a stream in progress, else the session.
            Err(ReadlineError::Eof) if session.in_stream() => {
                session.end_stream().await;
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Error::Local(format!("cannot read the terminal: {e}"))),
        };
        remember(&mut editor, &line, history.as_deref());
        match execute_cancellable(&mut session, &line).await {
            Step::Quit => break,
            Step::ShowHistory => print_history(&history_lines(&editor)),
            Step::Continue | Step::Failed(_) => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends the log (the trace's lines, a child's stderr) through the line editor while this REPL
/// runs, so what arrives while the user types — a stream's notifications above all — is printed
/// above the prompt, which is then drawn again with the line as typed. Only when stdout is the
/// terminal too: the editor prints there.
fn route_log_above_prompt(editor: &mut LineEditor) -> Option<LogRoute> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let mut printer = editor.create_external_printer().ok()?;
    crate::trace::route_log(Some(Box::new(move |lines| {
        let _ = printer.print(lines);
    })));
    Some(LogRoute)
}

/// While alive, the log goes through the line editor; back to stderr once dropped.
struct LogRoute;

impl Drop for LogRoute {
    fn drop(&mut self) {
        crate::trace::route_log(None);
    }
}

fn new_editor(session: &Session) -> Result<LineEditor> {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)
        .map_err(|e| Error::Local(format!("cannot set up the line editor: {e}")))?
        .max_history_size(HISTORY_SIZE)
        .map_err(|e| Error::Local(format!("cannot set up the line editor: {e}")))?
        .completion_type(CompletionType::List)
        .build();
    let mut editor = LineEditor::with_config(config)
        .map_err(|e| Error::Local(format!("cannot set up the line editor: {e}")))?;
    editor.set_helper(Some(ReplHelper {
        methods: session.methods(),
        runtime: tokio::runtime::Handle::current(),
    }));
    Ok(editor)
}

/// Reads a line on a blocking thread, so the runtime keeps serving the connections (and Tab
/// completion can ask the server) while the user types.
async fn read_line(
    mut editor: LineEditor,
    prompt: String,
) -> Result<(LineEditor, rustyline::Result<String>)> {
    tokio::task::spawn_blocking(move || {
        let read = editor.readline(&prompt);
        (editor, read)
    })
    .await
    .map_err(|e| Error::Local(format!("the line editor failed: {e}")))
}

/// Runs a line; Ctrl-C while it runs drops the call (closing its connection) and the session goes
/// on. At the prompt the terminal is in raw mode, so Ctrl-C reaches rustyline as a key instead.
async fn execute_cancellable(session: &mut Session, line: &str) -> Step {
    tokio::select! {
        // Biased, signal first: the Ctrl-C listener must exist before the call prints its log line
        // and starts, or a Ctrl-C typed right after that line is lost (or, before any listener was
        // ever installed, kills the process).
        biased;
        _ = tokio::signal::ctrl_c() => {
            // The terminal has echoed ^C; the note goes on a line of its own.
            eprintln!("\nrpc: cancelled");
            Step::Continue
        }
        step = session.execute(line) => step,
    }
}

fn load_history(editor: &mut LineEditor, path: &Path) {
    match editor.load_history(path) {
        Ok(()) => {}
        Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => eprintln!(
            "rpc: warning: cannot read the history {}: {e}",
            path.display()
        ),
    }
}

/// Adds the line to the history and appends it to the file at once, so a session that is killed
/// keeps its history.
fn remember(editor: &mut LineEditor, line: &str, path: Option<&Path>) {
    if line.trim().is_empty() {
        return;
    }
    if !matches!(editor.add_history_entry(line), Ok(true)) {
        return;
    }
    let Some(path) = path else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = editor.append_history(path) {
        eprintln!(
            "rpc: warning: cannot save the history to {}: {e}",
            path.display()
        );
    }
}

fn history_lines(editor: &LineEditor) -> Vec<String> {
    let history = editor.history();
    (0..history.len())
        .filter_map(|i| {
            history
                .get(i, rustyline::history::SearchDirection::Forward)
                .ok()
                .flatten()
                .map(|found| found.entry.into_owned())
        })
        .collect()
}

/// `rpc/history` in the platform's data directory: `$XDG_DATA_HOME` or `~/.local/share` on Linux
/// and the BSDs, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows. Written out here
/// rather than pulled from a crate: it is these few lines, and nothing else needs such paths.
fn default_history_path() -> Option<PathBuf> {
    let env_dir = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data_dir = if cfg!(windows) {
        env_dir("APPDATA")
    } else if cfg!(target_os = "macos") {
        env_dir("HOME").map(|home| home.join("Library/Application Support"))
    } else {
        env_dir("XDG_DATA_HOME").or_else(|| env_dir("HOME").map(|home| home.join(".local/share")))
    };
    data_dir.map(|dir| dir.join("rpc").join("history"))
}
