//! XML-RPC over HTTP: one POST of a `<methodCall>` per call; a batch travels as one
//! `system.multicall`, whose answer the protocol's answer rule splits back into one outcome per
//! call.

use super::http::HttpRequest;
use super::{Client, Mode};
use crate::error::{Error, Result};
use crate::protocol::xmlrpc;
use crate::protocol::{Call, Outcome};

/// The one POST that carries `calls`; a usage error for what XML-RPC cannot carry.
pub fn request(client: &Client, calls: &[Call], mode: Mode) -> Result<HttpRequest> {
    let body = match (mode, calls) {
        (Mode::Notify, _) => {
            return Err(Error::usage(
                "XML-RPC has no notifications (every call is answered): leave out --notify",
            ))
        }
        (Mode::Single, [call]) => xmlrpc::encode_call(call),
        (_, calls) => xmlrpc::multicall(calls).and_then(|call| xmlrpc::encode_call(&call)),
    }
    .map_err(|e| Error::usage(format!("cannot send this as XML-RPC: {e}")))?;
    // text/xml is what the spec names for both directions.
    Ok(HttpRequest::post(client.url.clone(), "text/xml", body))
}

/// Sends `calls` in one POST and reads one outcome per call.
pub async fn run(client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
    let request = request(client, calls, mode)?;
    client.exchange(calls, mode, &request).await
}
