//! JSON-RPC 2.0 in the server: decode, run each call, encode; notifications get no answer.

use super::State;
use crate::connect::listen::Peer;
use crate::protocol::jsonrpc::{self, Entry, Request};
use crate::protocol::{Call, Outcome, Proto};

/// Methods a connection answers itself, before the service's (a WebSocket's `subscribe` and
/// `unsubscribe`, which live as long as it does).
pub trait Local: Send {
    /// The outcome of `call` when it is one of these methods; None for the service's.
    fn answer(&mut self, call: &Call) -> Option<Outcome>;
}

/// No methods of the connection's own: every call is the service's.
impl Local for () {
    fn answer(&mut self, _: &Call) -> Option<Outcome> {
        None
    }
}

/// Answers a request body. A single notification gets an empty body (sent as 200, which
/// jsonrpclib and other xmlrpc.client-derived clients require); None means a batch made only of
/// notifications, which is answered with 204 No Content.
pub async fn handle(state: &State, peer: Peer, body: &[u8]) -> Option<Vec<u8>> {
    handle_with(state, peer, body, &mut ()).await
}

/// Like [`handle`], the connection's own methods answered by `local` first.
pub async fn handle_with(
    state: &State,
    peer: Peer,
    body: &[u8],
    local: &mut impl Local,
) -> Option<Vec<u8>> {
    let limits = state.limits.codec();
    // Answers are written straight into the body's bytes (a batch as `[a,b,…]`), the same bytes
    // a JSON tree would serialise to, without building the tree.
    let mut out = Vec::with_capacity(128);
    match jsonrpc::decode_request(body, limits) {
        Request::Single(entry) => {
            answer_entry(state, peer, entry, &mut out, local).await;
        }
        Request::Batch(entries) => {
            out.push(b'[');
            let mut answered = false;
            for entry in entries {
                let before = out.len();
                if answered {
                    out.push(b',');
                }
                if answer_entry(state, peer, entry, &mut out, local).await {
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
async fn answer_entry(
    state: &State,
    peer: Peer,
    entry: Entry,
    out: &mut Vec<u8>,
    local: &mut impl Local,
) -> bool {
    match entry {
        Entry::Invalid { id, fault } => {
            jsonrpc::write_response(out, &id, &Err(fault));
            true
        }
        Entry::Call { call, id } => {
            let outcome = match local.answer(&call) {
                Some(outcome) => outcome,
                None => state.invoke(Proto::JsonRpc, peer, &call).await,
            };
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
