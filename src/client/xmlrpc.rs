//! XML-RPC over HTTP: one POST of a `<methodCall>` per call; a batch travels as one
//! `system.multicall`, whose answer is split back into one outcome per call.

use super::http::{HttpAnswer, HttpRequest};
use super::jsonrpc::http_status_error;
use super::{Client, Mode};
use crate::error::{Error, Result};
use crate::protocol::xmlrpc::{self, Limits};
use crate::protocol::{Call, Outcome, Proto};
use reqwest::Url;

/// The path an endpoint with none gets, as Python's `ServerProxy` and xmlrpc-c's client do.
pub const DEFAULT_PATH: &str = "/RPC2";

/// `url` with `/RPC2` as its path when `endpoint`, as typed, names no path (`:8000`,
/// `http://host:8000`); an explicit `/` is kept.
pub fn with_default_path(mut url: Url, endpoint: &str) -> Url {
    let after_scheme = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    if !after_scheme.contains('/') {
        url.set_path(DEFAULT_PATH);
    }
    url
}

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

pub async fn run(client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
    let request = request(client, calls, mode)?;
    for call in calls {
        client.trace.call(&call.method, &call.params.to_json());
    }
    let outcome = decode(&client.http()?.send(&request).await?)?;
    let outcomes = match (mode, outcome) {
        (Mode::Single, outcome) => vec![outcome],
        (_, Ok(answer)) => {
            xmlrpc::multicall_outcomes(answer, calls.len()).map_err(Error::protocol)?
        }
        // The multicall itself failed (most often: the server has no system.multicall).
        (_, Err(fault)) => return Err(Error::server(Proto::XmlRpc, fault)),
    };
    for (call, outcome) in calls.iter().zip(&outcomes) {
        client
            .trace
            .answer(&call.method, &call.params.to_json(), outcome);
    }
    Ok(outcomes)
}

/// An XML-RPC answer wins over the HTTP status; anything else with an error status is the
/// server's HTTP error, and with a success status an invalid answer.
fn decode(answer: &HttpAnswer) -> Result<Outcome> {
    match xmlrpc::decode_response(&answer.body, Limits::CLIENT) {
        Ok(outcome) => Ok(outcome),
        Err(_) if !answer.status.is_success() => Err(http_status_error(answer)),
        Err(e) => Err(Error::protocol(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::parse_endpoint;

    fn url_for(endpoint: &str) -> String {
        with_default_path(parse_endpoint(endpoint).unwrap(), endpoint).to_string()
    }

    #[test]
    fn endpoints_without_a_path_post_to_rpc2() {
        assert_eq!(url_for(":8000"), "http://localhost:8000/RPC2");
        assert_eq!(url_for("h:81"), "http://h:81/RPC2");
        assert_eq!(url_for("http://h:81"), "http://h:81/RPC2");
        assert_eq!(url_for("http://h:81/"), "http://h:81/");
        assert_eq!(url_for("https://h/xmlrpc"), "https://h/xmlrpc");
    }
}
