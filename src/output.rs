//! Printing results on stdout: pretty on a terminal, one compact line when piped, colour on request.

use colored::Colorize;
use serde_json::Value as Json;

/// How results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub pretty: bool,
    pub color: bool,
    /// Print a string result without quotes.
    pub raw: bool,
}

/// Renders one result as the text to print (no trailing newline).
pub fn render(value: &Json, style: Style) -> String {
    if style.raw {
        if let Json::String(s) = value {
            return s.clone();
        }
    }
    let mut out = String::new();
    write_value(&mut out, value, style, 0);
    out
}

fn write_value(out: &mut String, value: &Json, style: Style, depth: usize) {
    match value {
        Json::Array(items) if !items.is_empty() => write_container(
            out,
            style,
            depth,
            ('[', ']'),
            items.iter().map(|v| (None, v)),
        ),
        Json::Object(map) if !map.is_empty() => write_container(
            out,
            style,
            depth,
            ('{', '}'),
            map.iter().map(|(k, v)| (Some(k), v)),
        ),
        scalar => out.push_str(&paint_scalar(scalar, style.color)),
    }
}

fn write_container<'a>(
    out: &mut String,
    style: Style,
    depth: usize,
    (open, close): (char, char),
    entries: impl Iterator<Item = (Option<&'a String>, &'a Json)>,
) {
    out.push(open);
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline_indent(out, style, depth + 1);
        if let Some(key) = key {
            let quoted = Json::String(key.clone()).to_string();
            out.push_str(&if style.color {
                quoted.blue().bold().to_string()
            } else {
                quoted
            });
            out.push_str(if style.pretty { ": " } else { ":" });
        }
        write_value(out, value, style, depth + 1);
    }
    newline_indent(out, style, depth);
    out.push(close);
}

fn newline_indent(out: &mut String, style: Style, depth: usize) {
    if style.pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    }
}

fn paint_scalar(value: &Json, color: bool) -> String {
    let text = value.to_string();
    if !color {
        return text;
    }
    match value {
        Json::String(_) => text.green().to_string(),
        Json::Number(_) => text.cyan().to_string(),
        Json::Bool(_) => text.yellow().to_string(),
        Json::Null => text.dimmed().to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PLAIN: Style = Style {
        pretty: false,
        color: false,
        raw: false,
    };

    #[test]
    fn compact_is_serde_compact() {
        let doc = json!({"a": [1, 2.0, "x"], "b": {}, "c": []});
        assert_eq!(render(&doc, PLAIN), doc.to_string());
    }

    #[test]
    fn pretty_matches_serde_pretty() {
        let doc = json!({"a": [1, {"b": null}], "e": []});
        let style = Style {
            pretty: true,
            ..PLAIN
        };
        assert_eq!(
            render(&doc, style),
            serde_json::to_string_pretty(&doc).unwrap()
        );
    }

    #[test]
    fn raw_strings_lose_quotes_only() {
        let style = Style { raw: true, ..PLAIN };
        assert_eq!(render(&json!("a\"b"), style), "a\"b");
        assert_eq!(render(&json!([1]), style), "[1]");
    }
}
