//! A JSON-RPC 2.0 server on jsonrpsee with the `add` method of `rpc serve`, for bench/compare.sh:
//! HTTP and WebSocket on one port, as `rpc serve` takes them. Usage: jsonrpsee-server PORT.
//! Prints `listening on HOST:PORT` once bound.

use jsonrpsee::server::{RpcModule, Server};
use jsonrpsee::types::ErrorObjectOwned;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::args().nth(1).unwrap_or_default().parse().unwrap_or(0);
    let server = Server::builder()
        // The default caps connections at 100; the benchmark opens 64, so keep the default.
        .build(("127.0.0.1", port))
        .await?;
    let mut module = RpcModule::new(());
    module.register_method("add", |params, _, _| {
        let (a, b): (i64, i64) = params.parse()?;
        a.checked_add(b)
            .ok_or_else(|| ErrorObjectOwned::owned(1001, "integer overflow", None::<()>))
    })?;
    let addr = server.local_addr()?;
    println!("listening on {addr}");
    let handle = server.start(module);
    handle.stopped().await;
    Ok(())
}
