//! What `rpc describe` shows of a gRPC method: its signature, its messages as `.proto` text
//! (with the messages and enums they use, nested ones inside their parent), and a runnable
//! `rpc call` line.

use prost_reflect::{
    Cardinality, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor,
};
use serde_json::{json, Value as Json};

/// `rpc GetRoute(Destination) returns (Route);`, with `stream` where the method streams.
pub fn signature(method: &MethodDescriptor) -> String {
    let stream = |yes: bool| if yes { "stream " } else { "" };
    format!(
        "rpc {}({}{}) returns ({}{});",
        method.name(),
        stream(method.is_client_streaming()),
        method.input().full_name(),
        stream(method.is_server_streaming()),
        method.output().full_name()
    )
}

/// The request and response messages and every message and enum they use, as `.proto` text.
/// Well-known types (`google.protobuf.*`) are named, not spelled out.
pub fn messages_text(method: &MethodDescriptor) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::new();
    for message in [method.input(), method.output()] {
        write_top_message(&message, &mut seen, &mut out);
    }
    out.trim_end().to_owned()
}

fn write_top_message(message: &MessageDescriptor, seen: &mut Vec<String>, out: &mut String) {
    // A nested message is written inside its parent.
    let top = outermost(message);
    if seen.contains(&top.full_name().to_owned()) || is_well_known(top.full_name()) {
        return;
    }
    seen.push(top.full_name().to_owned());
    write_message(&top, 0, out);
    out.push('\n');
    for used in used_messages(&top) {
        write_top_message(&used, seen, out);
    }
    for used in used_enums(&top) {
        if used.parent_message().is_none() && !seen.contains(&used.full_name().to_owned()) {
            seen.push(used.full_name().to_owned());
            write_enum(&used, 0, out);
            out.push('\n');
        }
    }
}

fn outermost(message: &MessageDescriptor) -> MessageDescriptor {
    let mut top = message.clone();
    while let Some(parent) = top.parent_message() {
        top = parent;
    }
    top
}

fn is_well_known(name: &str) -> bool {
    name.starts_with("google.protobuf.")
}

/// The messages the fields of `message` and of its nested messages refer to.
fn used_messages(message: &MessageDescriptor) -> Vec<MessageDescriptor> {
    let mut used = Vec::new();
    for field in message.fields() {
        if let Kind::Message(m) = field.kind() {
            if !m.is_map_entry() {
                used.push(m);
            } else if let Kind::Message(value) = m.map_entry_value_field().kind() {
                used.push(value);
            }
        }
    }
    for nested in message.child_messages() {
        used.extend(used_messages(&nested));
    }
    used
}

fn used_enums(message: &MessageDescriptor) -> Vec<EnumDescriptor> {
    let mut used: Vec<EnumDescriptor> = message
        .fields()
        .filter_map(|f| match f.kind() {
            Kind::Enum(e) => Some(e),
            _ => None,
        })
        .collect();
    for nested in message.child_messages() {
        used.extend(used_enums(&nested));
    }
    used
}

fn write_message(message: &MessageDescriptor, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    out.push_str(&format!("{indent}message {} {{\n", message.name()));
    for nested in message.child_messages().filter(|m| !m.is_map_entry()) {
        write_message(&nested, depth + 1, out);
    }
    for nested in message.child_enums() {
        write_enum(&nested, depth + 1, out);
    }
    for field in message.fields() {
        out.push_str(&format!(
            "{indent}  {} {} = {};\n",
            field_type(&field),
            field.name(),
            field.number()
        ));
    }
    out.push_str(&format!("{indent}}}\n"));
}

fn write_enum(descriptor: &EnumDescriptor, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    out.push_str(&format!("{indent}enum {} {{\n", descriptor.name()));
    for value in descriptor.values() {
        out.push_str(&format!(
            "{indent}  {} = {};\n",
            value.name(),
            value.number()
        ));
    }
    out.push_str(&format!("{indent}}}\n"));
}

/// `repeated string`, `map<string, Route>`, `optional int32`, `Route`…
fn field_type(field: &FieldDescriptor) -> String {
    if field.is_map() {
        if let Kind::Message(entry) = field.kind() {
            return format!(
                "map<{}, {}>",
                kind_name(&entry.map_entry_key_field().kind()),
                kind_name(&entry.map_entry_value_field().kind())
            );
        }
    }
    let label = match field.cardinality() {
        Cardinality::Repeated => "repeated ",
        _ if field.supports_presence()
            && field.containing_oneof().is_none()
            && !matches!(field.kind(), Kind::Message(_)) =>
        {
            "optional "
        }
        _ => "",
    };
    format!("{label}{}", kind_name(&field.kind()))
}

fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Message(m) => m.full_name().to_owned(),
        Kind::Enum(e) => e.full_name().to_owned(),
    }
}

/// A runnable example: `rpc call ENDPOINT Service/Method field:=value …`, each value a valid one
/// of the field's type; a client stream gives its messages with `-d`.
pub fn example(endpoint: &str, method: &MethodDescriptor) -> String {
    let name = super::schema::method_name(method);
    let input = method.input();
    if method.is_client_streaming() {
        let document = example_json(&input).to_string();
        return format!("echo '{document}' | rpc call {endpoint} {name} -d @-");
    }
    let words: Vec<String> = input
        .fields()
        .map(|field| format!("{}:={}", field.name(), example_word(&field)))
        .collect();
    format!("rpc call {endpoint} {name} {}", words.join(" "))
        .trim_end()
        .to_owned()
}

fn example_word(field: &FieldDescriptor) -> String {
    let json = example_value(field);
    match json {
        Json::String(text) if !field.is_list() && !field.is_map() => text,
        Json::Number(_) | Json::Bool(_) => json.to_string(),
        other => format!("'{other}'"),
    }
}

fn example_json(message: &MessageDescriptor) -> Json {
    Json::Object(
        message
            .fields()
            .map(|f| (f.json_name().to_owned(), example_value(&f)))
            .collect(),
    )
}

fn example_value(field: &FieldDescriptor) -> Json {
    if field.is_map() {
        return json!({});
    }
    if field.is_list() {
        return json!([]);
    }
    match field.kind() {
        Kind::String => json!("text"),
        Kind::Bytes => json!(""),
        Kind::Bool => json!(false),
        Kind::Double | Kind::Float => json!(1.5),
        Kind::Message(_) => json!({}),
        Kind::Enum(e) => e.values().next().map_or(json!(0), |v| json!(v.name())),
        _ => json!(1),
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::Schema;
    use super::*;

    #[test]
    fn a_method_reads_as_proto_with_a_runnable_example() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("routetable.proto");
        std::fs::write(&path, include_str!("../../server/grpc/routetable.proto")).unwrap();
        let mut schema = Schema::builtin().unwrap();
        schema.add_file(&path, &[]).unwrap();
        let get = schema.method("GetRoute").unwrap();
        assert_eq!(
            signature(&get),
            "rpc GetRoute(Destination) returns (Route);"
        );
        let text = messages_text(&get);
        assert!(
            text.starts_with("message Destination {\n  string network = 1;"),
            "{text}"
        );
        assert!(
            text.contains("message Route {") && text.contains("  int32 metric = 4;"),
            "{text}"
        );
        assert_eq!(
            example(":8000", &get),
            "rpc call :8000 Router/GetRoute network:=text mask:=text"
        );
        let add = schema.method("AddRoutes").unwrap();
        assert!(signature(&add).contains("(stream Route) returns (Result)"));
        assert!(example(":8000", &add).contains("| rpc call :8000 Router/AddRoutes -d @-"));
    }
}
