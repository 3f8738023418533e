//! XML-RPC in the server: decode a `<methodCall>`, run it (a `system.multicall` runs each of its
//! entries), encode the `<methodResponse>`. Every answer is a document, faults included, sent
//! with HTTP 200 as the spec says.
//!
//! `system.multicall` is an entry of the service table of its own kind ([`Run::Multicall`]), so
//! introspection lists and describes it like any method; this glue runs it, since each of its
//! entries goes through [`State::invoke`] and is logged like any call.

use super::service::Run;
use super::State;
use crate::connect::listen::Peer;
use crate::protocol::xmlrpc::{self, MULTICALL};
use crate::protocol::{codes, Call, Fault, Outcome, Params, Proto};

/// Answers a request body with a `<methodResponse>` document.
pub async fn handle(state: &State, peer: Peer, body: &[u8]) -> Vec<u8> {
    let limits = state.limits.codec();
    let outcome = match xmlrpc::decode_call(body, limits) {
        Ok(call) => answer(state, peer, &call).await,
        Err(e) => Err(Fault::new(e.fault_code(), e.to_string())),
    };
    // Every value that was read can be written back; should one not be, the client gets a fault.
    xmlrpc::encode_response(&outcome).unwrap_or_else(|e| {
        xmlrpc::encode_response(&Err(Fault::new(codes::INTERNAL_ERROR, e.to_string())))
            .unwrap_or_default()
    })
}

async fn answer(state: &State, peer: Peer, call: &Call) -> Outcome {
    let method = state.service.method_for(Proto::XmlRpc, &call.method);
    match method.map(|m| &m.run) {
        Some(Run::Multicall) => multicall(state, peer, &call.params).await,
        _ => state.invoke(Proto::XmlRpc, peer, call).await,
    }
}

/// Runs each entry in order; a failing entry becomes a fault struct in its slot.
async fn multicall(state: &State, peer: Peer, params: &Params) -> Outcome {
    let entries = xmlrpc::multicall_entries(params)?;
    if entries.len() > state.limits.max_batch {
        return Err(Fault::new(
            codes::INVALID_REQUEST,
            format!(
                "Invalid request: {MULTICALL} of {} calls exceeds the limit of {} (--max-batch)",
                entries.len(),
                state.limits.max_batch
            ),
        ));
    }
    let mut outcomes = Vec::with_capacity(entries.len());
    for entry in entries {
        outcomes.push(match entry {
            Ok(call) => state.invoke(Proto::XmlRpc, peer, &call).await,
            Err(fault) => Err(fault),
        });
    }
    Ok(xmlrpc::multicall_answer(&outcomes))
}
