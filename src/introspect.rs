//! `rpc list` and `rpc describe`: what a server offers, via `rpc.discover` (OpenRPC) or the
//! XML-RPC introspection methods `system.listMethods`, `system.methodHelp`, `system.methodSignature`.

use crate::cli::{DescribeArgs, ListArgs};
use crate::client::{Client, Mode};
use crate::curl;
use crate::error::{Error, Result};
use crate::output::print_stdout;
use crate::protocol::{codes, grpc, Call, Introspection, Params, Proto};
use crate::term::Colors;
use crate::value::Value;
use serde_json::{json, Value as Json};

pub async fn list(args: ListArgs, colors: Colors) -> Result<()> {
    let client = Client::new(
        &args.endpoint,
        &args.connect.options()?,
        args.connect.trace(colors.stderr),
    )?;
    if args.all && client.proto.spec().introspection != Introspection::Reflection {
        return Err(Error::usage(
            "--all lists gRPC's reflection services; other protocols have none to hide",
        ));
    }
    let names = if args.all {
        grpc_method_names(&client, true).await
    } else {
        method_names(&client).await
    };
    client.close().await;
    let names = names?;
    if args.json {
        print_stdout(&Json::from(names).to_string());
    } else {
        print_stdout(&names.join("\n"));
    }
    Ok(())
}

pub async fn describe(args: DescribeArgs, colors: Colors) -> Result<()> {
    let client = Client::new(
        &args.endpoint,
        &args.connect.options()?,
        args.connect.trace(colors.stderr),
    )?;
    let doc = describe_method(&client, &args.method).await;
    client.close().await;
    let doc = doc?;
    if args.json {
        print_stdout(&doc.to_string());
    } else {
        print_stdout(&describe_text(&doc));
    }
    Ok(())
}

/// `Service/Method` of every method the server's schema holds (`pkg.Service/Method` with a
/// package); the reflection services only with `all`.
async fn grpc_method_names(client: &Client, all: bool) -> Result<Vec<String>> {
    let schema = client.grpc_schema_listed().await?;
    for (service, why) in schema.broken() {
        eprintln!(
            "rpc: warning: {service} is listed but cannot be described: {why}; its methods are \
             left out (give its schema with --schema FILE.proto)"
        );
    }
    Ok(schema
        .services()
        .filter(|s| all || !s.full_name().starts_with("grpc.reflection."))
        .flat_map(|s| {
            s.methods()
                .map(|m| grpc::schema::method_name(&m))
                .collect::<Vec<_>>()
        })
        .collect())
}

/// Method names: gRPC's from its schema (reflection or `--schema`), the others' from
/// rpc.discover or else system.listMethods.
pub async fn method_names(client: &Client) -> Result<Vec<String>> {
    match client.proto.spec().introspection {
        Introspection::Reflection => return grpc_method_names(client, false).await,
        Introspection::None => return Err(no_introspection(client, "its protocol has none")),
        Introspection::OpenRpcThenSystem | Introspection::System => {}
    }
    if let Some(doc) = discover(client).await? {
        return Ok(openrpc_methods(&doc)
            .filter_map(|m| m.get("name").and_then(Json::as_str).map(str::to_owned))
            .collect());
    }
    let listed = match ask(client, "system.listMethods", vec![]).await {
        // An XML-RPC server without introspection answers with a fault code of its own (Twisted:
        // 8001, Python: 1), not -32601; any fault to system.listMethods means the same.
        Err(Error::Answered(_, fault))
            if client.proto.spec().introspection == Introspection::System =>
        {
            return Err(no_introspection(
                client,
                &format!(
                    "system.listMethods answered fault {}: {}",
                    fault.code, fault.message
                ),
            ))
        }
        other => other?,
    };
    match listed {
        Some(Json::Array(names)) => Ok(names
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect()),
        Some(other) => Err(Error::protocol(format!(
            "system.listMethods answered {other}, not a list"
        ))),
        None => Err(no_introspection(
            client,
            "neither rpc.discover nor system.listMethods is there",
        )),
    }
}

/// A gRPC method: `{"name", "signature", "client_streaming", "server_streaming", "input",
/// "output", "messages" (.proto text), "example" (a runnable line)}`.
async fn describe_grpc_method(client: &Client, name: &str) -> Result<Json> {
    let method = client.grpc_method_listed(name).await?;
    let url = curl::shell_quote(client.url.as_str().trim_end_matches('/'));
    // The example reaches the server the way this command did.
    let endpoint = match &client.options().unix_socket {
        Some(path) => format!(
            "--unix-socket {} {url}",
            curl::shell_quote(&path.display().to_string())
        ),
        None => url,
    };
    Ok(json!({
        "name": grpc::schema::method_name(&method),
        "signature": grpc::describe::signature(&method),
        "client_streaming": method.is_client_streaming(),
        "server_streaming": method.is_server_streaming(),
        "input": method.input().full_name(),
        "output": method.output().full_name(),
        "messages": grpc::describe::messages_text(&method),
        "example": grpc::describe::example(&endpoint, &method),
    }))
}

/// `{"name", "help", "params": [{"name","schema"}]?, "result"?, "signatures"?}`; for gRPC see
/// [`describe_grpc_method`].
pub async fn describe_method(client: &Client, method: &str) -> Result<Json> {
    match client.proto.spec().introspection {
        Introspection::Reflection => return describe_grpc_method(client, method).await,
        Introspection::None => return Err(no_introspection(client, "its protocol has none")),
        Introspection::OpenRpcThenSystem | Introspection::System => {}
    }
    if let Some(doc) = discover(client).await? {
        let entry = openrpc_methods(&doc)
            .find(|m| m.get("name").and_then(Json::as_str) == Some(method))
            .ok_or_else(|| not_found(client.proto, method))?;
        return Ok(json!({
            "name": method,
            "help": entry.get("description").or(entry.get("summary")).cloned().unwrap_or(Json::Null),
            "params": entry.get("params").cloned().unwrap_or(json!([])),
            "result": entry.get("result").cloned().unwrap_or(Json::Null),
        }));
    }
    // Some servers (Python's among them) answer methodHelp for any name, "" when unknown: the
    // list tells whether the method exists.
    match method_names(client).await {
        Ok(names) if !names.iter().any(|n| n == method) => {
            return Err(not_found(client.proto, method))
        }
        // The server answered that it has no introspection: methodHelp is not there either.
        Err(e @ Error::Answered(..)) => return Err(e),
        _ => {}
    }
    let name = Value::String(method.to_owned());
    let help = ask(client, "system.methodHelp", vec![name.clone()]).await?;
    let Some(help) = help else {
        return Err(no_introspection(client, "system.methodHelp is not there"));
    };
    // Some servers answer a string such as "signatures not supported", or a fault: either way the
    // help is still worth showing.
    let signatures = match ask(client, "system.methodSignature", vec![name]).await {
        Ok(signatures) => signatures,
        Err(Error::Answered(..)) => None,
        Err(e) => return Err(e),
    };
    Ok(json!({"name": method, "help": help, "signatures": signatures.unwrap_or(Json::Null)}))
}

/// The OpenRPC document, if the server has one. XML-RPC peers are not asked: they rarely know
/// rpc.discover, and some (Python's) answer an unknown method with a fault code of their own
/// rather than -32601, so the question would end the command instead of falling back.
async fn discover(client: &Client) -> Result<Option<Json>> {
    if client.proto.spec().introspection == Introspection::System {
        return Ok(None);
    }
    ask(client, "rpc.discover", vec![]).await
}

pub fn describe_text(doc: &Json) -> String {
    if let Some(signature) = doc.get("signature").and_then(Json::as_str) {
        return format!(
            "{signature}\n\n{}\n\nExample:\n  {}",
            doc["messages"].as_str().unwrap_or_default(),
            doc["example"].as_str().unwrap_or_default()
        );
    }
    let name = doc["name"].as_str().unwrap_or_default();
    let help = doc["help"].as_str().unwrap_or("(no help text)");
    let head = if let Some(params) = doc.get("params").and_then(Json::as_array) {
        let params: Vec<String> = params
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    p["name"].as_str().unwrap_or("?"),
                    schema_name(&p["schema"])
                )
            })
            .collect();
        format!(
            "{name}({}) -> {}",
            params.join(", "),
            schema_name(&doc["result"]["schema"])
        )
    } else {
        match &doc["signatures"] {
            Json::Array(sigs) => sigs
                .iter()
                .filter_map(Json::as_array)
                .map(|sig| {
                    let types: Vec<&str> = sig.iter().filter_map(Json::as_str).collect();
                    match types.split_first() {
                        Some((ret, params)) => format!("{name}({}) -> {ret}", params.join(", ")),
                        None => format!("{name}()"),
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Json::String(s) => format!("{name}  [signature: {s}]"),
            _ => name.to_owned(),
        }
    };
    format!("{head}\n    {help}")
}

fn schema_name(schema: &Json) -> String {
    schema
        .get("type")
        .and_then(Json::as_str)
        .unwrap_or("any")
        .to_owned()
}

fn openrpc_methods(doc: &Json) -> impl Iterator<Item = &Json> {
    doc.get("methods")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

/// Calls an introspection method; Ok(None) when the server says it has no such method (for Reach,
/// also a plain HTTP 404, which is how Reach servers say it).
async fn ask(client: &Client, method: &str, args: Vec<Value>) -> Result<Option<Json>> {
    let call = Call {
        method: method.to_owned(),
        params: Params::Positional(args),
    };
    let outcome = client
        .run(std::slice::from_ref(&call), Mode::Single)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::protocol("the server sent no answer"))?;
    match outcome {
        Ok(value) => Ok(Some(value.to_json())),
        Err(fault) if fault.code == codes::METHOD_NOT_FOUND => Ok(None),
        // A question with no params cannot have wrong ones: "invalid params" is how some servers
        // say they do not know the method (anvil over WebSocket, whose method enum fails to
        // parse the call).
        Err(fault) if fault.code == codes::INVALID_PARAMS && call.params.is_empty() => Ok(None),
        Err(fault) if client.proto == Proto::Reach && fault.code == 404 => Ok(None),
        Err(fault) => Err(Error::server(client.proto, fault)),
    }
}

/// The server works but cannot say what it offers: exit 1, with what to do instead.
fn no_introspection(client: &Client, why: &str) -> Error {
    Error::server(
        client.proto,
        crate::protocol::Fault::new(
            codes::METHOD_NOT_FOUND,
            format!(
                "{} offers no introspection over {} ({why}); call its methods by name with \
             `rpc call`, or check the protocol (-P)",
                client.endpoint(),
                client.proto.name()
            ),
        ),
    )
}

fn not_found(proto: Proto, method: &str) -> Error {
    Error::server(
        proto,
        crate::protocol::Fault::new(
            codes::METHOD_NOT_FOUND,
            format!("the server does not describe a method named {method:?} (see `rpc list`)"),
        ),
    )
}
