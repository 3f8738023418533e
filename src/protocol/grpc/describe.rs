//! What `rpc describe` shows of a gRPC method: its signature, its messages as `.proto` text
//! (with the messages and enums they use, nested ones inside their parent), and a runnable
//! `rpc call` line.

use prost_reflect::{
    Cardinality, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor, Syntax,
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
    let mut written_oneofs: Vec<String> = Vec::new();
    for field in message.fields() {
        match field.containing_oneof().filter(|o| !o.is_synthetic()) {
            Some(oneof) if !written_oneofs.contains(&oneof.name().to_owned()) => {
                written_oneofs.push(oneof.name().to_owned());
                out.push_str(&format!("{indent}  oneof {} {{\n", oneof.name()));
                for member in oneof.fields() {
                    out.push_str(&format!("{indent}    {}\n", field_line(&member)));
                }
                out.push_str(&format!("{indent}  }}\n"));
            }
            Some(_) => {}
            None => out.push_str(&format!("{indent}  {}\n", field_line(&field))),
        }
    }
    out.push_str(&format!("{indent}}}\n"));
}

/// `optional int32 nights = 2 [default = 1];`, the label as the file's syntax writes it.
fn field_line(field: &FieldDescriptor) -> String {
    let default = field
        .field_descriptor_proto()
        .default_value
        .as_deref()
        .map(|text| format!(" [default = {}]", default_text(field, text)))
        .unwrap_or_default();
    format!(
        "{}{} {} = {}{default};",
        label(field),
        field_type(field),
        field.name(),
        field.number()
    )
}

/// `required `, `optional `, `repeated ` or nothing, as written: proto2 names every label but a
/// map's and a oneof member's; proto3 only `repeated` and an explicit `optional`.
fn label(field: &FieldDescriptor) -> &'static str {
    if field.is_map() || field.containing_oneof().is_some_and(|o| !o.is_synthetic()) {
        return "";
    }
    let proto2 = field.parent_file().syntax() == Syntax::Proto2;
    let explicit_optional = field.field_descriptor_proto().proto3_optional();
    match field.cardinality() {
        Cardinality::Repeated => "repeated ",
        Cardinality::Required => "required ",
        Cardinality::Optional if proto2 || explicit_optional => "optional ",
        Cardinality::Optional => "",
    }
}

/// A default as `.proto` text: strings and bytes quoted (the descriptor keeps bytes C-escaped
/// already), the rest as the descriptor has it.
fn default_text(field: &FieldDescriptor, text: &str) -> String {
    match field.kind() {
        Kind::String => format!("{text:?}"),
        Kind::Bytes => format!("\"{text}\""),
        _ => text.to_owned(),
    }
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

/// `string`, `map<string, Route>`, `Stay`… (the label is [`label`]'s), a type named as the
/// file would: relative to the message and package the field is in.
fn field_type(field: &FieldDescriptor) -> String {
    let scope = field.parent_message().full_name();
    if field.is_map() {
        if let Kind::Message(entry) = field.kind() {
            return format!(
                "map<{}, {}>",
                relative(&kind_name(&entry.map_entry_key_field().kind()), scope),
                relative(&kind_name(&entry.map_entry_value_field().kind()), scope)
            );
        }
    }
    relative(&kind_name(&field.kind()), scope)
}

/// `name` as seen from inside `scope` (a message's full name): the shortest suffix that its
/// scope or an enclosing one (up to the package) qualifies.
fn relative(name: &str, scope: &str) -> String {
    let mut scope = scope;
    loop {
        if let Some(rest) = name.strip_prefix(scope).and_then(|r| r.strip_prefix('.')) {
            return rest.to_owned();
        }
        match scope.rsplit_once('.') {
            Some((outer, _)) => scope = outer,
            None => return name.to_owned(),
        }
    }
}

/// The `.proto` name of a field's type: `int64`, `pkg.Msg`…
pub fn kind_name(kind: &Kind) -> String {
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
/// of the field's type, one member of each oneof, every `required` field (at any depth); a
/// well-known type whose JSON is not an object is given as its one word; a client stream gives
/// its messages with `-d`.
pub fn example(endpoint: &str, method: &MethodDescriptor) -> String {
    let name = super::schema::method_name(method);
    let input = method.input();
    if method.is_client_streaming() {
        let document = example_message(&input, 0).to_string();
        return format!("echo '{document}' | rpc call {endpoint} {name} -d @-");
    }
    let words: Vec<String> = match example_message(&input, 0) {
        Json::Object(fields) => fields
            .iter()
            .map(|(json_name, value)| {
                let field = input.get_field_by_json_name(json_name);
                let field_name = field.as_ref().map_or(json_name.as_str(), |f| f.name());
                format!("{field_name}:={}", example_word(value))
            })
            .collect(),
        bare => vec![example_word(&bare)],
    };
    format!("rpc call {endpoint} {name} {}", words.join(" "))
        .trim_end()
        .to_owned()
}

/// A JSON value as one shell word of `rpc call`: text and numbers as they are, the rest quoted.
fn example_word(json: &Json) -> String {
    match json {
        Json::String(text) if !text.is_empty() && !text.contains(char::is_whitespace) => {
            text.clone()
        }
        Json::Number(_) | Json::Bool(_) => json.to_string(),
        other => format!("'{other}'"),
    }
}

/// How deep an example follows messages inside messages (only `required` ones are followed).
const EXAMPLE_DEPTH: usize = 4;

/// An example of a message as proto3 JSON: every field at the top (one member of each oneof),
/// only the `required` ones inside.
fn example_message(message: &MessageDescriptor, depth: usize) -> Json {
    if let Some(json) = well_known_example(message.full_name()) {
        return json;
    }
    let mut fields = serde_json::Map::new();
    let mut oneofs: Vec<String> = Vec::new();
    for field in message.fields() {
        if depth > 0 && field.cardinality() != Cardinality::Required {
            continue;
        }
        if let Some(oneof) = field.containing_oneof().filter(|o| !o.is_synthetic()) {
            if oneofs.contains(&oneof.name().to_owned()) {
                continue;
            }
            oneofs.push(oneof.name().to_owned());
        }
        if depth < EXAMPLE_DEPTH {
            fields.insert(field.json_name().to_owned(), example_value(&field, depth));
        }
    }
    Json::Object(fields)
}

/// The JSON of a well-known type whose form is not an object of its fields.
fn well_known_example(name: &str) -> Option<Json> {
    Some(match name.strip_prefix("google.protobuf.")? {
        "Timestamp" => json!("2026-01-01T00:00:00Z"),
        "Duration" => json!("1.5s"),
        "FieldMask" => json!("name"),
        "Struct" | "Empty" => json!({}),
        "ListValue" => json!([]),
        "Value" | "Int32Value" | "Int64Value" | "UInt32Value" | "UInt64Value" => json!(1),
        "DoubleValue" | "FloatValue" => json!(1.5),
        "BoolValue" => json!(false),
        "StringValue" => json!("text"),
        "BytesValue" => json!("aGk="),
        "Any" => json!({"@type": "type.googleapis.com/google.protobuf.Empty", "value": {}}),
        _ => return None,
    })
}

fn example_value(field: &FieldDescriptor, depth: usize) -> Json {
    if field.is_map() {
        return json!({});
    }
    if field.is_list() {
        return json!([]);
    }
    match field.kind() {
        Kind::String => json!("text"),
        Kind::Bytes => json!("aGk="),
        Kind::Bool => json!(false),
        Kind::Double | Kind::Float => json!(1.5),
        Kind::Message(m) => example_message(&m, depth + 1),
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
