//! `rpc repl`: an interactive session that logs every request and response.
//!
//! On a terminal it is a line editor (rustyline) with history, Tab completion and Ctrl-C that
//! cancels without leaving ([`interactive`]); when stdin is a pipe it reads commands line by line
//! with no prompt and no colour ([`pipe`]). Both hand each line to the same [`session::Session`],
//! so a script sees exactly the log lines a person sees. See docs/repl.md.
//!
//! Seam for Reach interactive calls (issue 6, point 4): once the Reach client can answer `Kont`
//! callbacks, the session will hold the `--callback`/`--value` options and hand the client a way to
//! ask the user about an unregistered callback: on a terminal a one-off `readline("getNumber(1) ? ")`
//! in [`interactive`], from a pipe the next input line in [`pipe`].

mod complete;
mod interactive;
mod line;
pub mod meta;
mod pipe;
mod session;

use crate::cli::{ColorWhen, ReplArgs};
use crate::error::Result;
use crate::output::Style;
use crate::term::Colors;
use session::{Looks, Session};
use std::io::IsTerminal;
use std::process::ExitCode;

pub async fn run(args: ReplArgs, colors: Colors, color_when: ColorWhen) -> Result<ExitCode> {
    let on_terminal = std::io::stdin().is_terminal();
    let mut session = Session::new(
        args.endpoint,
        args.connect,
        looks(on_terminal, colors, color_when),
    )?;
    if let Some(path) = &args.record {
        session.start_recording(path)?;
    }
    if on_terminal {
        interactive::run(session, args.history).await
    } else {
        pipe::run(session, args.fail_fast).await
    }
}

/// A script gets no colour unless it asks for it with `--color always`.
fn looks(on_terminal: bool, colors: Colors, color_when: ColorWhen) -> Looks {
    let allowed = on_terminal || color_when == ColorWhen::Always;
    Looks {
        log_color: allowed && colors.stderr,
        results: Style {
            pretty: colors.stdout_is_terminal,
            color: allowed && colors.stdout,
            raw: false,
        },
    }
}
