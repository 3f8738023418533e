//! JSON-RPC 2.0 in the server: decode, run each call, encode; notifications get no answer.

use super::State;
use crate::connect::listen::Peer;
use crate::protocol::jsonrpc::{self, Entry, Request};
use crate::protocol::Proto;

/// Answers a request body. A single notification gets an empty body (sent as 200, which
/// jsonrpclib and other xmlrpc.client-derived clients require); None means a batch made only of
/// notifications, which is answered with 204 No Content.
pub async fn handle(state: &State, peer: Peer, body: &[u8]) -> Option<Vec<u8>> {
    let limits = state.limits.codec();
    // Answers are written straight into the body's bytes (a batch as `[a,b,…]`), the same bytes
    // a JSON tree would serialise to, without building the tree.
    let mut out = Vec::with_capacity(128);
    match jsonrpc::decode_request(body, limits) {
        Request::Single(entry) => {
            answer_entry(state, peer, entry, &mut out).await;
        }
        Request::Batch(entries) => {
            out.push(b'[');
            let mut answered = false;
            for entry in entries {
                let before = out.len();
                if answered {
                    out.push(b',');
                }
                if answer_entry(state, peer, entry, &mut out).await {
                    answered = true;
                } else {
                    out.truncate(before);
                }
            }
            if !answered {
                return None;
            }
            out.push(b']');
        }
    }
    Some(out)
}

/// Appends the answer to one entry to `out`; false for a notification, which gets none.
async fn answer_entry(state: &State, peer: Peer, entry: Entry, out: &mut Vec<u8>) -> bool {
    match entry {
        Entry::Invalid { id, fault } => {
            jsonrpc::write_response(out, &id, &Err(fault));
            true
        }
        Entry::Call { call, id } => {
            let outcome = state.invoke(Proto::JsonRpc, peer, &call).await;
            match id {
                Some(id) => {
                    jsonrpc::write_response(out, &id, &outcome);
                    true
                }
                None => false,
            }
        }
    }
}
