//! `rpc`: the curl, grpcurl and netcat of RPC, as a library: the binary in `main.rs` is a thin shell
//! around [`run`], and fuzz targets and benchmarks reach the codecs through here.
//! See README.md and docs/architecture.md.

pub mod args;
pub mod bench;
pub mod call;
pub mod cli;
pub mod client;
pub mod connect;
pub mod curl;
pub mod demo;
pub mod docs;
pub mod error;
pub mod framing;
pub mod introspect;
pub mod linelog;
pub mod output;
pub mod protocol;
pub mod proxy;
pub mod record;
pub mod repl;
pub mod replay;
pub mod server;
pub mod term;
pub mod trace;
pub mod value;

use cli::{Cli, Command};
use error::{Error, Result};
use std::process::ExitCode;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Completions { shell } = cli.command {
        use std::io::Write;
        let _ = std::io::stdout().write_all(&docs::completion(shell));
        return Ok(ExitCode::SUCCESS);
    }
    let colors = term::Colors::detect(cli.color);
    let color_when = cli.color;
    // The load generator starts its own runtimes, one per client thread.
    if let Command::Bench(args) = cli.command {
        return bench::run(args.options()?, colors);
    }
    let runtime = match cli.command {
        // The server uses every core; one-shot commands start faster on one thread.
        Command::Serve(_) | Command::Proxy(_) | Command::Demo => {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
        }
        _ => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    }
    .map_err(|e| Error::Local(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        match cli.command {
            Command::Call(args) => call::run(args, colors).await,
            Command::Serve(args) => server::serve(args.config())
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Proxy(args) => proxy::run(args.config(colors.stdout)?)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::List(args) => introspect::list(args, colors)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Describe(args) => introspect::describe(args, colors)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Repl(args) => repl::run(args.options(color_when)?, colors).await,
            Command::Replay(args) => replay::run(args, colors).await,
            Command::Demo => demo::run(colors).await,
            Command::Completions { .. } | Command::Bench(_) => Ok(ExitCode::SUCCESS),
        }
    })
}
