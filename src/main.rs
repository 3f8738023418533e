//! `rpc`: the curl, grpcurl and netcat of RPC. See README.md and docs/architecture.md.

mod args;
mod call;
mod cli;
mod client;
mod error;
mod introspect;
mod output;
mod protocol;
mod record;
mod repl;
mod replay;
mod server;
mod term;
mod trace;
mod value;

use clap::Parser;
use cli::{Cli, Command};
use error::{Error, Result};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let colors = term::Colors::detect(cli.color);
    let color_when = cli.color;
    let runtime = match cli.command {
        // The server uses every core; one-shot commands start faster on one thread.
        Command::Serve(_) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    }
    .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        match cli.command {
            Command::Call(args) => call::run(args, colors).await,
            Command::Serve(args) => server::serve(args).await.map(|()| ExitCode::SUCCESS),
            Command::List(args) => introspect::list(args, colors)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Describe(args) => introspect::describe(args, colors)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Repl(args) => repl::run(args, colors, color_when).await,
            Command::Replay(args) => replay::run(args, colors).await,
        }
    })
}

/// Prints the one-line error the contract promises and returns its exit code.
fn report(e: &Error) -> ExitCode {
    eprintln!("rpc: {e}");
    e.exit_code()
}
