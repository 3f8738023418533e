//! The seed's routing-table service (`routetable.proto`, no package), with the seed's behaviour:
//! `GetRoute` answers the route whose `dest` is the destination's network, or a route with next
//! hop `0.0.0.0` when none is; `ListRoutes` streams the table in the order routes were added;
//! `AddRoutes` appends every route of the client's stream and answers success when it ends. The
//! table is bounded by `--max-routes` (RESOURCE_EXHAUSTED beyond it).

use super::{answers, log, outcome_of, shown, single, Answers, Handler};
use crate::protocol::grpc::message;
use prost_reflect::DynamicMessage;
use serde_json::json;
use std::sync::Mutex;
use std::time::Instant;
use tonic::{Status, Streaming};

/// The routes added so far, in order, at most `max`.
pub struct RouteTable {
    routes: Mutex<Vec<DynamicMessage>>,
    max: usize,
}

impl RouteTable {
    /// An empty table that holds at most `max` routes.
    pub fn new(max: usize) -> RouteTable {
        RouteTable {
            routes: Mutex::new(Vec::new()),
            max,
        }
    }

    fn snapshot(&self) -> Vec<DynamicMessage> {
        self.routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn add(&self, route: DynamicMessage) -> Result<(), Status> {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if routes.len() >= self.max {
            return Err(Status::resource_exhausted(format!(
                "the route table is full: {} routes (the server's --max-routes)",
                self.max
            )));
        }
        routes.push(route);
        Ok(())
    }
}

/// Answers one call of the Router service.
pub async fn answer(
    handler: &Handler,
    incoming: Streaming<DynamicMessage>,
) -> Result<Answers, Status> {
    let start = Instant::now();
    let table = &handler.state.grpc.routes;
    let output = handler.method.output();
    let (request, result) = match handler.method.name() {
        "GetRoute" => {
            let destination = single(incoming).await?;
            let network = text(&destination, "network");
            let found = table
                .snapshot()
                .into_iter()
                .find(|route| text(route, "dest") == network);
            let route = match found {
                Some(route) => route,
                None => message::from_json(&output, &json!({"nh": "0.0.0.0"}))
                    .map_err(Status::internal)?,
            };
            (shown(&destination), vec![Ok(route)])
        }
        "ListRoutes" => {
            let empty = single(incoming).await?;
            (
                shown(&empty),
                table.snapshot().into_iter().map(Ok).collect(),
            )
        }
        "AddRoutes" => {
            let added = add_all(table, incoming).await?;
            let done =
                message::from_json(&output, &json!({"success": true})).map_err(Status::internal)?;
            (json!({ "routes": added }), vec![Ok(done)])
        }
        other => {
            return Err(Status::unimplemented(format!(
                "Router has no method {other}"
            )))
        }
    };
    log(handler, &request, &outcome_of(&result), start);
    Ok(answers(result))
}

/// Appends every route of the client's stream; the number added.
async fn add_all(
    table: &RouteTable,
    mut incoming: Streaming<DynamicMessage>,
) -> Result<usize, Status> {
    let mut added = 0;
    while let Some(route) = incoming.message().await? {
        table.add(route)?;
        added += 1;
    }
    Ok(added)
}

/// A string field's value ("" when unset).
fn text(message: &DynamicMessage, field: &str) -> String {
    message
        .get_field_by_name(field)
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}
