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
    /// serde_json would silently turn such an integer into an approximate float.
    #[error("integer {0} is out of the 64-bit range")]
    IntegerOutOfRange(String),
}

/// Parses `bytes` as one JSON document nested at most `max_depth` levels.
pub fn parse(bytes: &[u8], max_depth: usize) -> Result<serde_json::Value, JsonError> {
    let bytes = super::strip_bom(bytes);
    let scan = scan(bytes, max_depth);
    if scan.too_deep {
        return Err(JsonError::TooDeep(max_depth));
    }
    let doc = serde_json::from_slice(bytes).map_err(|e| JsonError::Syntax(e.to_string()))?;
    match scan
        .may_hold_oversized_integer
        .then(|| oversized_integer(bytes))
    {
        Some(Some(literal)) => Err(JsonError::IntegerOutOfRange(literal)),
        _ => Ok(doc),
    }
}

/// True when `bytes` would pass the checks `parse` makes besides parsing: not too deep, and no
/// integer literal beyond 64 bits.
pub fn passes_byte_checks(bytes: &[u8], max_depth: usize) -> bool {
    let scan = scan(bytes, max_depth);
    let oversized = scan.may_hold_oversized_integer && oversized_integer(bytes).is_some();
    !scan.too_deep && !oversized
}

/// What one pass over a JSON text's bytes outside strings tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Arrays/objects nest deeper than the bound.
    pub too_deep: bool,
    /// A run of digits long enough for an integer beyond 64 bits: only then is the exact (slower)
    /// `oversized_integer` scan worth running.
    pub may_hold_oversized_integer: bool,
}

/// The fewest digits an integer literal beyond 64 bits can have: i64::MIN's magnitude
/// (9223372036854775808) has 19, and anything shorter fits.
const SHORTEST_OVERSIZED_DIGITS: usize = 19;

/// Scans `bytes` once for both byte checks, so the common document (shallow, small numbers) costs
/// one pass instead of two; stops early once too deep, since that refuses the document anyway.
pub fn scan(bytes: &[u8], max_depth: usize) -> Scan {
    let mut result = Scan {
        too_deep: false,
        may_hold_oversized_integer: false,
    };
    let (mut depth, mut digit_run) = (0usize, 0usize);
    // A plain loop over the bytes, strings skipped in a tight inner loop: a third of the
    // instructions the `outside_strings` iterator chain costs per byte.
    let mut rest = bytes;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b.is_ascii_digit() {
            digit_run += 1;
            if digit_run >= SHORTEST_OVERSIZED_DIGITS {
                result.may_hold_oversized_integer = true;
            }
            continue;
        }
        digit_run = 0;
        match b {
            b'"' => rest = after_string(rest),
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    result.too_deep = true;
                    return result;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    result
}

/// What follows the closing quote of the string literal `bytes` starts inside (nothing, when the
/// string is not closed); a backslash escapes the byte after it.
fn after_string(bytes: &[u8]) -> &[u8] {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => return bytes.get(i + 1..).unwrap_or_default(),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    &[]
}

/// The first integer literal outside strings that fits neither i64 nor u64, if any. Run on a
/// document serde_json has accepted, so every number token there is well formed.
pub fn oversized_integer(bytes: &[u8]) -> Option<String> {
    let mut token: Option<usize> = None;
    for (i, b) in outside_strings(bytes) {
        let in_number = b == b'-' || b == b'+' || b == b'.' || b.is_ascii_alphanumeric();
        match (token, in_number) {
            (None, true) => token = Some(i),
            (Some(start), false) => {
                if let Some(big) = out_of_range(bytes.get(start..i)?) {
                    return Some(big);
                }
                token = None;
            }
            _ => {}
        }
    }
    out_of_range(bytes.get(token?..)?)
}

/// Where a byte of JSON text stands relative to string literals, fed one byte at a time: the one
/// rule (a `"` opens and closes a string, a backslash escapes the byte after it) that the scanner
/// below and the raw-tcp framer both follow. The framer keeps it across reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StringState {
    in_string: bool,
    escaped: bool,
}

impl StringState {
    /// Takes in the next byte; true when it stands outside every string literal (a string's
    /// quotes count as inside).
    pub fn outside(&mut self, b: u8) -> bool {
        if self.in_string {
            match (self.escaped, b) {
                (true, _) => self.escaped = false,
                (false, b'\\') => self.escaped = true,
                (false, b'"') => self.in_string = false,
                _ => {}
            }
            false
        } else if b == b'"' {
            self.in_string = true;
            false
        } else {
            true
        }
    }
}

/// The bytes of a JSON text that are not inside a string literal (the quotes left out too), with
/// their offsets: what the scanners here look at, so brackets and digits in strings never count.
fn outside_strings(bytes: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut strings = StringState::default();
    bytes
        .iter()
        .enumerate()
        .filter(move |(_, &b)| strings.outside(b))
        .map(|(i, &b)| (i, b))
}

/// The token as text when it is an integer literal beyond 64 bits.
fn out_of_range(token: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(token).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let fits = text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok();
    (integer && !fits).then(|| text.to_owned())
}

/// True when arrays/objects in `bytes` nest deeper than `max_depth`, brackets inside strings aside.
pub fn nesting_exceeds(bytes: &[u8], max_depth: usize) -> bool {
    scan(bytes, max_depth).too_deep
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
    fn integers_beyond_64_bits_are_refused_not_rounded() {
        let big = "1180591620717411303424";
        assert_eq!(
            parse(format!("[1, {big}]").as_bytes(), 8),
            Err(JsonError::IntegerOutOfRange(big.into()))
        );
        assert_eq!(
            parse(b"-9223372036854775809", 8),
            Err(JsonError::IntegerOutOfRange("-9223372036854775809".into()))
        );
        // Floats, u64, i64::MIN, and digits inside strings or keys are fine.
        for ok in [
            "[1.5e300, 18446744073709551615, -9223372036854775808]",
            r#"{"99999999999999999999999": "99999999999999999999999"}"#,
            r#"["a\"99999999999999999999999"]"#,
            "true",
        ] {
            assert!(parse(ok.as_bytes(), 8).is_ok(), "{ok}");
        }
    }

    #[test]
    fn one_scan_flags_long_digit_runs_outside_strings_only() {
        let long = "1234567890123456789";
        let flagged = |text: &str| scan(text.as_bytes(), 8).may_hold_oversized_integer;
        assert!(flagged(&format!("[{long}]")));
        assert!(flagged(&format!("[-{long}]")));
        assert!(!flagged(&format!("[\"{long}\", 123456789012345678]")));
        assert!(passes_byte_checks(format!("[{long}]").as_bytes(), 8));
        assert!(!passes_byte_checks(b"[99999999999999999999]", 8));
        assert!(!passes_byte_checks(b"[[[1]]]", 2));
    }

    #[test]
    fn deep_documents_are_refused_before_parsing() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(deep.as_bytes(), 64), Err(JsonError::TooDeep(64)));
    }
}
