//! The state of one REPL session and what a line does to it. Both front ends (the terminal and the
//! pipe) feed lines to [`Session::execute`]; everything a line prints is printed here.

use super::callbacks::{Asker, ReachSetup};
use super::complete::{MethodCache, Target};
use super::line::split_words;
use super::meta::{self, Meta, RecordCommand, Setting};
use super::stream::{self, ActiveStream, Finished};
use crate::{
    args,
    client::{Client, Mode, Options},
    error::{Error, Result},
    follow, introspect,
    output::print_stdout,
    output::{self, Style},
    protocol::{Call, Outcome, Params},
    record::{self, Entry, Recorder},
    trace::Trace,
    value::Value,
};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the front end should do after a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    Continue,
    /// The line failed; its error is already printed. The exit status it would have in `rpc call`.
    Failed(ExitCode),
    /// `:history`: the front end owns the history, so it prints it.
    ShowHistory,
    Quit,
}

/// How a session prints.
#[derive(Debug, Clone, Copy)]
pub struct Looks {
    /// Colour in the traffic log (stderr).
    pub log_color: bool,
    /// `--show-secrets`: credentials shown in the wire dump.
    pub show_secrets: bool,
    /// How results are printed (stdout).
    pub results: Style,
}

/// One REPL session: where it is connected, how it logs, and what it records.
pub struct Session {
    endpoint: String,
    options: Options,
    /// `:verbose on`: dump the bytes on the wire too (trace level 2 instead of 1).
    wire_dump: bool,
    looks: Looks,
    client: Client,
    /// The same connection without the log, for introspection (see [`Session::introspection`]).
    quiet_client: Arc<Client>,
    /// The client whose connection the REPL closes when it ends (see [`Session::closer`]).
    current: Arc<std::sync::Mutex<Arc<Client>>>,
    recorder: Option<Recorder>,
    methods: MethodCache,
    /// Reach callbacks and values, lent to `client` for interactive calls.
    reach: ReachSetup,
    /// Who answers a callback that has no answer: the terminal or the script.
    asker: Asker,
    /// A gRPC client or bidirectional stream in progress: each line is one message.
    stream: Option<ActiveStream>,
    /// `:subscribe`'s subscriptions on the current connection, oldest first.
    subscriptions: Vec<Subscription>,
}

/// A subscription `:subscribe` opened: its id (the subscribe's answer) and the method that ends it.
struct Subscription {
    id: serde_json::Value,
    unsubscribe: String,
}

impl Session {
    /// A session connected to `endpoint`; `wire_dump` starts with `:verbose on`.
    pub fn new(
        endpoint: String,
        options: Options,
        wire_dump: bool,
        reach: ReachSetup,
        asker: Asker,
        looks: Looks,
    ) -> Result<Session> {
        let (client, quiet_client) = clients(&endpoint, &options, wire_dump, looks)?;
        let mut session = Session {
            current: Arc::new(std::sync::Mutex::new(Arc::clone(&quiet_client))),
            endpoint,
            options,
            wire_dump,
            looks,
            client,
            quiet_client,
            recorder: None,
            methods: MethodCache::default(),
            reach,
            asker,
            stream: None,
            subscriptions: Vec::new(),
        };
        session.methods.set_target(session.target());
        session.lend_interaction();
        Ok(session)
    }

    /// Gives the session's client the current Reach callbacks and values; only that client makes
    /// calls the user typed, so only it is interactive.
    fn lend_interaction(&mut self) {
        self.client
            .set_interaction(self.reach.interaction(&self.asker));
    }

    /// The method cache Tab completion reads.
    pub fn methods(&self) -> MethodCache {
        self.methods.clone()
    }

    /// `json-rpc http://localhost:8000> `
    pub fn prompt(&self) -> String {
        match &self.stream {
            Some(stream) => format!("{} stream> ", stream.name),
            None => format!("{} {}> ", self.client.proto.name(), self.location()),
        }
    }

    /// Whether a gRPC stream is in progress (its lines are messages).
    pub fn in_stream(&self) -> bool {
        self.stream.is_some()
    }

    /// A line in stream mode: `:end` ends the client's side and waits for the call to finish,
    /// `:quit` too before leaving; anything else is one message, JSON or `rpc call`'s words.
    async fn stream_line(&mut self, line: &str) -> Result<Step> {
        match line {
            ":end" => return Ok(self.end_stream().await),
            ":quit" => {
                self.end_stream().await;
                return Ok(Step::Quit);
            }
            _ if line.starts_with(':') => {
                return Err(crate::error::Error::usage(
                    "in stream mode a line is a message: :end ends the stream first",
                ))
            }
            _ => {}
        }
        let Some(stream) = &self.stream else {
            return Ok(Step::Continue);
        };
        let message = if line.starts_with('{') {
            serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))
        } else {
            split_words(line)
                .and_then(|words| {
                    crate::protocol::grpc::message::from_words(&stream.input, &words)
                        .map(|m| crate::protocol::grpc::message::to_json(&m))
                        .map_err(crate::error::Error::usage)
                })
                .map_err(|e| e.to_string())
        };
        if let Err(why) = &message {
            return Err(crate::error::Error::usage(why.clone()));
        }
        if stream.sender.send(message).await.is_err() {
            // The call ended on its own (the server answered or failed): say how.
            return Ok(self.end_stream().await);
        }
        Ok(Step::Continue)
    }

    /// Ends the stream's client side (`:end`, Ctrl-D, the end of a script) and waits for the
    /// call's last answers and status.
    pub async fn end_stream(&mut self) -> Step {
        let Some(stream) = self.stream.take() else {
            return Step::Continue;
        };
        drop(stream.sender);
        let finished = match stream.task.await {
            Ok(finished) => finished,
            Err(_) => {
                eprintln!("rpc: the stream's task failed");
                return Step::Failed(ExitCode::from(5));
            }
        };
        match self.finish_stream(&stream.called, finished) {
            Ok(()) => Step::Continue,
            Err(e) => {
                eprintln!("rpc: {e}");
                Step::Failed(e.exit_code())
            }
        }
    }

    /// Records a finished stream (when recording) and hands back how it ended.
    fn finish_stream(&mut self, method: &str, finished: Finished) -> Result<()> {
        if let (Some(recorder), Some(exchange)) = (&mut self.recorder, finished.exchange(method)) {
            recorder.append(&Entry {
                endpoint: self.client.endpoint(),
                unix_socket: self.client.options().unix_socket.clone(),
                proto: self.client.proto,
                exchange: record::Exchange::Stream(exchange),
                duration: finished.duration,
            })?;
        }
        finished.result
    }

    /// Ctrl-C in stream mode: the call is cancelled, the session goes on.
    pub fn cancel_stream(&mut self) {
        if let Some(stream) = self.stream.take() {
            stream.task.abort();
            eprintln!("stream cancelled");
        }
    }

    pub fn client_proto_name(&self) -> &'static str {
        self.client.proto.name()
    }

    /// Where the session is connected, as people write it (no lone trailing slash).
    pub fn location(&self) -> String {
        let endpoint = self.client.endpoint();
        if self.client.url.path() == "/" {
            endpoint.trim_end_matches('/').to_owned()
        } else {
            endpoint
        }
    }

    /// Starts recording to `path` (as `--record` and `:record FILE` do).
    pub fn start_recording(&mut self, path: &std::path::Path) -> Result<()> {
        self.recorder = Some(Recorder::open(path)?);
        Ok(())
    }

    /// Runs one line: a call, a meta-command, a `#` comment or nothing.
    pub async fn execute(&mut self, line: &str) -> Step {
        let line = line.trim();
        let result = if line.is_empty() || line.starts_with('#') {
            Ok(Step::Continue)
        } else if self.stream.is_some() {
            self.stream_line(line).await
        } else if line.starts_with(':') {
            self.meta(line).await
        } else {
            self.call(line).await
        };
        result.unwrap_or_else(|e| {
            eprintln!("rpc: {e}");
            Step::Failed(e.exit_code())
        })
    }

    async fn call(&mut self, line: &str) -> Result<Step> {
        let words = split_words(line)?;
        if let Some(step) = self.grpc_stream(&words).await? {
            return Ok(step);
        }
        let calls = args::parse_calls(&words)?;
        let mode = if calls.len() > 1 {
            Mode::Batch
        } else {
            Mode::Single
        };
        let outcomes = self.run_recorded(&calls, mode).await?;
        self.print_outcomes(&calls, outcomes, mode)
    }

    /// Runs calls on the session's client (logged), recording them when the session records.
    async fn run_recorded(&mut self, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
        let started = Instant::now();
        let result = self.client.run(calls, mode).await;
        self.record(calls, &result, started.elapsed())?;
        result
    }

    /// `:subscribe METHOD ARG…`: one call, printed and recorded as any line's, whose answer (the
    /// subscription id) is kept with its paired unsubscribe. Notifications need no help here:
    /// the stream's log shows each as it comes. Errors: over HTTP (no notifications can come),
    /// more than one call, a method with no `subscribe` in its name to pair.
    async fn subscribe(&mut self, words: Option<String>) -> Result<Step> {
        let Some(words) = words else {
            self.list_subscriptions();
            return Ok(Step::Continue);
        };
        drop(self.client.listen()?);
        let calls = args::parse_calls(&split_words(&words)?)?;
        let [call] = calls.as_slice() else {
            return Err(Error::usage(":subscribe takes one call, not a batch"));
        };
        let unsubscribe = follow::unsubscribe_method(&call.method).ok_or_else(|| {
            Error::usage(format!(
                "{} has no subscribe in its name to pair with an unsubscribe: send it as a plain \
                 line (its notifications show all the same)",
                call.method
            ))
        })?;
        let outcomes = self.run_recorded(&calls, Mode::Single).await?;
        if let Some(Ok(id)) = outcomes.first() {
            let id = id.to_json();
            eprintln!(
                "subscription {id}: notifications show as they come; :unsubscribe {id} ends it"
            );
            self.subscriptions.push(Subscription { id, unsubscribe });
        }
        self.print_outcomes(&calls, outcomes, Mode::Single)
    }

    /// `:unsubscribe [ID]`: the paired unsubscribe for one subscription, or for each of them.
    async fn unsubscribe(&mut self, which: Option<String>) -> Result<Step> {
        let chosen = match which {
            None => std::mem::take(&mut self.subscriptions),
            Some(word) => {
                // As printed: `"0x1"` or `0x1` for a string id, `7` for a number.
                let id = serde_json::from_str(&word).unwrap_or(serde_json::Value::String(word));
                let Some(at) = self.subscriptions.iter().position(|s| s.id == id) else {
                    return Err(Error::usage(format!(
                        "no subscription {id} (:subscribe lists them)"
                    )));
                };
                vec![self.subscriptions.remove(at)]
            }
        };
        if chosen.is_empty() {
            eprintln!("no subscriptions");
        }
        let mut step = Step::Continue;
        for subscription in chosen {
            let id =
                Value::from_json(&subscription.id).map_err(|e| Error::protocol(e.to_string()))?;
            let calls = [Call {
                method: subscription.unsubscribe,
                params: Params::Positional(vec![id]),
            }];
            let outcomes = self.run_recorded(&calls, Mode::Single).await?;
            if let Step::Failed(code) = self.print_outcomes(&calls, outcomes, Mode::Single)? {
                step = Step::Failed(code);
            }
        }
        Ok(step)
    }

    fn list_subscriptions(&self) {
        if self.subscriptions.is_empty() {
            eprintln!("no subscriptions");
        }
        for subscription in &self.subscriptions {
            let id = &subscription.id;
            let unsubscribe = &subscription.unsubscribe;
            eprintln!("{id}: live; :unsubscribe {id} sends {unsubscribe} [{id}]");
        }
    }

    /// A streaming method (gRPC's): a server stream's answers printed (and logged) as they
    /// arrive; a client or bidirectional stream enters stream mode, a message per line. None when
    /// the line's method is answered once.
    async fn grpc_stream(&mut self, words: &[String]) -> Result<Option<Step>> {
        let Some(name) = words.first() else {
            return Ok(None);
        };
        if words.iter().any(|w| w == args::BATCH_SEPARATOR) {
            return Ok(None);
        }
        let Some(streams) = self.client.streaming(name).await? else {
            return Ok(None);
        };
        let method = self.client.grpc_method(name).await?;
        if streams.client {
            return self.start_stream(name, &method, &words[1..]).map(Some);
        }
        let message = crate::protocol::grpc::message::from_words(&method.input(), &words[1..])
            .map_err(crate::error::Error::usage)?;
        let (sender, requests) = tokio::sync::mpsc::channel(1);
        let _ = sender.try_send(Ok(crate::protocol::grpc::message::to_json(&message)));
        drop(sender);
        let keep = self.recorder.is_some();
        let finished = stream::run(&self.client, name, requests, self.looks.results, keep).await;
        self.finish_stream(name, finished)?;
        Ok(Some(Step::Continue))
    }

    /// Enters stream mode for a client-streaming or bidirectional method: the call runs on a
    /// connection of its own, its answers printed (and logged) as they come; the line's words,
    /// if any, are its first message.
    fn start_stream(
        &mut self,
        name: &str,
        method: &prost_reflect::MethodDescriptor,
        words: &[String],
    ) -> Result<Step> {
        let client = Client::new(
            &self.endpoint,
            &self.options,
            trace(self.wire_dump, self.looks),
        )?;
        let (sender, requests) = tokio::sync::mpsc::channel(16);
        if !words.is_empty() {
            let first = crate::protocol::grpc::message::from_words(&method.input(), words)
                .map_err(crate::error::Error::usage)?;
            let _ = sender.try_send(Ok(crate::protocol::grpc::message::to_json(&first)));
        }
        let style = self.looks.results;
        let called = name.to_owned();
        let keep = self.recorder.is_some();
        let task =
            tokio::spawn(async move { stream::run(&client, &called, requests, style, keep).await });
        eprintln!(
            "stream mode: one message per line (JSON or words); :end or Ctrl-D ends it, Ctrl-C cancels"
        );
        self.stream = Some(ActiveStream {
            called: name.to_owned(),
            name: crate::protocol::grpc::schema::method_name(method),
            input: method.input(),
            sender,
            task,
        });
        Ok(Step::Continue)
    }

    /// Prints each result and failure through the same [`output::Report`] as `rpc call`.
    fn print_outcomes(&self, calls: &[Call], outcomes: Vec<Outcome>, mode: Mode) -> Result<Step> {
        let report = output::Report {
            proto: self.client.proto,
            style: self.looks.results,
            hint: output::list_hint(&self.endpoint, self.options.proto, self.client.proto),
        };
        let code = report.print(calls, outcomes, mode)?;
        Ok(if code == ExitCode::SUCCESS {
            Step::Continue
        } else {
            Step::Failed(code)
        })
    }

    fn record(
        &mut self,
        calls: &[Call],
        result: &Result<Vec<Outcome>>,
        duration: Duration,
    ) -> Result<()> {
        let Some(recorder) = &mut self.recorder else {
            return Ok(());
        };
        for (i, call) in calls.iter().enumerate() {
            let outcome = match result {
                Ok(outcomes) => match outcomes.get(i) {
                    Some(outcome) => Ok(outcome),
                    None => continue,
                },
                Err(e) => Err(e),
            };
            let Some(answer) = record::answer_json(outcome) else {
                continue;
            };
            recorder.append(&Entry {
                endpoint: self.client.endpoint(),
                unix_socket: self.client.options().unix_socket.clone(),
                proto: self.client.proto,
                exchange: record::Exchange::Call {
                    call: call.clone(),
                    answer,
                },
                duration,
            })?;
        }
        Ok(())
    }

    async fn meta(&mut self, line: &str) -> Result<Step> {
        match meta::parse(line)? {
            Meta::Help => eprintln!("{}", meta::help_text()),
            Meta::Proto(None) => self.say_where(),
            Meta::Proto(Some(proto)) => {
                let options = Options {
                    proto: Some(proto),
                    ..self.options.clone()
                };
                self.reconnect(self.endpoint.clone(), options)?;
                self.say_where();
            }
            Meta::Connect(endpoint) => {
                self.reconnect(endpoint, self.options.clone())?;
                self.say_where();
            }
            Meta::Methods => self.list_methods().await?,
            Meta::Describe(method) => self.describe(&method).await?,
            Meta::Header(None) => self.list_headers(),
            Meta::Header(Some((name, value))) => self.set_header(&name, &value)?,
            Meta::Verbose(on) => {
                self.wire_dump = on.unwrap_or(!self.wire_dump);
                self.reconnect(self.endpoint.clone(), self.options.clone())?;
                let state = if self.wire_dump { "on" } else { "off" };
                eprintln!("wire dump {state}");
            }
            Meta::History => return Ok(Step::ShowHistory),
            Meta::Record(command) => self.record_command(command)?,
            Meta::Callback(setting) => self.callback_command(setting)?,
            Meta::Value(setting) => self.value_command(setting)?,
            Meta::Subscribe(words) => return self.subscribe(words).await,
            Meta::Unsubscribe(which) => return self.unsubscribe(which).await,
            Meta::Quit => return Ok(Step::Quit),
        }
        Ok(Step::Continue)
    }

    fn say_where(&self) {
        eprintln!("using {} at {}", self.client.proto.name(), self.location());
    }

    /// What ends the session's connection when the REPL is over (the session itself is gone
    /// by then).
    pub fn closer(&self) -> Closer {
        Closer(Arc::clone(&self.current))
    }

    /// Switches endpoint or options; on an error the session keeps its old connection.
    fn reconnect(&mut self, endpoint: String, options: Options) -> Result<()> {
        let (client, quiet_client) = clients(&endpoint, &options, self.wire_dump, self.looks)?;
        // The old connection is closed (a child stopped) once the new one is in place.
        let old = match self.current.lock() {
            Ok(mut current) => std::mem::replace(&mut *current, Arc::clone(&quiet_client)),
            Err(_) => Arc::clone(&quiet_client),
        };
        tokio::spawn(async move { old.close().await });
        self.client = client;
        self.quiet_client = quiet_client;
        // They ended with the old connection.
        self.subscriptions.clear();
        self.endpoint = endpoint;
        self.options = options;
        self.methods.set_target(self.target());
        self.lend_interaction();
        Ok(())
    }

    /// What Tab completion asks for method names.
    fn target(&self) -> Target {
        Target {
            key: format!("{} {}", self.client.proto.name(), self.client.endpoint()),
            quiet_client: self.quiet_client.clone(),
        }
    }

    /// Introspection for `:methods` and `:describe` is bookkeeping, not the traffic being
    /// debugged, and an OpenRPC document makes a very long log line; it is logged only while the
    /// wire dump is on. It never carries the Reach interaction (it is not an interactive call),
    /// so the logging client is a plain one made for it.
    fn introspection(&self) -> Result<Arc<Client>> {
        if !self.wire_dump {
            return Ok(self.quiet_client.clone());
        }
        let client = Client::new(&self.endpoint, &self.options, trace(true, self.looks))?;
        Ok(Arc::new(client))
    }

    async fn list_methods(&mut self) -> Result<()> {
        let names = introspect::method_names(&*self.introspection()?).await?;
        print_stdout(&names.join("\n"));
        self.methods.store_current(names);
        Ok(())
    }

    async fn describe(&self, method: &str) -> Result<()> {
        let doc = introspect::describe_method(&*self.introspection()?, method).await?;
        print_stdout(&introspect::describe_text(&doc));
        Ok(())
    }

    fn list_headers(&self) {
        if self.options.headers.is_empty() {
            eprintln!("no extra headers (add one with :header Name: value)");
        }
        for (name, value) in &self.options.headers {
            print_stdout(&format!("{name}: {value}"));
        }
    }

    /// Adds or replaces header `name` (compared without case); an empty value removes it.
    fn set_header(&mut self, name: &str, value: &str) -> Result<()> {
        let mut options = self.options.clone();
        options
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if !value.is_empty() {
            options.headers.push((name.to_owned(), value.to_owned()));
        }
        self.reconnect(self.endpoint.clone(), options)
    }

    fn record_command(&mut self, command: RecordCommand) -> Result<()> {
        match command {
            RecordCommand::Start(path) => {
                self.start_recording(&path)?;
                eprintln!("recording to {}", path.display());
            }
            RecordCommand::Stop => {
                if let Some(recorder) = self.recorder.take() {
                    eprintln!("stopped recording to {}", recorder.path().display());
                }
            }
            RecordCommand::Status => match &self.recorder {
                Some(recorder) => eprintln!("recording to {}", recorder.path().display()),
                None => eprintln!("not recording (start with :record FILE)"),
            },
        }
        Ok(())
    }
}

impl Session {
    fn callback_command(&mut self, setting: Setting) -> Result<()> {
        match setting {
            Setting::List => {
                let lines = self.reach.callback_lines();
                if lines.is_empty() {
                    eprintln!(
                        "no callbacks (:callback NAME=ANSWER answers one, :callback NAME asks you)"
                    );
                }
                lines.iter().for_each(|line| print_stdout(line));
            }
            Setting::Clear => self.reach.clear_callbacks(),
            Setting::Remove(name) => self.reach.remove_callback(&name)?,
            Setting::Set(spec) => {
                self.reach.set_callback(&spec)?;
                self.note_reach_only();
            }
        }
        self.lend_interaction();
        Ok(())
    }

    fn value_command(&mut self, setting: Setting) -> Result<()> {
        match setting {
            Setting::List => {
                let lines = self.reach.value_lines();
                if lines.is_empty() {
                    eprintln!("no values (add one with :value NAME=JSON)");
                }
                lines.iter().for_each(|line| print_stdout(line));
            }
            Setting::Clear => self.reach.clear_values(),
            Setting::Remove(name) => self.reach.remove_value(&name)?,
            Setting::Set(pair) => {
                self.reach.set_value(&pair)?;
                self.note_reach_only();
            }
        }
        self.lend_interaction();
        Ok(())
    }

    /// Callbacks and values are kept whatever the protocol, but only an interactive protocol
    /// (Reach) sends them.
    fn note_reach_only(&self) {
        if !self.client.proto.spec().interactive {
            eprintln!("(kept for Reach calls: :proto reach)");
        }
    }
}

/// The session's client, which logs every call, and a client for bookkeeping with no log: on a
/// stream (a child process, a socket) the same connection, not a second one.
fn clients(
    endpoint: &str,
    options: &Options,
    wire_dump: bool,
    looks: Looks,
) -> Result<(Client, Arc<Client>)> {
    let client = Client::new(endpoint, options, trace(wire_dump, looks))?;
    let quiet_trace = Trace::new(0, looks.log_color);
    let quiet = match client.sharing(quiet_trace) {
        Some(twin) => twin,
        None => Client::new(endpoint, options, quiet_trace)?,
    };
    Ok((client, Arc::new(quiet)))
}

/// Closes the REPL's connection when it ends: a stream's child stopped, a language server shut
/// down.
pub struct Closer(Arc<std::sync::Mutex<Arc<Client>>>);

impl Closer {
    pub async fn close(self) {
        let client = self.0.lock().map(|c| Arc::clone(&c)).ok();
        if let Some(client) = client {
            client.close().await;
        }
    }
}

/// Every call is logged (level 1); the wire dump adds the bytes (level 2) and what lies under a
/// failure: without it, an error reads as the same one line `rpc call` prints.
fn trace(wire_dump: bool, looks: Looks) -> Trace {
    Trace::new(if wire_dump { 2 } else { 1 }, looks.log_color)
        .showing_secrets(looks.show_secrets)
        .with_details(wire_dump)
}
