//! Reach interactive calls in the REPL: the session's callbacks and values (`--callback`,
//! `--value`, `:callback`, `:value`), and asking the user for every callback that has no answer.
//!
//! A Reach server calls back only what the client offers in its `methods` object, so a callback
//! to be answered by hand is still named up front: `--callback getNumber`, with no `=ANSWER`. A
//! `Kont` for a name with no answer (named so, or never offered at all) is asked: on a terminal at
//! a one-off prompt `getNumber(1) ? `, from a pipe as the next input line. The answer follows the
//! ARG rules of `rpc call`: JSON when it is valid JSON, else a string.

use crate::{
    args,
    client::reach::{self, Answering, CallbackAnswer, Callbacks, Interaction, InteractionArgs},
    error::{Error, Result},
};
use indexmap::IndexMap;
use rustyline::error::ReadlineError;
use serde_json::Value as Json;
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};

/// The lines of a script, shared by the pipe front end (commands) and the callbacks (answers).
pub type ScriptLines = Arc<Mutex<mpsc::Receiver<std::io::Result<String>>>>;

/// Where the answer to a callback with no registered answer comes from.
#[derive(Clone)]
pub enum Asker {
    /// A one-off line editor on the terminal.
    Terminal,
    /// The next line of the script.
    Script(ScriptLines),
}

/// The session's interact interface: the values, and the callbacks with their answers (`None`:
/// asked of the user).
#[derive(Debug, Clone, Default)]
pub struct ReachSetup {
    values: IndexMap<String, Json>,
    callbacks: IndexMap<String, Option<CallbackAnswer>>,
}

impl ReachSetup {
    /// The `--value` and `--callback` flags of `rpc repl`.
    pub fn from_args(args: &InteractionArgs) -> Result<ReachSetup> {
        let mut setup = ReachSetup::default();
        for pair in &args.values {
            setup.set_value(pair)?;
        }
        for spec in &args.callbacks {
            let (name, answer) = parse_callback_spec(spec)?;
            if setup.callbacks.insert(name.clone(), answer).is_some() {
                return Err(Error::usage(format!("--callback {name} is given twice")));
            }
        }
        Ok(setup)
    }

    /// `NAME=JSON`: adds or replaces a value.
    pub fn set_value(&mut self, pair: &str) -> Result<()> {
        let (name, json) = reach::parse_value_pair(pair)?;
        self.values.insert(name, json);
        Ok(())
    }

    /// `NAME=ANSWER` answers the callback; `NAME` alone has it asked of the user.
    pub fn set_callback(&mut self, spec: &str) -> Result<()> {
        let (name, answer) = parse_callback_spec(spec)?;
        self.callbacks.insert(name, answer);
        Ok(())
    }

    pub fn remove_value(&mut self, name: &str) -> Result<()> {
        self.values
            .shift_remove(name)
            .map(drop)
            .ok_or_else(|| Error::usage(format!("no value named {name:?} (:value lists them)")))
    }

    pub fn remove_callback(&mut self, name: &str) -> Result<()> {
        self.callbacks.shift_remove(name).map(drop).ok_or_else(|| {
            Error::usage(format!("no callback named {name:?} (:callback lists them)"))
        })
    }

    pub fn clear_values(&mut self) {
        self.values.clear();
    }

    pub fn clear_callbacks(&mut self) {
        self.callbacks.clear();
    }

    /// `NAME=JSON`, one per value, as `:value` lists them.
    pub fn value_lines(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|(name, json)| format!("{name}={json}"))
            .collect()
    }

    /// `NAME=ANSWER`, or `NAME` for one asked of the user, as `:callback` lists them.
    pub fn callback_lines(&self) -> Vec<String> {
        self.callbacks
            .iter()
            .map(|(name, answer)| match answer {
                Some(CallbackAnswer::Fixed(json)) => format!("{name}={json}"),
                Some(CallbackAnswer::Command(command)) => format!("{name}=!{command}"),
                None => format!("{name}    (asked at the prompt)"),
            })
            .collect()
    }

    /// What the client sends and answers with. As in `rpc call`, every Reach call is interactive
    /// once there is something to send; unlike it, values alone are enough (a method may need
    /// no callback), and a callback with no answer is asked through `asker`.
    pub fn interaction(&self, asker: &Asker) -> Option<Interaction> {
        if self.values.is_empty() && self.callbacks.is_empty() {
            return None;
        }
        Some(Interaction {
            values: self.values.clone(),
            callbacks: Box::new(PromptCallbacks {
                answers: self.callbacks.clone(),
                asker: asker.clone(),
            }),
        })
    }
}

/// `NAME=ANSWER` as `rpc call` takes it, or a bare `NAME`: offered, and asked of the user.
fn parse_callback_spec(spec: &str) -> Result<(String, Option<CallbackAnswer>)> {
    if spec.contains('=') {
        let (name, answer) = reach::parse_callback_pair(spec)?;
        return Ok((name, Some(answer)));
    }
    let name = spec.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(Error::usage(format!(
            "--callback {spec:?}: write it as NAME=ANSWER, or NAME alone to answer at the prompt"
        )));
    }
    Ok((name.to_owned(), None))
}

/// The session's callbacks: registered answers, and the user for the rest.
struct PromptCallbacks {
    answers: IndexMap<String, Option<CallbackAnswer>>,
    asker: Asker,
}

impl Callbacks for PromptCallbacks {
    fn names(&self) -> Vec<String> {
        self.answers.keys().cloned().collect()
    }

    fn answer<'a>(&'a self, name: &'a str, args: &'a [Json]) -> Answering<'a> {
        match self.answers.get(name) {
            Some(Some(answer)) => Box::pin(std::future::ready(answer.answer(name, args))),
            // No answer, or a name the server called back without it being offered: ask.
            _ => Box::pin(self.asker.ask(name, args)),
        }
    }
}

impl Asker {
    async fn ask(&self, name: &str, args: &[Json]) -> Result<Json> {
        let call = callback_call(name, args);
        let line = match self {
            Asker::Terminal => read_at_prompt(&call).await?,
            Asker::Script(lines) => next_script_line(lines, &call).await?,
        };
        parse_answer(&line)
    }
}

/// `getNumber(1)`: the callback as a call, its arguments as JSON.
fn callback_call(name: &str, args: &[Json]) -> String {
    let args: Vec<String> = args.iter().map(Json::to_string).collect();
    format!("{name}({})", args.join(", "))
}

/// Reads the answer at the prompt `getNumber(1) ? `, with a line editor of its own: the session's
/// editor belongs to the main loop, and an answer has no business in the command history. It
/// runs on a blocking thread so the runtime keeps the connections alive while the user thinks.
/// Ctrl-C (or Ctrl-D) there abandons the call; the session goes on.
async fn read_at_prompt(call: &str) -> Result<String> {
    let prompt = format!("{call} ? ");
    let read = tokio::task::spawn_blocking(move || {
        rustyline::DefaultEditor::new().and_then(|mut editor| editor.readline(&prompt))
    })
    .await
    .map_err(|e| Error::Local(format!("the line editor failed: {e}")))?;
    match read {
        Ok(line) => Ok(line),
        Err(ReadlineError::Interrupted | ReadlineError::Eof) => {
            Err(Error::usage(format!("cancelled: {call} was not answered")))
        }
        Err(e) => Err(Error::Local(format!("cannot read the terminal: {e}"))),
    }
}

/// In a script, the line after a call answers its first callback, the next one the second, and
/// so on: the pipe front end is waiting for the call and reads nothing meanwhile.
async fn next_script_line(lines: &ScriptLines, call: &str) -> Result<String> {
    match lines.lock().await.recv().await {
        Some(Ok(line)) => Ok(line),
        Some(Err(e)) => Err(Error::Local(format!(
            "cannot read stdin: {}",
            crate::error::plain(&e)
        ))),
        None => Err(Error::usage(format!(
            "end of input before {call} was answered (the lines after a call answer its callbacks)"
        ))),
    }
}

/// The ARG rules of `rpc call` for the whole line: JSON when it is valid JSON, else the line as
/// a string. An empty line answers `null`, as a `!COMMAND` that prints nothing does.
fn parse_answer(line: &str) -> Result<Json> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(Json::Null);
    }
    Ok(args::parse_value(line)?.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reach_args(callbacks: &[&str], values: &[&str]) -> InteractionArgs {
        InteractionArgs::new(callbacks, values)
    }

    /// A script whose remaining lines are `lines`.
    fn script(lines: &[&str]) -> Asker {
        let (sender, receiver) = mpsc::channel(lines.len().max(1));
        for line in lines {
            sender.try_send(Ok(line.to_string())).unwrap();
        }
        Asker::Script(Arc::new(Mutex::new(receiver)))
    }

    #[test]
    fn a_bare_name_is_offered_and_asked() {
        let setup = ReachSetup::from_args(&reach_args(
            &["getNumber", "showTotal=null", "log=!cat"],
            &["start=10"],
        ))
        .unwrap();
        assert_eq!(
            setup.callback_lines(),
            [
                "getNumber    (asked at the prompt)",
                "showTotal=null",
                "log=!cat"
            ]
        );
        assert_eq!(setup.value_lines(), ["start=10"]);
        let interaction = setup.interaction(&script(&[])).unwrap();
        assert_eq!(
            interaction.callbacks.names(),
            ["getNumber", "showTotal", "log"]
        );
        assert_eq!(interaction.values["start"], json!(10));
    }

    #[test]
    fn bad_specs_are_usage_errors() {
        for callbacks in [&["two words"][..], &["x=not json"], &["x", "x=1"], &[""]] {
            assert!(
                ReachSetup::from_args(&reach_args(callbacks, &[])).is_err(),
                "{callbacks:?}"
            );
        }
        assert!(ReachSetup::from_args(&reach_args(&[], &["start"])).is_err());
    }

    #[test]
    fn nothing_to_send_is_not_interactive_and_values_alone_are() {
        let mut setup = ReachSetup::default();
        assert!(setup.interaction(&Asker::Terminal).is_none());
        setup.set_value("start=1").unwrap();
        assert!(setup.interaction(&Asker::Terminal).is_some());
        setup.remove_value("start").unwrap();
        assert!(setup.remove_value("start").is_err());
        setup.set_callback("getNumber").unwrap();
        setup.clear_callbacks();
        assert!(setup.interaction(&Asker::Terminal).is_none());
    }

    #[tokio::test]
    async fn unanswered_callbacks_take_the_next_script_lines_as_args() {
        let setup =
            ReachSetup::from_args(&reach_args(&["getNumber", "showTotal=null"], &[])).unwrap();
        let asker = script(&["5", " two words ", "", "{\"a\": 1}"]);
        let interaction = setup.interaction(&asker).unwrap();
        let callbacks = &interaction.callbacks;
        assert_eq!(
            callbacks.answer("getNumber", &[json!(1)]).await.unwrap(),
            json!(5)
        );
        assert_eq!(
            callbacks.answer("showTotal", &[json!(5)]).await.unwrap(),
            json!(null),
            "a registered answer reads no line"
        );
        assert_eq!(
            callbacks.answer("getNumber", &[json!(2)]).await.unwrap(),
            json!("two words")
        );
        assert_eq!(
            callbacks.answer("getNumber", &[json!(3)]).await.unwrap(),
            json!(null)
        );
        // A name never offered is asked too.
        assert_eq!(
            callbacks.answer("showX", &[json!("a")]).await.unwrap(),
            json!({"a": 1})
        );
        let end = callbacks
            .answer("getNumber", &[json!(4)])
            .await
            .unwrap_err();
        assert!(end.to_string().contains("getNumber(4)"), "{end}");
    }

    #[test]
    fn the_question_shows_the_call() {
        assert_eq!(callback_call("getNumber", &[json!(1)]), "getNumber(1)");
        assert_eq!(
            callback_call("pair", &[json!("a"), json!(2)]),
            "pair(\"a\", 2)"
        );
        assert_eq!(callback_call("ready", &[]), "ready()");
    }
}
