//! `rpc repl`: an interactive session that logs every request and response.
//!
//! On a terminal it is a line editor (rustyline) with history, Tab completion and Ctrl-C that
//! cancels without leaving ([`interactive`]); when stdin is a pipe it reads commands line by line
//! with no prompt and no colour ([`pipe`]). Both hand each line to the same [`session::Session`],
//! so a script sees exactly the log lines a person sees. See docs/repl.md.
//!
//! Reach interactive calls: the session holds the `--callback`/`--value` options ([`callbacks`])
//! and lends them to its client; a callback with no answer is asked of the user, on a terminal at
//! a one-off prompt `getNumber(1) ? `, from a pipe as the next input line.

mod callbacks;
mod complete;
mod interactive;
mod line;
pub mod meta;
mod pipe;
mod session;
mod stream;

use crate::{
    client::{self, reach::InteractionArgs},
    error::Result,
    output::Style,
    term::{ColorWhen, Colors},
};
use callbacks::{Asker, ReachSetup};
use session::{Looks, Session};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// What `rpc repl` starts with: built at the command line's edge (`cli.rs`).
#[derive(Debug, Clone)]
pub struct Options {
    /// The server: a URL, `HOST:PORT` or `:PORT`.
    pub endpoint: String,
    pub client: client::Options,
    /// `-v`: 2 or more starts with the wire dump on (`:verbose`).
    pub verbose: u8,
    /// `--callback` and `--value`, as typed.
    pub interaction: InteractionArgs,
    /// `--history FILE`; None: the platform's data directory.
    pub history: Option<PathBuf>,
    /// `--record FILE`: append every call and answer.
    pub record: Option<PathBuf>,
    /// `--fail-fast`: in pipe mode, stop at the first failed line.
    pub fail_fast: bool,
    /// The global `--color`.
    pub color: ColorWhen,
    /// `--show-secrets`: credentials shown in wire dumps.
    pub show_secrets: bool,
}

/// Runs the REPL until `:quit`, Ctrl-D or the end of the script; the exit status is that of the
/// last failed line in pipe mode with `--fail-fast`, else 0.
pub async fn run(args: Options, colors: Colors) -> Result<ExitCode> {
    let color_when = args.color;
    let on_terminal = std::io::stdin().is_terminal();
    let script = (!on_terminal).then(pipe::script_lines);
    let asker = match &script {
        Some(lines) => Asker::Script(lines.clone()),
        None => Asker::Terminal,
    };
    let mut session = Session::new(
        args.endpoint,
        args.client,
        args.verbose >= 2,
        ReachSetup::from_args(&args.interaction)?,
        asker,
        looks(on_terminal, colors, color_when, args.show_secrets),
    )?;
    if let Some(path) = &args.record {
        session.start_recording(path)?;
    }
    let closing = session.closer();
    let ran = match script {
        Some(lines) => pipe::run(session, lines, args.fail_fast).await,
        None => interactive::run(session, args.history).await,
    };
    // A child process stopped and reaped, a language server shut down, however the REPL ended.
    closing.close().await;
    ran
}

/// A script gets no colour unless it asks for it with `--color always`.
fn looks(on_terminal: bool, colors: Colors, color_when: ColorWhen, show_secrets: bool) -> Looks {
    let allowed = on_terminal || color_when == ColorWhen::Always;
    Looks {
        log_color: allowed && colors.stderr,
        show_secrets,
        results: Style {
            pretty: colors.stdout_is_terminal,
            color: allowed && colors.stdout,
            raw: false,
        },
    }
}
