//! What the gRPC client knows of the server's schema, and how it learns more: `--schema` files
//! are read whole at the first need; a server's reflection is asked per symbol, when a symbol is
//! needed — a method's service, then (for a bare method name, `rpc list`, the REPL) every service
//! it lists, each on its own so one that cannot be described breaks no other; an `Any`'s type
//! when a message holding one is read or written; an error detail's type. What reflection cannot
//! give is taken from the built-in files (health, reflection, `google.rpc`, the well-known
//! types) when they have it, and otherwise reported where it is used.

use super::reflection;
use super::GrpcTransport;
use crate::error::{Error, Result};
use crate::protocol::grpc::json;
use crate::protocol::grpc::schema::Schema;
use crate::protocol::Fault;
use crate::trace::Trace;
use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor, MethodDescriptor, ReflectMessage};
use std::collections::BTreeMap;

/// How many times a message is read again after its `Any` types were looked up: types found
/// inside newly known types are looked up in turn, to this depth.
const ANY_ROUNDS: usize = 4;

/// The schema as learnt so far, behind the transport's lock.
pub struct Known {
    schema: Schema,
    /// `--schema`'s files are in the schema.
    files_read: bool,
    /// Reflection has listed the services, and each was asked for.
    all_asked: bool,
    /// Symbols already asked of reflection, and why not found (None: found): never asked twice.
    asked: BTreeMap<String, Option<String>>,
}

impl Default for Known {
    fn default() -> Known {
        Known {
            schema: Schema::new(),
            files_read: false,
            all_asked: false,
            asked: BTreeMap::new(),
        }
    }
}

impl GrpcTransport {
    /// Whether the schema comes from the server's reflection (no `--schema`).
    fn reflects(&self) -> bool {
        self.source.files.is_empty()
    }

    /// The lock on what is known, with `--schema`'s files read (usage errors) or the well-known
    /// types in place for reflection to add to.
    async fn known(&self) -> Result<tokio::sync::MutexGuard<'_, Known>> {
        let mut known = self.schema.lock().await;
        if !known.files_read {
            for file in &self.source.files {
                known
                    .schema
                    .add_file(file, &self.source.import_paths)
                    .map_err(Error::usage)?;
            }
            known.files_read = true;
        }
        Ok(known)
    }

    /// The schema with every service the server offers described where it can be (`rpc list`,
    /// `describe`, the REPL's `:methods`, the proxy): reflection's list, each service asked for
    /// on its own. Each reflection question and answer is logged to `log`.
    pub async fn schema_logged(&self, log: Trace) -> Result<Schema> {
        let mut known = self.known().await?;
        self.ask_every_service(&mut known, log).await?;
        Ok(current(&known))
    }

    /// [`GrpcTransport::schema_logged`], the exchanges logged only at -vv (housekeeping).
    pub async fn schema(&self) -> Result<Schema> {
        self.schema_logged(self.housekeeping()).await
    }

    /// The trace for reflection asked on the way to a call: shown at -vv, as headers are.
    fn housekeeping(&self) -> Trace {
        if self.trace.level >= 2 {
            self.trace
        } else {
            Trace::default()
        }
    }

    async fn ask_every_service(&self, known: &mut Known, log: Trace) -> Result<()> {
        if !self.reflects() || known.all_asked {
            return Ok(());
        }
        let services = reflection::list_services(self, log).await?;
        for service in &services {
            schema_mut(known).offer(service.clone());
        }
        for service in &services {
            // Reflection itself is described by the built-in files, not asked about.
            if reflection::SERVICES.contains(&service.as_str()) {
                schema_mut(known).add_builtin_symbol(service);
            } else if let Err(why) = self.ask_symbol(known, service, log).await? {
                // A service the server does not describe may be one rpc knows (health).
                if !schema_mut(known).add_builtin_symbol(service) {
                    schema_mut(known).mark_broken(service, why);
                }
            }
        }
        known.all_asked = true;
        Ok(())
    }

    /// Asks reflection for `symbol` once; a symbol asked before is as found as it was then.
    async fn ask_symbol(
        &self,
        known: &mut Known,
        symbol: &str,
        log: Trace,
    ) -> Result<std::result::Result<(), String>> {
        if current(known).defines(symbol) {
            return Ok(Ok(()));
        }
        if let Some(before) = known.asked.get(symbol) {
            return Ok(before.clone().map_or(Ok(()), Err));
        }
        let loaded = reflection::load_symbol(self, schema_mut(known), symbol, log).await?;
        known.asked.insert(symbol.to_owned(), loaded.clone().err());
        Ok(loaded)
    }

    /// The method `name`, in any form people type it: its service asked of reflection when the
    /// name says which, else every service; then the built-in services (health, reflection).
    /// A method of a service that cannot be described says why (exit 4); an unknown one names the
    /// nearest (exit 2).
    pub async fn method(&self, name: &str) -> Result<MethodDescriptor> {
        self.method_logged(name, self.housekeeping()).await
    }

    /// [`GrpcTransport::method`], each reflection question and answer logged to `log`.
    pub async fn method_logged(&self, name: &str, log: Trace) -> Result<MethodDescriptor> {
        let mut known = self.known().await?;
        if let Ok(method) = current(&known).method(name) {
            return Ok(method);
        }
        let service = service_part(name);
        if self.reflects() {
            if let Some(service) = service {
                // Not found is not final here: the name may be short (`Router/GetRoute`).
                let _ = self.ask_symbol(&mut known, service, log).await?;
            }
            if current(&known).method(name).is_err() {
                self.ask_every_service(&mut known, log).await?;
            }
        }
        let schema = current(&known);
        schema.method(name).map_err(|not_found| {
            let broken = schema.broken().iter().find(|(broken, _)| {
                service.is_some_and(|s| broken == s || broken.ends_with(&format!(".{s}")))
            });
            match broken {
                Some((service, why)) => Error::protocol(format!(
                    "{service} cannot be described: {why}; give its schema with --schema FILE.proto"
                )),
                None => Error::usage(with_broken_note(not_found, schema.broken())),
            }
        })
    }

    /// Looks up each of `names` (message types) that the schema lacks: reflection first, then
    /// the built-in files. Those found nowhere are left out.
    pub async fn learn_types(&self, names: &[String]) -> Result<()> {
        let log = self.housekeeping();
        let mut known = self.known().await?;
        for name in names {
            if current(&known).defines(name) {
                continue;
            }
            if self.reflects() {
                let _ = self.ask_symbol(&mut known, name, log).await?;
            }
            schema_mut(&mut known).add_builtin_symbol(name);
        }
        Ok(())
    }

    /// `message` with the types of its `Any`s looked up (see [`GrpcTransport::learn_types`]) and
    /// read again with them, so that [`json::to_json`] shows each in full; those nobody knows are
    /// left as they are (shown opaque).
    pub async fn readable(&self, mut message: DynamicMessage) -> Result<DynamicMessage> {
        for _ in 0..ANY_ROUNDS {
            let missing = json::missing_any_types(&message);
            let Some(fresh) = self.fresh_knowing(&message.descriptor(), &missing).await? else {
                break;
            };
            message = DynamicMessage::decode(fresh, message.encode_to_vec().as_slice())
                .map_err(|e| Error::protocol(e.to_string()))?;
        }
        Ok(message)
    }

    /// A `descriptor` message from proto3 JSON, the `Any` types it names looked up first.
    pub async fn message_from_json(
        &self,
        descriptor: &MessageDescriptor,
        value: &serde_json::Value,
    ) -> Result<DynamicMessage> {
        let mut descriptor = descriptor.clone();
        for _ in 0..ANY_ROUNDS {
            let missing = json::missing_any_types_in_json(&descriptor, value);
            match self.fresh_knowing(&descriptor, &missing).await? {
                Some(fresh) => descriptor = fresh,
                None => break,
            }
        }
        json::from_json(&descriptor, value).map_err(Error::usage)
    }

    /// The same message type in the schema once `missing` types are looked up, when that knows
    /// one of them (a pool grown since `descriptor` was taken holds more types); None when there
    /// is nothing more to know.
    async fn fresh_knowing(
        &self,
        descriptor: &MessageDescriptor,
        missing: &[String],
    ) -> Result<Option<MessageDescriptor>> {
        if missing.is_empty() {
            return Ok(None);
        }
        self.learn_types(missing).await?;
        let known = self.known().await?;
        let schema = current(&known);
        if !missing.iter().any(|name| schema.defines(name)) {
            return Ok(None);
        }
        Ok(schema.pool().get_message_by_name(descriptor.full_name()))
    }

    /// The server's status as a fault: its code, message and details, each detail decoded with
    /// its type looked up as an `Any`'s is (known types in full, others opaque).
    pub async fn fault(&self, status: &tonic::Status) -> Result<Fault> {
        let mut fault = Fault::new(i64::from(status.code() as i32), status.message());
        if status.details().is_empty() {
            return Ok(fault);
        }
        let names: Vec<String> = detail_types(status.details())
            .iter()
            .map(|url| json::type_name(url).to_owned())
            .collect();
        self.learn_types(&names).await?;
        let known = self.known().await?;
        fault.data = Some(details_json(current(&known).pool(), status.details()));
        Ok(fault)
    }
}

/// The schema as known now (cheap: a pool clone shares its descriptors).
fn current(known: &Known) -> Schema {
    known.schema.clone()
}

fn schema_mut(known: &mut Known) -> &mut Schema {
    &mut known.schema
}

/// The service a method name names, when it names one: `pkg.Service` of `pkg.Service/Method`,
/// `/pkg.Service/Method` and `pkg.Service.Method`.
fn service_part(name: &str) -> Option<&str> {
    let name = name.trim_start_matches('/');
    match name.rsplit_once('/') {
        Some((service, _)) => Some(service),
        None => name.rsplit_once('.').map(|(service, _)| service),
    }
}

/// A not-found error, with the services that could not be described named after it.
fn with_broken_note(error: String, broken: &[(String, String)]) -> String {
    if broken.is_empty() {
        return error;
    }
    let names: Vec<&str> = broken.iter().map(|(name, _)| name.as_str()).collect();
    format!(
        "{error} ({} could not be described: {})",
        names.join(", "),
        broken[0].1
    )
}

/// The type URLs of the details of a `google.rpc.Status`.
fn detail_types(bytes: &[u8]) -> Vec<String> {
    RpcStatus::decode(bytes)
        .map(|status| status.details.into_iter().map(|d| d.type_url).collect())
        .unwrap_or_default()
}

/// `grpc-status-details-bin` (a `google.rpc.Status`) as the list of its details, each decoded
/// with `pool` (or the built-in files) when its type is there and its bytes are that type, else
/// `{"@type", "@value"}`; base64 text when the bytes are no `Status` at all.
pub fn details_json(pool: &prost_reflect::DescriptorPool, bytes: &[u8]) -> serde_json::Value {
    let Ok(status) = RpcStatus::decode(bytes) else {
        use base64::Engine;
        return serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
    };
    let builtin = Schema::builtin().ok();
    let details = status.details.iter().map(|detail| {
        let name = json::type_name(&detail.type_url);
        // The server's types first; the built-in ones (google.rpc's) fill what it lacks.
        let descriptor = pool
            .get_message_by_name(name)
            .or_else(|| builtin.as_ref()?.pool().get_message_by_name(name));
        let decoded = descriptor.and_then(|descriptor| {
            DynamicMessage::decode(descriptor, detail.value.as_slice()).ok()
        });
        match decoded {
            Some(message) => with_type(&detail.type_url, json::to_json(&message)),
            None => json::opaque_json(&detail.type_url, &detail.value),
        }
    });
    serde_json::Value::Array(details.collect())
}

/// A detail as an `Any` is shown: `@type` first, then the message's fields (or its JSON under
/// `value` when that is not an object).
fn with_type(type_url: &str, message: serde_json::Value) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert(
        "@type".into(),
        serde_json::Value::String(type_url.to_owned()),
    );
    match message {
        serde_json::Value::Object(fields) => object.extend(fields),
        other => {
            object.insert("value".into(), other);
        }
    }
    serde_json::Value::Object(object)
}

/// google/rpc/status.proto's `Status`, to read a status's details whatever the pool holds.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}
