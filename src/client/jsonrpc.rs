//! JSON-RPC 2.0 over HTTP: one POST per call or per batch.

use super::http::HttpRequest;
use super::{Client, Mode};
use crate::error::Result;
use crate::protocol::{jsonrpc, Call, Outcome};

/// The one POST that carries `calls` (a batch as one array).
pub fn request(client: &Client, calls: &[Call], mode: Mode) -> HttpRequest {
    let body = jsonrpc::encode_request(calls, mode == Mode::Batch, mode == Mode::Notify);
    HttpRequest::post(client.url.clone(), "application/json", body)
}

/// Sends `calls` in one POST and reads one outcome per call (none for notifications).
pub async fn run(client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
    client
        .exchange(calls, mode, &request(client, calls, mode))
        .await
}
