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
pub mod follow;
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
    // `rpc serve` and `rpc proxy` stop gracefully on a signal themselves, and the REPL takes
    // Ctrl-C as a key; any other command stops at SIGINT or SIGTERM too, its connections and
    // child processes dropped (a child is killed as its handle goes), and exits 128 + signal.
    let interruptible = match &cli.command {
        // --follow ends its subscription itself on a signal.
        Command::Serve(_) | Command::Proxy(_) => Interrupt::Never,
        Command::Call(args) if args.follow => Interrupt::Never,
        Command::Repl(_) => Interrupt::Terminate,
        _ => Interrupt::Any,
    };
    let result = runtime.block_on(async move {
        let command = run_command(cli.command, colors, color_when);
        tokio::select! {
            result = command => result,
            code = interrupted(interruptible) => {
                eprintln!("rpc: stopped by signal {}", code - 128);
                Ok(ExitCode::from(code))
            }
        }
    });
    // A blocking read of stdin (rpc proxy --stdio, the REPL) may still be waiting in a thread
    // of the runtime: it is not waited for.
    runtime.shutdown_background();
    result
}

/// Which signals stop a command from the outside (see [`run`]).
#[derive(Clone, Copy)]
pub(crate) enum Interrupt {
    Never,
    Terminate,
    Any,
}

/// Waits for a signal that stops a command, and returns its exit code (128 + the signal's
/// number); never returns for [`Interrupt::Never`] or where signals cannot be listened to.
pub(crate) async fn interrupted(which: Interrupt) -> u8 {
    use tokio::signal::unix::{signal, SignalKind};
    let listen = |kind: SignalKind, on: bool| on.then(|| signal(kind).ok()).flatten();
    let mut term = listen(SignalKind::terminate(), !matches!(which, Interrupt::Never));
    let mut int = listen(SignalKind::interrupt(), matches!(which, Interrupt::Any));
    tokio::select! {
        _ = next_of(&mut term) => 128 + 15,
        _ = next_of(&mut int) => 128 + 2,
    }
}

/// The next delivery of a signal listened to; never, for one that is not.
async fn next_of(signal: &mut Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// Runs one subcommand (not `completions` or `bench`, which need no runtime) to its exit code.
async fn run_command(
    command: Command,
    colors: term::Colors,
    color_when: cli::ColorWhen,
) -> Result<ExitCode> {
    {
        match command {
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
    }
}
