//! Tab completion: meta-command names, protocol names, the server's method names, and on gRPC a
//! method's field names (`network:=`) and enum values (`status:=SERVING`) from its schema.
//!
//! Method names come from introspection (`rpc.discover`, else `system.listMethods`) the first time
//! they are needed for an endpoint, and are kept per endpoint and protocol for the whole session, so
//! switching back and forth with `:connect`/`:proto` asks each server once.

use super::meta;
use crate::{client::Client, error::Error, introspect};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long Tab may wait for a server's method list; the user is waiting at the keyboard.
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);

/// The server the session talks to now, with a client that logs nothing (completion must not
/// print in the middle of the line being edited).
#[derive(Clone)]
pub struct Target {
    /// `<protocol> <url>`: what the method list depends on.
    pub key: String,
    pub quiet_client: Arc<Client>,
}

/// Method names per endpoint, shared by the session (which knows the target and refreshes the
/// list on `:methods`) and the completer (which runs on the line editor's thread).
#[derive(Clone, Default)]
pub struct MethodCache {
    state: Arc<Mutex<CacheState>>,
}

#[derive(Default)]
struct CacheState {
    target: Option<Target>,
    names: HashMap<String, Vec<String>>,
}

impl MethodCache {
    fn target(&self) -> Option<Target> {
        self.state
            .lock()
            .ok()
            .and_then(|state| state.target.clone())
    }

    pub fn set_target(&self, target: Target) {
        if let Ok(mut state) = self.state.lock() {
            state.target = Some(target);
        }
    }

    /// Remembers the method list of the current target.
    pub fn store_current(&self, names: Vec<String>) {
        if let Ok(mut state) = self.state.lock() {
            if let Some(key) = state.target.as_ref().map(|t| t.key.clone()) {
                state.names.insert(key, names);
            }
        }
    }

    /// The current target's names, fetched with `fetch` on first use. A failed fetch is not
    /// remembered, so a server started later still gets completion.
    fn names(&self, fetch: impl FnOnce(&Client) -> Option<Vec<String>>) -> Vec<String> {
        let target = {
            let Ok(state) = self.state.lock() else {
                return Vec::new();
            };
            let Some(target) = state.target.clone() else {
                return Vec::new();
            };
            if let Some(names) = state.names.get(&target.key) {
                return names.clone();
            }
            target
        };
        // The lock is not held while the server is asked.
        let Some(names) = fetch(&target.quiet_client) else {
            return Vec::new();
        };
        if let Ok(mut state) = self.state.lock() {
            state.names.insert(target.key, names.clone());
        }
        names
    }
}

/// The rustyline helper: completion only; no hints, highlighting or multi-line validation.
pub struct ReplHelper {
    pub methods: MethodCache,
    /// The runtime the session runs on; completion runs on the editor's blocking thread and uses
    /// it to ask the server.
    pub runtime: tokio::runtime::Handle,
}

impl ReplHelper {
    fn method_names(&self) -> Vec<String> {
        self.methods
            .names(|client| fetch_method_names(&self.runtime, client))
    }

    /// The words a gRPC method's arguments can start with (see [`argument_words`]); none for the
    /// other protocols, whose params have no schema here.
    fn argument_words(&self, method: &str) -> Vec<String> {
        let Some(target) = self.methods.target() else {
            return Vec::new();
        };
        let client = &target.quiet_client;
        if client.proto.spec().introspection != crate::protocol::Introspection::Reflection {
            return Vec::new();
        }
        let found = self.runtime.block_on(tokio::time::timeout(
            FETCH_TIMEOUT,
            client.grpc_method(method),
        ));
        match found {
            Ok(Ok(method)) => argument_words(&method.input()),
            _ => Vec::new(),
        }
    }
}

/// `NAME:=` for each field of a message, and `NAME:=VALUE` for each value of an enum field.
fn argument_words(input: &prost_reflect::MessageDescriptor) -> Vec<String> {
    let mut words = Vec::new();
    for field in input.fields() {
        words.push(format!("{}:=", field.name()));
        if let prost_reflect::Kind::Enum(values) = field.kind() {
            words.extend(
                values
                    .values()
                    .map(|value| format!("{}:={}", field.name(), value.name())),
            );
        }
    }
    words
}

fn fetch_method_names(runtime: &tokio::runtime::Handle, client: &Client) -> Option<Vec<String>> {
    let answer = runtime.block_on(tokio::time::timeout(
        FETCH_TIMEOUT,
        introspect::method_names(client),
    ));
    match answer {
        Ok(Ok(names)) => Some(names),
        // The server answered that it has no introspection: nothing to complete, and no point
        // asking again.
        Ok(Err(Error::Answered(..))) => Some(Vec::new()),
        _ => None,
    }
}

/// What the word before the cursor can be, judging by the words before it: `methods` gives the
/// method names, `arguments` what a method's arguments can start with.
fn candidates(
    previous: &[&str],
    word: &str,
    methods: impl FnOnce() -> Vec<String>,
    arguments: impl FnOnce(&str) -> Vec<String>,
) -> Vec<String> {
    match previous {
        [] if word.starts_with(':') => strings(meta::names()),
        [":proto"] => strings(meta::proto_names()),
        [":verbose"] => strings(["on", "off"].into_iter()),
        // A call's method comes first on the line, or after a `+` in a batch. gRPC's
        // `Service/Method` completes from its bare method name too, which calls it when unique.
        [] | [":describe"] | [.., "+"] => methods()
            .into_iter()
            .flat_map(|name| match name.rsplit_once('/') {
                Some((_, bare)) => vec![bare.to_owned(), name],
                None => vec![name],
            })
            .collect(),
        // An argument of the call after the last `+` (or the only one).
        [.., _] => match previous.rsplit(|w| *w == "+").next() {
            Some([method, ..]) if !method.starts_with(':') => arguments(method),
            _ => Vec::new(),
        },
    }
}

fn strings<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names.map(str::to_owned).collect()
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        let previous: Vec<&str> = before[..start].split_whitespace().collect();
        let mut names = candidates(
            &previous,
            word,
            || self.method_names(),
            |method| self.argument_words(method),
        );
        names.retain(|name| name.starts_with(word));
        names.sort();
        names.dedup();
        let pairs = names
            .into_iter()
            .map(|name| Pair {
                // `NAME:=` waits for its value; anything else is a whole word.
                replacement: if name.ends_with(":=") {
                    name.clone()
                } else {
                    format!("{name} ")
                },
                display: name,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{client::Options, trace::Trace};
    use std::cell::Cell;

    fn target(key: &str) -> Target {
        let options = Options::default();
        Target {
            key: key.into(),
            quiet_client: Arc::new(Client::new(":1", &options, Trace::default()).unwrap()),
        }
    }

    #[test]
    fn names_are_fetched_once_per_endpoint() {
        let cache = MethodCache::default();
        let fetches = Cell::new(0);
        let fetch = |names: &[&str]| {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let fetches = &fetches;
            move |_: &Client| {
                fetches.set(fetches.get() + 1);
                Some(names)
            }
        };
        cache.set_target(target("json-rpc a"));
        assert_eq!(cache.names(fetch(&["add"])), ["add"]);
        assert_eq!(cache.names(fetch(&["other"])), ["add"]);
        cache.set_target(target("json-rpc b"));
        assert_eq!(cache.names(fetch(&["mul"])), ["mul"]);
        cache.set_target(target("json-rpc a"));
        assert_eq!(cache.names(fetch(&["other"])), ["add"]);
        assert_eq!(fetches.get(), 2);
    }

    #[test]
    fn a_failed_fetch_is_tried_again() {
        let cache = MethodCache::default();
        cache.set_target(target("json-rpc a"));
        assert!(cache.names(|_| None).is_empty());
        assert_eq!(cache.names(|_| Some(vec!["add".into()])), ["add"]);
    }

    fn methods() -> Vec<String> {
        vec!["add".into(), "sum".into()]
    }

    /// Arguments of `add` only: `a:=`, `b:=`.
    fn arguments(method: &str) -> Vec<String> {
        match method {
            "add" => vec!["a:=".into(), "b:=".into()],
            _ => Vec::new(),
        }
    }

    #[test]
    fn what_each_position_completes() {
        let at = |previous: &[&str], word: &str| candidates(previous, word, methods, arguments);
        assert!(at(&[], ":pr").contains(&":proto".to_owned()));
        assert_eq!(at(&[], "a"), methods());
        assert_eq!(at(&["add", "1", "+"], ""), methods());
        assert_eq!(at(&[":describe"], ""), methods());
        assert!(at(&[":proto"], "x").contains(&"xml-rpc".to_owned()));
        assert_eq!(at(&["add"], "1"), ["a:=", "b:="]);
        assert_eq!(at(&["sum", "1", "+", "add", "a:=1"], "b"), ["a:=", "b:="]);
        assert!(at(&["add", "+", "sum"], "").is_empty());
        assert!(at(&[":connect"], "").is_empty());
        let grpc = || vec!["rpc.math.Math/Add".to_owned()];
        assert_eq!(
            candidates(&[], "Ad", grpc, arguments),
            ["Add", "rpc.math.Math/Add"]
        );
    }

    #[test]
    fn grpc_fields_and_enum_values_complete_from_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let proto = dir.path().join("levels.proto");
        std::fs::write(
            &proto,
            "syntax = \"proto3\"; enum Level { LOW = 0; HIGH = 1; } \
             message Ask { string network = 1; Level level = 2; } \
             service S { rpc Go(Ask) returns (Ask); }",
        )
        .unwrap();
        let mut schema = crate::protocol::grpc::schema::Schema::builtin().unwrap();
        schema.add_file(&proto, &[dir.path().to_owned()]).unwrap();
        let go = schema.method("S/Go").unwrap();
        assert_eq!(
            argument_words(&go.input()),
            ["network:=", "level:=", "level:=LOW", "level:=HIGH"]
        );
    }
}
