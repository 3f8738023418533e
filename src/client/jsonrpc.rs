//! JSON-RPC 2.0 over HTTP: one POST per call or per batch.

use super::http::{HttpAnswer, HttpRequest};
use super::{Client, Mode};
use crate::error::{Error, Result};
use crate::protocol::{jsonrpc, Call, Outcome};

pub fn request(client: &Client, calls: &[Call], mode: Mode) -> HttpRequest {
    let body = jsonrpc::encode_request(calls, mode == Mode::Batch, mode == Mode::Notify);
    HttpRequest::post(client.url.clone(), "application/json", body)
}

pub async fn run(client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
    for call in calls {
        client.trace.call(&call.method, &call.params.to_json());
    }
    let answer = client.http()?.send(&request(client, calls, mode)).await?;
    let outcomes = if mode == Mode::Notify {
        check_notification_answer(&answer)?;
        Vec::new()
    } else {
        decode(&answer, calls.len(), mode == Mode::Batch)?
    };
    for (call, outcome) in calls.iter().zip(&outcomes) {
        client
            .trace
            .answer(&call.method, &call.params.to_json(), outcome);
    }
    Ok(outcomes)
}

/// A JSON-RPC answer wins over the HTTP status (servers send errors with 200, 400 or 500 alike);
/// a non-JSON-RPC body with an error status is the server's HTTP error.
fn decode(answer: &HttpAnswer, count: usize, batch: bool) -> Result<Vec<Outcome>> {
    match jsonrpc::decode_response(&answer.body, count, batch) {
        Ok(outcomes) => Ok(outcomes),
        Err(_) if !answer.status.is_success() => Err(http_status_error(answer)),
        Err(e) => Err(Error::protocol(e)),
    }
}

fn check_notification_answer(answer: &HttpAnswer) -> Result<()> {
    if answer.status.is_success() {
        Ok(())
    } else {
        Err(http_status_error(answer))
    }
}

/// An HTTP error status as a server error: the status and (the start of) the body.
pub fn http_status_error(answer: &HttpAnswer) -> Error {
    let body = String::from_utf8_lossy(&answer.body);
    let body: String = body.trim().chars().take(300).collect();
    let status = &answer.status;
    Error::HttpStatus(if body.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {body}")
    })
}
