//! `rpc call`: words → calls → client → stdout, with the contract's exit codes.

use crate::args;
use crate::cli::CallArgs;
use crate::client::{reach, Client, Mode, Wire};
use crate::curl;
use crate::error::{Error, Result};
use crate::output::{self, print_stdout, Style};
use crate::protocol::{grpc, Call, Proto};
use crate::term::Colors;
use std::io::Read;
use std::process::ExitCode;

pub async fn run(mut args: CallArgs, colors: Colors) -> Result<ExitCode> {
    let endpoint = resolve_endpoint(&mut args)?;
    let trace = args.connect.trace(colors.stderr);
    let mut client = Client::new(&endpoint, &args.connect.options()?, trace)?;
    let result = call(&mut args, &mut client, &endpoint, colors).await;
    // A child process is stopped and reaped, a language server shut down, whatever happened.
    client.close().await;
    result
}

async fn call(
    args: &mut CallArgs,
    client: &mut Client,
    endpoint: &str,
    colors: Colors,
) -> Result<ExitCode> {
    let style = Style {
        pretty: colors.stdout_is_terminal,
        color: colors.stdout,
        raw: args.raw,
    };
    if !args.dry_run && !args.curl {
        if let Some(code) = stream(args, client, style).await? {
            return Ok(code);
        }
    }
    let started = std::time::Instant::now();
    let mut waiting = match &args.wait {
        Some(method) => Some((method.clone(), client.listen()?)),
        None => None,
    };
    // Listening starts before the call goes: a notification may come right behind its answer.
    let following = match args.follow {
        true => Some(client.listen()?),
        false => None,
    };
    let calls = match (&waiting, args.words.is_empty()) {
        // --wait alone: the session begins, and the notification is the answer.
        (Some(_), true) => Vec::new(),
        _ => build_calls(args)?,
    };
    client.set_interaction(reach::interaction_from_args(&args.reach.interaction())?);
    let mode = if args.notify {
        Mode::Notify
    } else if calls.len() > 1 {
        Mode::Batch
    } else {
        Mode::Single
    };
    if args.dry_run {
        print_stdout(&dry_run_text(client, &calls, mode).await?);
        return Ok(ExitCode::SUCCESS);
    }
    if args.curl {
        let text = curl::render(client, &calls, mode).await?;
        if let Some(note) = text.note {
            eprintln!("{note}");
        }
        print_stdout(&text.commands.join("\n"));
        return Ok(ExitCode::SUCCESS);
    }
    let outcomes = match calls.is_empty() {
        true => Vec::new(),
        false => client.run(&calls, mode).await?,
    };
    let hint = crate::follow::websocket_hint(&client.url, &calls)
        .unwrap_or_else(|| output::list_hint(endpoint, args.connect.proto, client.proto));
    let report = output::Report {
        proto: client.proto,
        style,
        hint,
    };
    if let Some(listening) = following {
        let [call] = &calls[..] else {
            return Err(Error::usage(
                "--follow takes one call (the subscribe), not a batch",
            ));
        };
        // The subscription id goes to stderr at -v, stdout is the notifications'; a refused
        // subscribe is printed as any failed call is.
        let answer = outcomes.first().cloned();
        if !matches!(answer, Some(Ok(_))) {
            return report.print(&calls, outcomes, mode);
        }
        let how = crate::follow::Follow {
            count: args.count,
            whole: args.whole_notification,
            unsubscribe: args.unsubscribe.clone(),
            until: args.connect.timeout.map(|t| started + t),
            style,
        };
        if let Some(answer) = answer {
            crate::follow::follow(client, call, &answer, listening, &how).await?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some((method, listening)) = waiting.as_mut() else {
        return report.print(&calls, outcomes, mode);
    };
    let printed = match calls.is_empty() {
        true => ExitCode::SUCCESS,
        false => report.print(&calls, outcomes, mode)?,
    };
    let params = client.wait_for(listening, method).await?;
    print_stdout(&output::render(&params, style));
    Ok(printed)
}

/// A streaming call (gRPC's streams), printed message by message as the answers come (one
/// compact line each when piped: NDJSON); None when the method is answered once (it goes the way
/// of every other call). The requests: `-d` documents (`@-` and `@FILE` read as they come, each
/// sent as soon as it is complete), or the words as one message.
async fn stream(args: &CallArgs, client: &Client, style: Style) -> Result<Option<ExitCode>> {
    let Some(name) = args.words.first() else {
        return Ok(None);
    };
    if args.words.iter().any(|w| w == args::BATCH_SEPARATOR) {
        return Ok(None);
    }
    let Some(streams) = client.streaming(name).await? else {
        return Ok(None);
    };
    let (sender, requests) = tokio::sync::mpsc::channel(16);
    match &args.params {
        Some(source) => {
            if args.words.len() > 1 {
                return Err(Error::usage(
                    "give the message either as ARGs or with -d/--params, not both",
                ));
            }
            crate::client::grpc::documents(source, sender, streams.client)?;
        }
        None => {
            let method = client.grpc_method(name).await?;
            let message = grpc::message::words_json(&method.input(), &args.words[1..])
                .map_err(Error::usage)?;
            // The one message, and the end of the client's stream.
            let _ = sender.try_send(Ok(message));
            drop(sender);
        }
    }
    // A reader that has gone (`| head -n 3`) ends the stream, as a closed pipe ends `tail -f`.
    let reader_gone = std::sync::Arc::new(tokio::sync::Notify::new());
    let gone = std::sync::Arc::clone(&reader_gone);
    let mut print = move |json: &serde_json::Value| {
        if output::write_stdout(&output::render(json, style)).is_err() {
            gone.notify_one();
        }
    };
    let io = crate::client::grpc::Streaming {
        requests,
        on_response: &mut print,
        sent: None,
    };
    tokio::select! {
        streamed = client.call_streaming(name, io) => streamed?,
        () = reader_gone.notified() => {}
    }
    Ok(Some(ExitCode::SUCCESS))
}

/// The endpoint to call. With `-P reach`, a first word starting with `/` is a method path (no
/// endpoint starts with `/`), and the endpoint then comes from `REACH_RPC_SERVER`/`REACH_RPC_PORT`.
fn resolve_endpoint(args: &mut CallArgs) -> Result<String> {
    if args.connect.proto == Some(Proto::Reach) && args.endpoint.starts_with('/') {
        let method = std::mem::take(&mut args.endpoint);
        args.words.insert(0, method);
        return reach::endpoint_from_env();
    }
    Ok(args.endpoint.clone())
}

fn build_calls(args: &CallArgs) -> Result<Vec<Call>> {
    if args.words.is_empty() {
        return Err(Error::usage(
            "missing METHOD: rpc call ENDPOINT METHOD [ARG]... (see rpc call --help)",
        ));
    }
    let Some(params) = &args.params else {
        return args::parse_calls(&args.words);
    };
    if args.words.len() > 1 {
        return Err(Error::usage(
            "give the params either as ARGs or with -d/--params, not both",
        ));
    }
    let text = read_params_source(params)?;
    Ok(vec![Call {
        method: args.words[0].clone(),
        params: args::parse_params_document(&text)?,
    }])
}

/// `-d JSON`, `-d @FILE` or `-d @-` (stdin); `rpc bench --params` reads the same way.
pub(crate) fn read_params_source(source: &str) -> Result<String> {
    match source.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                Error::usage(format!(
                    "cannot read params from stdin: {}",
                    crate::error::plain(&e)
                ))
            })?;
            Ok(text)
        }
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            Error::usage(format!(
                "cannot read params from {path}: {}",
                crate::error::plain(&e)
            ))
        }),
        None => Ok(source.to_owned()),
    }
}

async fn dry_run_text(client: &Client, calls: &[Call], mode: Mode) -> Result<String> {
    let wires = client.preview_all(calls, mode).await?;
    let texts: Vec<String> = wires
        .iter()
        .map(|wire| match wire {
            Wire::Grpc(preview) => preview.text(),
            Wire::Http(request) => {
                String::from_utf8_lossy(&client.request_text(request)).into_owned()
            }
            // The bytes as written, after a line naming where they would go (as `nc HOST PORT`).
            Wire::Tcp { addr, bytes } => format!(
                "# {} to {addr}\n{}",
                client.proto.name(),
                String::from_utf8_lossy(bytes).trim_end()
            ),
        })
        .collect();
    Ok(texts.join("\n\n"))
}
