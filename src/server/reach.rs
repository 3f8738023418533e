//! Reach RPC in the server: `POST /<method>` runs a method of the toy service with the body's JSON
//! array as arguments; `/interact/sum` is an interactive method; `/kont` resumes a suspended one.
//! Spec: <https://docs.reach.sh/ref-backends-rpc-proto.html>.
//!
//! An interactive method runs as its own task and talks to the client through [`Callback`]: each
//! callback it makes suspends it, parks it under a fresh unguessable handle (`kid`) and answers the
//! waiting HTTP request with a `Kont`; `POST /kont [kid, answer]` hands the answer back and waits
//! for the next step. A handle works once and expires after `--kont-timeout`; an expired parking
//! is dropped, which ends its task. At most `--max-konts` continuations wait at once.

use super::http::{reply, Reply};
use super::service::Run;
use super::Limits;
use super::State;
use crate::connect::listen::Peer;
use crate::error::Result;
use crate::protocol::reach::{self, Step};
use crate::protocol::{codes, Call, Fault, Outcome, Params, Proto};
use crate::trace;
use crate::value::Value;
use hyper::header::HeaderMap;
use hyper::StatusCode;
use ring::digest::{digest, SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use tokio::sync::{mpsc, oneshot};

/// Bytes of randomness in a continuation handle: 128 bits, beyond guessing.
const KID_BYTES: usize = 16;

/// What the Reach side of the server keeps: the API key and the suspended interactions.
pub struct ReachState {
    api_key: Option<ApiKey>,
    continuations: Continuations,
}

impl ReachState {
    /// The Reach state for a server that demands `api_key` (None: no key), with the
    /// continuation limits of `limits`.
    pub fn new(api_key: Option<&str>, limits: &Limits) -> ReachState {
        ReachState {
            api_key: api_key.map(ApiKey::new),
            continuations: Continuations::new(limits.kont_timeout, limits.max_konts),
        }
    }
}

/// The API key, kept as its SHA-256 so every comparison takes the same time whatever the length
/// and content of the key offered.
struct ApiKey {
    digest: [u8; 32],
}

impl ApiKey {
    fn new(key: &str) -> ApiKey {
        ApiKey {
            digest: sha256(key.as_bytes()),
        }
    }

    fn accepts(&self, offered: Option<&[u8]>) -> bool {
        let offered = sha256(offered.unwrap_or_default());
        bool::from(self.digest.ct_eq(&offered))
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, bytes).as_ref());
    out
}

/// Answers one Reach request (`path` is the request path, `body` the raw body).
pub async fn handle(
    state: &Arc<State>,
    peer: Peer,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    if let Some(key) = &state.reach.api_key {
        let offered = headers.get(reach::API_KEY_HEADER).map(|v| v.as_bytes());
        if !key.accepts(offered) {
            if !state.quiet {
                // Refusals are logged too: a stream of them is someone guessing keys.
                trace::Trace::new(1, false).note(&format!(
                    "{peer} reach POST {path} refused: missing or wrong {}",
                    reach::API_KEY_HEADER
                ));
            }
            return error_reply(
                StatusCode::UNAUTHORIZED,
                &Fault::new(
                    codes::INVALID_REQUEST,
                    format!("missing or wrong {} header", reach::API_KEY_HEADER),
                ),
            );
        }
    }
    let args = match reach::decode_args(body, state.limits.codec()) {
        Ok(args) => args,
        Err(fault) => return fault_reply(&fault),
    };
    let start = Instant::now();
    let method = state
        .service
        .method_for(Proto::Reach, reach::method_of_path(path))
        .map(|m| &m.run);
    let answer = match (path, method) {
        (reach::KONT_PATH, _) => resume(state, &args).await,
        (_, Some(Run::Interactive(method))) => begin(state, args.clone(), *method)
            .await
            .map(|step| step.to_json()),
        _ => return call_service(state, peer, path, args).await,
    };
    log(state, peer, path, &args, &answer, start);
    match answer {
        Ok(json) => ok_reply(&json),
        Err((status, fault)) => error_reply(status, &fault),
    }
}

/// A synchronous method: one call to the service, logged by [`State::invoke`].
async fn call_service(state: &State, peer: Peer, path: &str, args: Vec<Json>) -> Reply {
    let params = match args.iter().map(Value::from_json).collect() {
        Ok(values) => Params::Positional(values),
        Err(e) => {
            return fault_reply(&Fault::new(
                codes::INVALID_PARAMS,
                format!("Invalid params: {e}"),
            ))
        }
    };
    let call = Call {
        method: reach::method_of_path(path).to_owned(),
        params,
    };
    match state.invoke(Proto::Reach, peer, &call).await {
        Ok(value) => ok_reply(&value.to_json()),
        Err(fault) => fault_reply(&fault),
    }
}

/// The server log line of one interactive exchange, in the same format as every other call.
fn log(
    state: &State,
    peer: Peer,
    path: &str,
    args: &[Json],
    answer: &Result<Json, (StatusCode, Fault)>,
    start: Instant,
) {
    if state.quiet {
        return;
    }
    let outcome: Outcome = match answer {
        Ok(json) => {
            Value::from_json(json).map_err(|e| Fault::new(codes::INTERNAL_ERROR, e.to_string()))
        }
        Err((_, fault)) => Err(fault.clone()),
    };
    let line = trace::server_line(
        &peer.to_string(),
        Proto::Reach.name(),
        path,
        &Json::Array(args.to_vec()),
        &outcome,
        start.elapsed(),
    );
    super::log::line(line);
}

fn ok_reply(json: &Json) -> Reply {
    reply(StatusCode::OK, reach::CONTENT_TYPE, json.to_string())
}

fn fault_reply(fault: &Fault) -> Reply {
    let status =
        StatusCode::from_u16(reach::status_for(fault.code)).unwrap_or(StatusCode::BAD_REQUEST);
    error_reply(status, fault)
}

/// An error answer: the status and `{"error": {"code", "message"}}`.
pub fn error_reply(status: StatusCode, fault: &Fault) -> Reply {
    reply(
        status,
        reach::CONTENT_TYPE,
        reach::error_body(fault).to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// Interactive methods and their continuations

/// What an interactive task tells the request waiting on it.
enum Event {
    /// Run callback `method` with `args`, and send the answer back through `reply`.
    Kont {
        method: String,
        args: Vec<Json>,
        reply: oneshot::Sender<Json>,
    },
    /// The method is over.
    Done(Outcome),
}

/// The interactive method's side of the conversation: it calls back the client through this.
pub struct Callback {
    events: mpsc::Sender<Event>,
    offered: Vec<String>,
}

impl Callback {
    /// True when the client registered callback `name` in its `methods` object.
    fn offers(&self, name: &str) -> bool {
        self.offered.iter().any(|m| m == name)
    }

    /// Calls back the client and waits for its answer (through `/kont`).
    async fn call(&self, method: &str, args: Vec<Json>) -> Result<Json, Fault> {
        let (reply, answer) = oneshot::channel();
        let event = Event::Kont {
            method: method.to_owned(),
            args,
            reply,
        };
        let gone = || {
            Fault::new(
                codes::INTERNAL_ERROR,
                "the client went away or let the continuation expire",
            )
        };
        self.events.send(event).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())
    }
}

/// A suspended interaction: where the callback's answer goes, and where its next step comes from.
struct Parked {
    reply: oneshot::Sender<Json>,
    events: mpsc::Receiver<Event>,
}

/// The parked interactions by handle, with their expiry and their limit.
struct Continuations {
    parked: Arc<Mutex<HashMap<String, Parked>>>,
    timeout: Duration,
    max: usize,
    random: SystemRandom,
}

type StepResult = Result<Step, (StatusCode, Fault)>;

impl Continuations {
    fn new(timeout: Duration, max: usize) -> Continuations {
        Continuations {
            parked: Arc::new(Mutex::new(HashMap::new())),
            timeout,
            max,
            random: SystemRandom::new(),
        }
    }

    /// Parks an interaction under a fresh handle that expires after the timeout.
    fn park(&self, parked: Parked) -> Result<String, (StatusCode, Fault)> {
        let kid = self.fresh_handle()?;
        {
            let mut map = self.lock();
            if map.len() >= self.max {
                return Err((
                    StatusCode::SERVICE_UNAVAILABLE,
                    Fault::new(
                        codes::LIMIT_EXCEEDED,
                        format!(
                            "{} continuations are already waiting (the server's --max-konts)",
                            self.max
                        ),
                    ),
                ));
            }
            map.insert(kid.clone(), parked);
        }
        let (parked, timeout, expiring) = (Arc::clone(&self.parked), self.timeout, kid.clone());
        tokio::spawn(async move {
            tokio::time::sleep(timeout).await;
            // Dropping the parking drops its reply channel, which ends the waiting task.
            if let Ok(mut map) = parked.lock() {
                map.remove(&expiring);
            }
        });
        Ok(kid)
    }

    /// Takes a parked interaction out; each handle works once.
    fn take(&self, kid: &str) -> Option<Parked> {
        self.lock().remove(kid)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Parked>> {
        // A poisoned map only means a panic elsewhere; its entries are still whole.
        self.parked.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fresh_handle(&self) -> Result<String, (StatusCode, Fault)> {
        let mut bytes = [0u8; KID_BYTES];
        self.random.fill(&mut bytes).map_err(|_| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Fault::new(codes::INTERNAL_ERROR, "no randomness for a handle"),
            )
        })?;
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Waits for the interaction's next step; a callback parks it and becomes a `Kont`.
    async fn next_step(&self, mut events: mpsc::Receiver<Event>) -> StepResult {
        match events.recv().await {
            Some(Event::Kont {
                method,
                args,
                reply,
            }) => {
                let kid = self.park(Parked { reply, events })?;
                Ok(Step::Kont { kid, method, args })
            }
            Some(Event::Done(Ok(value))) => Ok(Step::Done(value.to_json())),
            Some(Event::Done(Err(fault))) => Err((
                StatusCode::from_u16(reach::status_for(fault.code))
                    .unwrap_or(StatusCode::BAD_REQUEST),
                fault,
            )),
            None => Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                Fault::new(
                    codes::INTERNAL_ERROR,
                    "the interaction ended without an answer",
                ),
            )),
        }
    }
}

/// An interactive method, as the service table holds it: it talks to the client through the
/// [`Callback`] while it runs, and ends with the call's outcome.
pub type Interactive = fn(
    Callback,
    Vec<Json>,
    Arc<State>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send>>;

/// Starts an interactive method: `args` end with the `values` and `methods` objects.
async fn begin(state: &Arc<State>, mut args: Vec<Json>, method: Interactive) -> StepResult {
    let bad = |message: String| {
        (
            StatusCode::BAD_REQUEST,
            Fault::new(codes::INVALID_PARAMS, format!("Invalid params: {message}")),
        )
    };
    let methods = args.pop();
    let values = args.pop();
    let offered = match methods {
        Some(Json::Object(map)) => map
            .into_iter()
            .filter(|(_, v)| v == &Json::Bool(true))
            .map(|(k, _)| k)
            .collect(),
        _ => return Err(bad("an interactive method takes its arguments, then a values object, then a methods object".into())),
    };
    let Some(Json::Object(values)) = values else {
        return Err(bad(
            "the values object (second to last argument) is missing".into(),
        ));
    };
    args.push(Json::Object(values));
    let (events, receiver) = mpsc::channel(1);
    let done = events.clone();
    let task = method(Callback { events, offered }, args, Arc::clone(state));
    tokio::spawn(async move {
        let outcome = task.await;
        let _ = done.send(Event::Done(outcome)).await;
    });
    state.reach.continuations.next_step(receiver).await
}

/// `/kont [kid, answer]`: hands the answer to the parked interaction and waits for its next step.
async fn resume(state: &State, args: &[Json]) -> Result<Json, (StatusCode, Fault)> {
    let (kid, answer) =
        reach::decode_kont_args(args).map_err(|fault| (StatusCode::BAD_REQUEST, fault))?;
    let continuations = &state.reach.continuations;
    let parked = continuations.take(kid).ok_or_else(|| {
        (
            StatusCode::NOT_FOUND,
            Fault::new(
                codes::INVALID_PARAMS,
                format!(
                    "unknown or expired continuation {kid:?} (handles work once and expire after {}s)",
                    continuations.timeout.as_secs_f64()
                ),
            ),
        )
    })?;
    if parked.reply.send(answer).is_err() {
        return Err((
            StatusCode::NOT_FOUND,
            Fault::new(
                codes::INVALID_PARAMS,
                format!("continuation {kid:?} has ended"),
            ),
        ));
    }
    continuations
        .next_step(parked.events)
        .await
        .map(|step| step.to_json())
}

/// `/interact/sum [n, values, methods]`: getNumber(i) for i = 1..n, plus values.start, then
/// showTotal(total) when offered; the answer is the total.
/// `interact/sum`, boxed as the table holds an [`Interactive`] method.
pub fn interact_sum(
    callback: Callback,
    args: Vec<Json>,
    state: Arc<State>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send>> {
    Box::pin(sum_interactively(callback, args, state))
}

async fn sum_interactively(callback: Callback, args: Vec<Json>, state: Arc<State>) -> Outcome {
    let bad = |message: String| {
        Fault::new(
            codes::INVALID_PARAMS,
            format!("Invalid params: interact/sum: {message}"),
        )
    };
    let [n, Json::Object(values)] = args.as_slice() else {
        return Err(bad("takes [n, values, methods]".into()));
    };
    let n = n
        .as_u64()
        .ok_or_else(|| bad(format!("n must be a whole number ≥ 0, got {n}")))?;
    if n > 0 && !callback.offers("getNumber") {
        return Err(bad("the methods object must offer getNumber".into()));
    }
    let start = values.get("start").cloned().unwrap_or(json!(0));
    let mut total =
        number(&start).ok_or_else(|| bad(format!("values.start must be a number, got {start}")))?;
    for i in 1..=n {
        let answer = callback.call("getNumber", vec![json!(i)]).await?;
        let x = number(&answer)
            .ok_or_else(|| bad(format!("getNumber({i}) answered {answer}, not a number")))?;
        total = add(&state, total, x).await?;
    }
    if callback.offers("showTotal") {
        callback.call("showTotal", vec![total.to_json()]).await?;
    }
    Ok(total)
}

fn number(json: &Json) -> Option<Value> {
    match Value::from_json(json) {
        Ok(value @ (Value::Int(_) | Value::Double(_))) => Some(value),
        _ => None,
    }
}

/// Adds with the service's own `add`, so the numeric rules (no overflow, ints stay ints) hold.
async fn add(state: &State, a: Value, b: Value) -> Outcome {
    let call = Call {
        method: "add".to_owned(),
        params: Params::Positional(vec![a, b]),
    };
    state.service.call(Proto::Reach, &call).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_compare_whole() {
        let key = ApiKey::new("OpenSesame");
        assert!(key.accepts(Some(b"OpenSesame")));
        assert!(!key.accepts(Some(b"OpenSesam")));
        assert!(!key.accepts(Some(b"OpenSesame!")));
        assert!(!key.accepts(None));
    }

    /// Runs on tokio's paused clock: the default five-minute `--kont-timeout` passes at once, and
    /// the handle is there up to the last moment and gone after it, with no real waiting.
    #[tokio::test(start_paused = true)]
    async fn handles_are_fresh_work_once_and_expire() {
        let timeout = Limits::DEFAULT.kont_timeout;
        let continuations = Continuations::new(timeout, 2);
        let park = || {
            let (reply, _) = oneshot::channel();
            let (_, events) = mpsc::channel(1);
            continuations.park(Parked { reply, events })
        };
        let (a, b) = (park().unwrap(), park().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), KID_BYTES * 2);
        assert_eq!(park().unwrap_err().0, StatusCode::SERVICE_UNAVAILABLE);
        assert!(continuations.take(&a).is_some());
        assert!(continuations.take(&a).is_none());
        let c = {
            let (reply, _) = oneshot::channel();
            let (_, events) = mpsc::channel(1);
            continuations.park(Parked { reply, events }).unwrap()
        };
        tokio::time::sleep(timeout - Duration::from_millis(1)).await;
        assert!(continuations.take(&c).is_some(), "not yet expired");
        tokio::time::sleep(Duration::from_millis(2)).await;
        assert!(continuations.take(&b).is_none(), "expired");
    }
}
