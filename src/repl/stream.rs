//! gRPC streaming calls in the REPL: a server stream runs to its end on the line that started it;
//! a client or bidirectional stream runs in a task of its own while the lines feed its messages
//! ("stream mode"). Either way each answer is printed as it arrives, and the whole exchange is
//! kept for `--record` when the session records.

use crate::client::grpc::Streaming;
use crate::client::Client;
use crate::error::Result;
use crate::output::{self, print_stdout, Style};
use crate::record;
use serde_json::Value as Json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{Receiver, Sender};

/// One request message for a stream, or why a line was not one.
pub type Message = std::result::Result<Json, String>;

/// A gRPC call whose client stream the lines feed ("stream mode").
pub struct ActiveStream {
    /// The method as the line named it (what a recording keeps).
    pub called: String,
    /// The method's full name, shown in the prompt.
    pub name: String,
    pub input: prost_reflect::MessageDescriptor,
    pub sender: Sender<Message>,
    pub task: tokio::task::JoinHandle<Finished>,
}

/// How a stream ended, with what it exchanged when the session records.
pub struct Finished {
    pub result: Result<()>,
    /// Every message both ways, when asked to keep them.
    pub kept: Option<(Vec<Json>, Vec<Json>)>,
    pub duration: Duration,
}

impl Finished {
    /// The recording entry's exchange; `None` when nothing was kept or the call got no answer.
    pub fn exchange(&self, method: &str) -> Option<record::Stream> {
        let (requests, responses) = self.kept.clone()?;
        let status = record::status_json(self.result.as_ref().map(|_| ()))?;
        Some(record::Stream {
            method: method.to_owned(),
            requests,
            responses,
            status,
        })
    }
}

/// Runs the stream `method` on `client`, its messages from `requests`, printing each answer in
/// `style`; with `keep`, every message both ways is kept for a recording.
pub async fn run(
    client: &Client,
    method: &str,
    requests: Receiver<Message>,
    style: Style,
    keep: bool,
) -> Finished {
    let started = Instant::now();
    let sent = keep.then(Arc::default);
    let mut received = Vec::new();
    let mut on_response = |json: &Json| {
        print_stdout(&output::render(json, style));
        if keep {
            received.push(json.clone());
        }
    };
    let io = Streaming {
        requests,
        on_response: &mut on_response,
        sent: sent.clone(),
    };
    let result = client.call_streaming(method, io).await;
    let kept = sent.map(|sent: Arc<Mutex<Vec<Json>>>| {
        let requests = std::mem::take(&mut *sent.lock().unwrap_or_else(|p| p.into_inner()));
        (requests, received)
    });
    Finished {
        result,
        kept,
        duration: started.elapsed(),
    }
}
