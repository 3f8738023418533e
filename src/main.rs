//! `rpc`: the curl, grpcurl and netcat of RPC. See README.md and docs/architecture.md.

use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the server's per-call allocations cost less (see
/// docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match rpc::run(rpc::cli::Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            // The one-line error the contract promises; its kind decides the exit status.
            eprintln!("rpc: {e}");
            e.exit_code()
        }
    }
}
