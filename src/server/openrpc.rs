//! `rpc.discover`: an OpenRPC document (<https://spec.open-rpc.org>) generated from the method table.

use super::service::Service;
use crate::protocol::Proto;
use serde_json::{json, Value as Json};

pub fn document(service: &Service, proto: Proto) -> Json {
    let methods: Vec<Json> = service
        .methods_for(proto)
        .map(|m| {
            json!({
                "name": m.name,
                "description": m.help,
                "params": m.params.iter().map(|(name, ty)| json!({
                    "name": name,
                    "required": true,
                    "schema": ty.json_schema(),
                })).collect::<Vec<_>>(),
                "result": {"name": "result", "schema": m.returns.json_schema()},
            })
        })
        .collect();
    json!({
        "openrpc": "1.2.6",
        "info": {"title": "rpc toy math service", "version": env!("CARGO_PKG_VERSION")},
        "methods": methods,
    })
}
