//! The toy math service: a table of methods with help and signatures. It knows no protocol; every
//! protocol's server glue calls [`Service::call`], and introspection reads the same table.
//!
//! Numeric rules: integers stay integers and doubles stay doubles (a mix gives a double); `div`
//! always gives a double; integer overflow, division by zero and non-finite results are errors
//! (codes 1000–1099), never wrapped values.

use crate::protocol::{codes, Batching, Call, Fault, Outcome, Params, Proto, Transport};
use crate::value::Value;
use indexmap::IndexMap;
use std::time::Duration;

/// A parameter's type, for signatures and the OpenRPC schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Number,
    Double,
    String,
    Array,
    Struct,
    Any,
}

impl Ty {
    /// XML-RPC type names this type stands for in `system.methodSignature`.
    fn xmlrpc_names(self) -> &'static [&'static str] {
        match self {
            Ty::Number => &["int", "double"],
            Ty::Double => &["double"],
            Ty::String => &["string"],
            Ty::Array => &["array"],
            Ty::Struct => &["struct"],
            Ty::Any => &["any"],
        }
    }

    /// The JSON Schema of the type, for `rpc.discover`.
    pub fn json_schema(self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Ty::Number => json!({"type": "number"}),
            Ty::Double => json!({"type": "number"}),
            Ty::String => json!({"type": "string"}),
            Ty::Array => json!({"type": "array", "items": {"type": "number"}}),
            Ty::Struct => json!({"type": "object"}),
            Ty::Any => json!({}),
        }
    }
}

/// How a method computes its answer.
#[derive(Clone, Copy)]
pub enum Run {
    /// A pure function of the arguments.
    Compute(fn(&[Value]) -> Outcome),
    /// Waits for the duration the arguments name (bounded by the service's `max_sleep`).
    Wait(fn(&[Value], Duration) -> Result<Duration, Fault>),
    /// Reads the method table itself, as the asking protocol sees it.
    Introspect(fn(&Service, Proto, &[Value]) -> Outcome),
    /// A batch of calls, each run through the server's one path to the service: XML-RPC's
    /// `system.multicall`, run by the protocols whose batching is [`Batching::Multicall`].
    Multicall,
    /// A method that calls the client back while it runs (Reach's interactive methods), run by
    /// the protocols that can carry callbacks ([`crate::protocol::Spec::interactive`]).
    Interactive(super::reach::Interactive),
    /// A subscription, run by a WebSocket connection itself (`server::websocket`), which can
    /// send its notifications; listed for the protocol that travels in WebSocket messages, and
    /// answered "needs a WebSocket" anywhere else.
    Subscription,
}

/// One entry of the table.
#[derive(Clone)]
pub struct Method {
    pub name: &'static str,
    pub help: &'static str,
    pub params: &'static [(&'static str, Ty)],
    pub returns: Ty,
    pub run: Run,
}

impl Method {
    /// Whether `proto` can carry this kind of method: every protocol carries a plain call; a
    /// multicall and an interactive method only the protocols whose table row says so.
    pub fn served_over(&self, proto: Proto) -> bool {
        match self.run {
            Run::Multicall => proto.spec().batching == Batching::Multicall,
            Run::Interactive(_) => proto.spec().interactive,
            Run::Subscription => {
                let spec = proto.spec();
                spec.transport == Transport::Http && spec.stream_framing.is_some()
            }
            Run::Compute(_) | Run::Wait(_) | Run::Introspect(_) => true,
        }
    }

    /// XML-RPC style signatures: each is `[return type, param types…]`. A number-typed method has
    /// an all-int and an all-double signature.
    pub fn signatures(&self) -> Vec<Vec<&'static str>> {
        let numeric =
            self.returns == Ty::Number || self.params.iter().any(|(_, t)| *t == Ty::Number);
        let variants: &[usize] = if numeric { &[0, 1] } else { &[0] };
        variants
            .iter()
            .map(|&i| {
                let pick = |t: Ty| *t.xmlrpc_names().get(i).unwrap_or(&t.xmlrpc_names()[0]);
                std::iter::once(pick(self.returns))
                    .chain(self.params.iter().map(|(_, t)| pick(*t)))
                    .collect()
            })
            .collect()
    }
}

/// The service: the method table plus its one setting.
pub struct Service {
    methods: IndexMap<&'static str, Method>,
    max_sleep: Duration,
}

impl Service {
    pub fn new(max_sleep: Duration) -> Self {
        Self::with_methods(METHODS.to_vec(), max_sleep)
    }

    /// A service with another table (tests use it to plant faulty methods).
    pub fn with_methods(methods: Vec<Method>, max_sleep: Duration) -> Self {
        let methods = methods.into_iter().map(|m| (m.name, m)).collect();
        Service { methods, max_sleep }
    }

    pub fn methods(&self) -> impl Iterator<Item = &Method> {
        self.methods.values()
    }

    pub fn method(&self, name: &str) -> Option<&Method> {
        self.methods.get(name)
    }

    /// The methods `proto` can call, in table order: what its introspection lists.
    pub fn methods_for(&self, proto: Proto) -> impl Iterator<Item = &Method> {
        self.methods().filter(move |m| m.served_over(proto))
    }

    /// The method `name` as `proto` sees it: None when there is none, or `proto` cannot carry it.
    pub fn method_for(&self, proto: Proto, name: &str) -> Option<&Method> {
        self.method(name).filter(|m| m.served_over(proto))
    }

    /// Runs one call that came over `proto`. Multicalls and interactive methods are run by their
    /// protocol's glue, which finds them in this table; reaching here they are an internal error.
    pub async fn call(&self, proto: Proto, call: &Call) -> Outcome {
        let method = self.method_for(proto, &call.method).ok_or_else(|| {
            Fault::new(
                codes::METHOD_NOT_FOUND,
                format!(
                    "Method not found: {} (see system.listMethods or rpc.discover)",
                    call.method
                ),
            )
        })?;
        if let Run::Subscription = method.run {
            return Err(Fault::new(
                codes::METHOD_NOT_FOUND,
                format!(
                    "{} needs a WebSocket, to send its notifications on: this server answers it \
                     at ws:// on the same port",
                    call.method
                ),
            ));
        }
        let args = bind(method, &call.params)?;
        match method.run {
            Run::Compute(f) => f(&args),
            Run::Introspect(f) => f(self, proto, &args),
            Run::Multicall | Run::Interactive(_) | Run::Subscription => Err(Fault::new(
                codes::INTERNAL_ERROR,
                format!("{} is run by the {} glue", call.method, proto.name()),
            )),
            Run::Wait(f) => {
                let duration = f(&args, self.max_sleep)?;
                tokio::time::sleep(duration).await;
                Ok(Value::Double(duration.as_secs_f64()))
            }
        }
    }
}

/// Lines the arguments up with the method's parameters, by position or by name.
fn bind(method: &Method, params: &Params) -> Result<Vec<Value>, Fault> {
    let wanted = method.params.len();
    let signature = || {
        let names: Vec<&str> = method.params.iter().map(|(n, _)| *n).collect();
        format!("{}({})", method.name, names.join(", "))
    };
    match params {
        Params::Positional(args) if args.len() == wanted => Ok(args.clone()),
        Params::Positional(args) => Err(invalid_params(format!(
            "{} takes {wanted} argument{}, got {}",
            signature(),
            if wanted == 1 { "" } else { "s" },
            args.len()
        ))),
        Params::Named(map) => {
            if let Some(unknown) = map
                .keys()
                .find(|k| !method.params.iter().any(|(n, _)| n == k))
            {
                return Err(invalid_params(format!(
                    "{} has no parameter {unknown:?}",
                    signature()
                )));
            }
            method
                .params
                .iter()
                .map(|(name, _)| {
                    map.get(*name).cloned().ok_or_else(|| {
                        invalid_params(format!("{} is missing parameter {name:?}", signature()))
                    })
                })
                .collect()
        }
    }
}

pub fn invalid_params(message: impl Into<String>) -> Fault {
    Fault::new(
        codes::INVALID_PARAMS,
        format!("Invalid params: {}", message.into()),
    )
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Double(f64),
}

fn number(value: &Value, what: &str) -> Result<Num, Fault> {
    match value {
        Value::Int(i) => Ok(Num::Int(*i)),
        Value::Double(d) => Ok(Num::Double(*d)),
        // The service's integers are signed 64-bit: one above them overflows, as a result would.
        Value::UInt(u) => Err(Fault::new(
            codes::INTEGER_OVERFLOW,
            format!("integer overflow: {what} {u} does not fit in 64 signed bits"),
        )),
        other => Err(invalid_params(format!(
            "{what} must be a number, got {} {}",
            other.type_name(),
            other
        ))),
    }
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::Double(d) => d,
    }
}

fn finite(d: f64) -> Outcome {
    if d.is_finite() {
        Ok(Value::Double(d))
    } else {
        Err(Fault::new(
            codes::NOT_FINITE,
            "the result is not a finite number",
        ))
    }
}

/// Applies an operation, integers checked, anything else in doubles.
fn arith(
    a: Num,
    b: Num,
    int_op: fn(i64, i64) -> Option<i64>,
    double_op: fn(f64, f64) -> f64,
) -> Outcome {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => int_op(x, y).map(Value::Int).ok_or_else(|| {
            Fault::new(
                codes::INTEGER_OVERFLOW,
                "integer overflow: the result does not fit in 64 bits",
            )
        }),
        _ => finite(double_op(as_f64(a), as_f64(b))),
    }
}

fn binary(
    args: &[Value],
    int_op: fn(i64, i64) -> Option<i64>,
    double_op: fn(f64, f64) -> f64,
) -> Outcome {
    arith(
        number(&args[0], "a")?,
        number(&args[1], "b")?,
        int_op,
        double_op,
    )
}

fn add(args: &[Value]) -> Outcome {
    binary(args, i64::checked_add, |x, y| x + y)
}

fn sub(args: &[Value]) -> Outcome {
    binary(args, i64::checked_sub, |x, y| x - y)
}

fn mul(args: &[Value]) -> Outcome {
    binary(args, i64::checked_mul, |x, y| x * y)
}

fn div(args: &[Value]) -> Outcome {
    let (a, b) = (
        as_f64(number(&args[0], "a")?),
        as_f64(number(&args[1], "b")?),
    );
    if b == 0.0 {
        return Err(Fault::new(codes::DIVISION_BY_ZERO, "division by zero"));
    }
    finite(a / b)
}

fn square(args: &[Value]) -> Outcome {
    let x = number(&args[0], "x")?;
    arith(x, x, i64::checked_mul, |a, b| a * b)
}

fn cube(args: &[Value]) -> Outcome {
    let x = number(&args[0], "x")?;
    let sq = arith(x, x, i64::checked_mul, |a, b| a * b)?;
    arith(number(&sq, "x")?, x, i64::checked_mul, |a, b| a * b)
}

fn sum(args: &[Value]) -> Outcome {
    let Value::Array(items) = &args[0] else {
        return Err(invalid_params(format!(
            "numbers must be an array of numbers, got {} {}",
            args[0].type_name(),
            args[0]
        )));
    };
    items
        .iter()
        .enumerate()
        .try_fold(Value::Int(0), |total, (i, item)| {
            arith(
                number(&total, "total")?,
                number(item, &format!("numbers[{i}]"))?,
                i64::checked_add,
                |x, y| x + y,
            )
        })
}

fn echo(args: &[Value]) -> Outcome {
    Ok(args[0].clone())
}

fn info(_: &[Value]) -> Outcome {
    Ok(Value::String(format!(
        "rpc {} toy math service: add, sub, mul, div, square, cube, sum, echo, info, sleep",
        env!("CARGO_PKG_VERSION")
    )))
}

fn sleep(args: &[Value], max: Duration) -> Result<Duration, Fault> {
    let secs = as_f64(number(&args[0], "secs")?);
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| *d <= max)
        .ok_or_else(|| {
            invalid_params(format!(
                "secs must be between 0 and {} (the server's --max-sleep), got {secs}",
                max.as_secs_f64()
            ))
        })
}

// ---------------------------------------------------------------------------------------------
// Introspection (XML-RPC's system.* names, answered on every protocol; rpc.discover for OpenRPC)

fn list_methods(service: &Service, proto: Proto, _: &[Value]) -> Outcome {
    Ok(Value::Array(
        service
            .methods_for(proto)
            .map(|m| Value::String(m.name.into()))
            .collect(),
    ))
}

fn named_method<'a>(service: &'a Service, proto: Proto, arg: &Value) -> Result<&'a Method, Fault> {
    let Value::String(name) = arg else {
        return Err(invalid_params("the method name must be a string"));
    };
    service
        .method_for(proto, name)
        .ok_or_else(|| Fault::new(codes::METHOD_NOT_FOUND, format!("Method not found: {name}")))
}

fn method_help(service: &Service, proto: Proto, args: &[Value]) -> Outcome {
    Ok(Value::String(
        named_method(service, proto, &args[0])?.help.into(),
    ))
}

fn method_signature(service: &Service, proto: Proto, args: &[Value]) -> Outcome {
    let method = named_method(service, proto, &args[0])?;
    Ok(Value::Array(
        method
            .signatures()
            .into_iter()
            .map(|sig| Value::Array(sig.into_iter().map(|t| Value::String(t.into())).collect()))
            .collect(),
    ))
}

fn discover(service: &Service, proto: Proto, _: &[Value]) -> Outcome {
    Value::from_json(&super::openrpc::document(service, proto))
        .map_err(|e| Fault::new(codes::INTERNAL_ERROR, e.to_string()))
}

const METHODS: &[Method] = &[
    Method { name: "add", help: "add(a, b): the sum a + b", params: &[("a", Ty::Number), ("b", Ty::Number)], returns: Ty::Number, run: Run::Compute(add) },
    Method { name: "sub", help: "sub(a, b): the difference a - b", params: &[("a", Ty::Number), ("b", Ty::Number)], returns: Ty::Number, run: Run::Compute(sub) },
    Method { name: "mul", help: "mul(a, b): the product a * b", params: &[("a", Ty::Number), ("b", Ty::Number)], returns: Ty::Number, run: Run::Compute(mul) },
    Method { name: "multiply", help: "multiply(a, b): the product a * b (alias of mul)", params: &[("a", Ty::Number), ("b", Ty::Number)], returns: Ty::Number, run: Run::Compute(mul) },
    Method { name: "div", help: "div(a, b): the quotient a / b, always a double; b = 0 is an error", params: &[("a", Ty::Number), ("b", Ty::Number)], returns: Ty::Double, run: Run::Compute(div) },
    Method { name: "square", help: "square(x): x * x", params: &[("x", Ty::Number)], returns: Ty::Number, run: Run::Compute(square) },
    Method { name: "cube", help: "cube(x): x * x * x", params: &[("x", Ty::Number)], returns: Ty::Number, run: Run::Compute(cube) },
    Method { name: "sum", help: "sum(numbers): the total of an array of numbers (0 for an empty one)", params: &[("numbers", Ty::Array)], returns: Ty::Number, run: Run::Compute(sum) },
    Method { name: "echo", help: "echo(value): returns its argument unchanged, whatever its type", params: &[("value", Ty::Any)], returns: Ty::Any, run: Run::Compute(echo) },
    Method { name: "info", help: "info(): a string about this server", params: &[], returns: Ty::String, run: Run::Compute(info) },
    Method { name: "sleep", help: "sleep(secs): waits secs seconds (at most the server's --max-sleep), then returns secs", params: &[("secs", Ty::Number)], returns: Ty::Double, run: Run::Wait(sleep) },
    Method { name: "system.listMethods", help: "system.listMethods(): the names of all methods", params: &[], returns: Ty::Array, run: Run::Introspect(list_methods) },
    Method { name: "system.methodHelp", help: "system.methodHelp(name): the help text of a method", params: &[("name", Ty::String)], returns: Ty::String, run: Run::Introspect(method_help) },
    Method { name: "system.methodSignature", help: "system.methodSignature(name): the method's signatures, each [return type, param types...]", params: &[("name", Ty::String)], returns: Ty::Array, run: Run::Introspect(method_signature) },
    Method { name: "system.multicall", help: "system.multicall(calls): runs each {methodName, params} struct of calls in order; answers, per call, [result] or a {faultCode, faultString} struct", params: &[("calls", Ty::Array)], returns: Ty::Array, run: Run::Multicall },
    Method { name: "interact/sum", help: "interact/sum(n, values, methods): asks the client's getNumber(i) for i = 1..n, adds the answers to values.start (0 if absent), shows the total with showTotal if offered, and returns it (Reach, interactive)", params: &[("n", Ty::Number), ("values", Ty::Struct), ("methods", Ty::Struct)], returns: Ty::Number, run: Run::Interactive(super::reach::interact_sum) },
    Method { name: "subscribe", help: "subscribe(topic, interval_ms): over a WebSocket, a notification {\"subscription\": id, \"result\": {\"topic\", \"count\"}} every interval_ms milliseconds (at least 10; 1000 when left out) until unsubscribe; answers the subscription's id. The one topic is \"ticks\"", params: &[("topic", Ty::String), ("interval_ms", Ty::Number)], returns: Ty::String, run: Run::Subscription },
    Method { name: "unsubscribe", help: "unsubscribe(id): over a WebSocket, ends the subscription id; answers whether there was one", params: &[("id", Ty::String)], returns: Ty::Any, run: Run::Subscription },
    Method { name: "rpc.discover", help: "rpc.discover(): an OpenRPC document describing every method", params: &[], returns: Ty::Struct, run: Run::Introspect(discover) },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn run(method: &str, args: Vec<Value>) -> Outcome {
        let service = Service::new(Duration::from_secs(1));
        let call = Call {
            method: method.into(),
            params: Params::Positional(args),
        };
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(service.call(Proto::JsonRpc, &call))
    }

    fn code(outcome: Outcome) -> i64 {
        outcome.unwrap_err().code
    }

    #[test]
    fn integers_stay_integers_and_doubles_stay_doubles() {
        assert_eq!(
            run("add", vec![Value::Int(2), Value::Int(3)]),
            Ok(Value::Int(5))
        );
        assert_eq!(
            run("add", vec![Value::Int(2), Value::Double(0.5)]),
            Ok(Value::Double(2.5))
        );
        assert_eq!(
            run("div", vec![Value::Int(6), Value::Int(3)]),
            Ok(Value::Double(2.0))
        );
        assert_eq!(run("cube", vec![Value::Int(3)]), Ok(Value::Int(27)));
        assert_eq!(
            run("square", vec![Value::Double(1.5)]),
            Ok(Value::Double(2.25))
        );
        assert_eq!(
            run(
                "sum",
                vec![Value::Array(vec![Value::Int(1), Value::Int(2)])]
            ),
            Ok(Value::Int(3))
        );
        assert_eq!(run("sum", vec![Value::Array(vec![])]), Ok(Value::Int(0)));
    }

    #[test]
    fn arithmetic_errors_never_wrap() {
        assert_eq!(
            code(run("add", vec![Value::Int(i64::MAX), Value::Int(1)])),
            codes::INTEGER_OVERFLOW
        );
        assert_eq!(
            code(run("add", vec![Value::UInt(u64::MAX), Value::Int(1)])),
            codes::INTEGER_OVERFLOW
        );
        assert_eq!(
            code(run("cube", vec![Value::Int(1 << 22)])),
            codes::INTEGER_OVERFLOW
        );
        assert_eq!(
            code(run("div", vec![Value::Int(1), Value::Int(0)])),
            codes::DIVISION_BY_ZERO
        );
        assert_eq!(
            code(run("mul", vec![Value::Double(1e300), Value::Double(1e300)])),
            codes::NOT_FINITE
        );
        assert_eq!(
            code(run("add", vec![Value::String("x".into()), Value::Int(1)])),
            codes::INVALID_PARAMS
        );
        assert_eq!(code(run("add", vec![Value::Int(1)])), codes::INVALID_PARAMS);
        assert_eq!(
            code(run("sleep", vec![Value::Double(1e9)])),
            codes::INVALID_PARAMS
        );
        assert_eq!(
            code(run("sleep", vec![Value::Int(-1)])),
            codes::INVALID_PARAMS
        );
        assert_eq!(code(run("nope", vec![])), codes::METHOD_NOT_FOUND);
    }

    #[test]
    fn named_params_bind_by_name() {
        let service = Service::new(Duration::from_secs(1));
        let named = |pairs: &[(&str, i64)]| {
            Params::Named(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::Int(*v)))
                    .collect(),
            )
        };
        let add = service.method("sub").unwrap();
        assert_eq!(
            bind(add, &named(&[("b", 1), ("a", 5)])).unwrap(),
            vec![Value::Int(5), Value::Int(1)]
        );
        assert!(bind(add, &named(&[("a", 1)])).is_err());
        assert!(bind(add, &named(&[("a", 1), ("b", 1), ("c", 1)])).is_err());
    }

    #[test]
    fn signatures_cover_ints_and_doubles() {
        let service = Service::new(Duration::from_secs(1));
        assert_eq!(
            service.method("add").unwrap().signatures(),
            vec![
                vec!["int", "int", "int"],
                vec!["double", "double", "double"]
            ]
        );
        assert_eq!(
            service.method("info").unwrap().signatures(),
            vec![vec!["string"]]
        );
    }
}
