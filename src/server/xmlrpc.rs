//! XML-RPC in the server: decode a `<methodCall>`, run it (a `system.multicall` runs each of its
//! entries), encode the `<methodResponse>`. Every answer is a document, faults included, sent
//! with HTTP 200 as the spec says.
//!
//! `system.multicall` lives here rather than in the service table: it is XML-RPC's batch, the
//! same job JSON-RPC's array does in its own glue. Each entry goes through [`State::invoke`], so
//! each is logged like any call. The introspection methods learn about it here as well.

use super::State;
use crate::protocol::xmlrpc::{self, Limits, MULTICALL};
use crate::protocol::{codes, Call, Fault, Outcome, Params, Proto};
use crate::value::Value;
use std::net::SocketAddr;

const MULTICALL_HELP: &str = "system.multicall(calls): runs each {methodName, params} struct of \
    calls in order; answers, per call, [result] or a {faultCode, faultString} struct";

/// Answers a request body with a `<methodResponse>` document.
pub async fn handle(state: &State, peer: SocketAddr, body: &[u8]) -> Vec<u8> {
    let limits = Limits {
        max_depth: state.limits.max_depth,
        max_bytes: usize::try_from(state.limits.max_body).unwrap_or(usize::MAX),
    };
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

async fn answer(state: &State, peer: SocketAddr, call: &Call) -> Outcome {
    match (call.method.as_str(), about_multicall(&call.params)) {
        (MULTICALL, _) => multicall(state, peer, &call.params).await,
        ("system.methodHelp", true) => Ok(Value::String(MULTICALL_HELP.into())),
        ("system.methodSignature", true) => Ok(multicall_signature()),
        ("system.listMethods", _) => list_methods(state, peer, call).await,
        _ => state.invoke(Proto::XmlRpc, peer, call).await,
    }
}

/// True when the params are the one string "system.multicall" (a help or signature request).
fn about_multicall(params: &Params) -> bool {
    matches!(params, Params::Positional(args) if matches!(args.as_slice(), [Value::String(name)] if name == MULTICALL))
}

fn multicall_signature() -> Value {
    let types = ["array", "array"].map(|t| Value::String(t.into()));
    Value::Array(vec![Value::Array(types.to_vec())])
}

/// The service's list, plus `system.multicall`, which only XML-RPC has.
async fn list_methods(state: &State, peer: SocketAddr, call: &Call) -> Outcome {
    match state.invoke(Proto::XmlRpc, peer, call).await? {
        Value::Array(mut names) => {
            names.push(Value::String(MULTICALL.into()));
            Ok(Value::Array(names))
        }
        other => Ok(other),
    }
}

/// Runs each entry in order; a failing entry becomes a fault struct in its slot.
async fn multicall(state: &State, peer: SocketAddr, params: &Params) -> Outcome {
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
