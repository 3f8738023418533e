//! `rpc call --follow`: a subscription on a stream (WebSocket above all: `eth_subscribe`,
//! Solana's `*Subscribe`, Substrate's `state_subscribeStorage`). After the call's answer (the
//! subscription id, told on stderr at `-v`), each notification the server sends is printed as one
//! compact line as it comes — its `params.result`, or with `--whole-notification` the whole
//! message — until `-n` notifications, `-t` seconds from the start, the server closing, or
//! SIGINT/SIGTERM. Then the paired unsubscribe is sent (`--unsubscribe`, else the method with
//! `subscribe` made `unsubscribe`) and the command exits 0.
//!
//! A notification that names another subscription is not this one's and is left out; one that
//! names none (a server's log message) is printed in order all the same, and marked in the trace.

use crate::client::stream::Unasked;
use crate::client::{Client, Mode};
use crate::error::{Error, Result};
use crate::output::{render, write_stdout, Style};
use crate::protocol::{Call, Outcome, Params};
use crate::value::Value;
use serde_json::{json, Value as Json};
use std::time::Instant;
use tokio::sync::broadcast;

/// What `--follow` was asked for.
pub struct Follow {
    /// `-n`: stop after this many notifications.
    pub count: Option<u64>,
    /// `--whole-notification`.
    pub whole: bool,
    /// `--unsubscribe`.
    pub unsubscribe: Option<String>,
    /// `-t`, from the command's start: when following stops.
    pub until: Option<Instant>,
    pub style: Style,
}

/// Why following stopped.
enum Stop {
    /// `-n`, `-t`, a signal, or stdout closed (`| head`): the subscription is ended by us.
    Enough,
    /// The server closed the connection properly: nothing to unsubscribe from.
    Closed,
}

/// Follows the subscription `call` opened (its `answer`, the id: said on stderr at `-v`),
/// printing notifications from `listening`; returns once it is over, unsubscribed.
pub async fn follow(
    client: &Client,
    call: &Call,
    answer: &Outcome,
    mut listening: broadcast::Receiver<Unasked>,
    how: &Follow,
) -> Result<()> {
    let id = match answer {
        Ok(value) => value.to_json(),
        // The subscribe failed: its error was printed, there is nothing to follow.
        Err(_) => return Ok(()),
    };
    if client.trace.level >= 1 {
        client
            .trace
            .note(&format!("rpc: following subscription {id}"));
    }
    let mut printed = 0;
    let stop = tokio::select! {
        stop = print_notifications(client, &id, &mut listening, how, &mut printed) => stop,
        () = deadline(how.until) => Stop::Enough,
        _ = crate::interrupted(crate::Interrupt::Any) => Stop::Enough,
        ended = client.ended() => {
            // What came before the end is printed still (one poll drains what is waiting).
            let rest = print_notifications(client, &id, &mut listening, how, &mut printed);
            let _ = tokio::time::timeout(std::time::Duration::ZERO, rest).await;
            if !ended.cleanly {
                return Err(ended.why);
            }
            if client.trace.level >= 1 {
                client.trace.note(&format!("rpc: the subscription ended: {}", ended.why));
            }
            Stop::Closed
        }
    };
    match stop {
        Stop::Enough => unsubscribe(client, call, &id, how).await,
        Stop::Closed => Ok(()),
    }
}

/// Prints each notification of subscription `id` (and those of none) until `-n` is reached or
/// the connection ends.
async fn print_notifications(
    client: &Client,
    id: &Json,
    listening: &mut broadcast::Receiver<Unasked>,
    how: &Follow,
    printed: &mut u64,
) -> Stop {
    loop {
        let unasked = match listening.recv().await {
            Ok(unasked) => unasked,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                client.trace.note(&format!(
                    "rpc: {missed} notifications came faster than they could be printed and were missed"
                ));
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return Stop::Closed,
        };
        // A request of the server's is answered by the session, not printed.
        if unasked.id.is_some() {
            continue;
        }
        let subscription = unasked.params.get("subscription");
        match subscription {
            Some(other) if other != id => continue,
            None if client.trace.level >= 1 => client.trace.note(&format!(
                "rpc: {} belongs to no subscription (printed in order)",
                unasked.method
            )),
            _ => {}
        }
        if write_stdout(&render(&shown(&unasked, how.whole), how.style)).is_err() {
            // The reader has gone (`| head -n 3`): as good as `-n`.
            return Stop::Enough;
        }
        *printed += 1;
        if how.count.is_some_and(|count| *printed >= count) {
            return Stop::Enough;
        }
    }
}

/// What a notification prints as: its `params.result` (the params when there is none), or the
/// whole message.
fn shown(unasked: &Unasked, whole: bool) -> Json {
    if whole {
        return json!({"jsonrpc": "2.0", "method": unasked.method, "params": unasked.params});
    }
    unasked
        .params
        .get("result")
        .cloned()
        .unwrap_or_else(|| unasked.params.clone())
}

/// Ends the subscription: `unsubscribe [id]`, its answer traced. The notifications printed stand;
/// an unsubscribe the server refuses is the command's error (exit 1), one that is not answered
/// its transport's (3).
async fn unsubscribe(client: &Client, call: &Call, id: &Json, how: &Follow) -> Result<()> {
    let method = match &how.unsubscribe {
        Some(method) => method.clone(),
        None => unsubscribe_method(&call.method).ok_or_else(|| {
            Error::usage(format!(
                "{} names no subscribe to pair: give --unsubscribe METHOD",
                call.method
            ))
        })?,
    };
    let id = Value::from_json(id).map_err(|e| Error::protocol(e.to_string()))?;
    let end = Call {
        method,
        params: Params::Positional(vec![id]),
    };
    let outcomes = client.run(std::slice::from_ref(&end), Mode::Single).await?;
    match outcomes.into_iter().next() {
        Some(Err(fault)) => Err(Error::Answered(client.proto, fault)),
        _ => Ok(()),
    }
}

/// The unsubscribe that pairs with `method`, by convention: the last `subscribe` (or
/// `Subscribe`) becomes `unsubscribe` (`Unsubscribe`): `eth_subscribe` → `eth_unsubscribe`,
/// `accountSubscribe` → `accountUnsubscribe`, `state_subscribeStorage` →
/// `state_unsubscribeStorage`. None when the method has no such word.
pub fn unsubscribe_method(method: &str) -> Option<String> {
    let lower = method.rfind("subscribe");
    let upper = method.rfind("Subscribe");
    let (at, word) = match (lower, upper) {
        (Some(l), Some(u)) if u > l => (u, "Unsubscribe"),
        (Some(l), _) => (l, "unsubscribe"),
        (None, Some(u)) => (u, "Unsubscribe"),
        (None, None) => return None,
    };
    Some(format!("{}{word}{}", &method[..at], &method[at + 9..]))
}

/// Whether `method` opens a subscription by the convention [`unsubscribe_method`] pairs:
/// `eth_subscribe`, `accountSubscribe`; not an unsubscribe.
pub fn opens_subscription(method: &str) -> bool {
    unsubscribe_method(method).is_some() && !method.to_ascii_lowercase().contains("unsubscribe")
}

/// The subscription id in `result`, the answer to `method`: a string or a number answered to a
/// method that opens a subscription ([`opens_subscription`]); None for anything else.
pub fn subscription_id<'a>(method: &str, result: &'a Json) -> Option<&'a Json> {
    let is_id = result.is_string() || result.is_number();
    (is_id && opens_subscription(method)).then_some(result)
}

/// For a subscribe sent over HTTP (which the server answers "method not found"): the hint to
/// take a WebSocket there, `subscriptions need a WebSocket: try ws://HOST:PORT/`; None for any
/// other call or endpoint.
pub fn websocket_hint(url: &url::Url, calls: &[Call]) -> Option<String> {
    let over_http = matches!(url.scheme(), "http" | "https");
    if !over_http || !calls.iter().any(|c| opens_subscription(&c.method)) {
        return None;
    }
    let mut ws = url.clone();
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    ws.set_scheme(scheme).ok()?;
    Some(format!("subscriptions need a WebSocket: try {ws}"))
}

async fn deadline(until: Option<Instant>) {
    match until {
        Some(until) => tokio::time::sleep_until(until.into()).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_pairs_with_unsubscribe_by_convention() {
        for (method, paired) in [
            ("eth_subscribe", "eth_unsubscribe"),
            ("accountSubscribe", "accountUnsubscribe"),
            ("state_subscribeStorage", "state_unsubscribeStorage"),
            ("subscribe", "unsubscribe"),
        ] {
            assert_eq!(unsubscribe_method(method).as_deref(), Some(paired));
        }
        assert_eq!(unsubscribe_method("eth_chainId"), None);
        assert!(opens_subscription("accountSubscribe"));
        assert!(!opens_subscription("eth_unsubscribe"));
        assert!(!opens_subscription("accountUnsubscribe"));
        assert!(!opens_subscription("eth_chainId"));
        assert_eq!(
            subscription_id("eth_subscribe", &json!("0x1")),
            Some(&json!("0x1"))
        );
        assert_eq!(
            subscription_id("accountSubscribe", &json!(7)),
            Some(&json!(7))
        );
        assert_eq!(subscription_id("eth_unsubscribe", &json!("0x1")), None);
        assert_eq!(subscription_id("eth_subscribe", &json!({"id": 1})), None);
    }
}
