//! JSON-RPC 2.0 in the server: decode, run each call, encode; notifications get no answer.

use super::State;
use crate::protocol::jsonrpc::{self, DecodeLimits, Entry, Request};
use crate::protocol::Proto;
use serde_json::Value as Json;
use std::net::SocketAddr;

/// Answers a request body. A single notification gets an empty body (sent as 200, which
/// jsonrpclib and other xmlrpc.client-derived clients require); None means a batch made only of
/// notifications, which is answered with 204 No Content.
pub async fn handle(state: &State, peer: SocketAddr, body: &[u8]) -> Option<Vec<u8>> {
    let limits = DecodeLimits {
        max_depth: state.limits.max_depth,
        max_batch: state.limits.max_batch,
    };
    let answer = match jsonrpc::decode_request(body, limits) {
        Request::Single(entry) => match answer_entry(state, peer, entry).await {
            Some(answer) => answer,
            None => return Some(Vec::new()),
        },
        Request::Batch(entries) => {
            let mut answers = Vec::with_capacity(entries.len());
            for entry in entries {
                answers.extend(answer_entry(state, peer, entry).await);
            }
            if answers.is_empty() {
                return None;
            }
            Json::Array(answers)
        }
    };
    Some(answer.to_string().into_bytes())
}

async fn answer_entry(state: &State, peer: SocketAddr, entry: Entry) -> Option<Json> {
    match entry {
        Entry::Invalid { id, fault } => Some(jsonrpc::response_object(&id, &Err(fault))),
        Entry::Call { call, id } => {
            let outcome = state.invoke(Proto::JsonRpc, peer, &call).await;
            id.map(|id| jsonrpc::response_object(&id, &outcome))
        }
    }
}
