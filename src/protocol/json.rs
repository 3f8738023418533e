//! JSON parsing with a nesting bound, shared by the JSON-based protocols.
//!
//! serde_json already stops at 128 levels; this bound is lower, named and configurable, and it is
//! checked on the raw bytes before any value is built, so a deep document costs one linear scan.

/// Why a JSON document was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    #[error("{0}")]
    Syntax(String),
    #[error("JSON nested deeper than {0} levels")]
    TooDeep(usize),
}

/// Parses `bytes` as one JSON document nested at most `max_depth` levels.
pub fn parse(bytes: &[u8], max_depth: usize) -> Result<serde_json::Value, JsonError> {
    if nesting_exceeds(bytes, max_depth) {
        return Err(JsonError::TooDeep(max_depth));
    }
    serde_json::from_slice(bytes).map_err(|e| JsonError::Syntax(e.to_string()))
}

/// True when arrays/objects in `bytes` nest deeper than `max_depth`, brackets inside strings aside.
pub fn nesting_exceeds(bytes: &[u8], max_depth: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert!(!nesting_exceeds(br#"[[1]]"#, 2));
        assert!(nesting_exceeds(br#"[[[1]]]"#, 2));
        assert!(!nesting_exceeds(br#"["[[[[\"[[["]"#, 1));
    }

    #[test]
    fn deep_documents_are_refused_before_parsing() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(deep.as_bytes(), 64), Err(JsonError::TooDeep(64)));
    }
}
