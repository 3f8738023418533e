//! Splitting a REPL line into the words `rpc call` would get from a shell.
//!
//! There is no shell in front of the REPL, so this does the little of its job that RPC needs, with
//! one twist so that JSON can be typed as it is written:
//!
//! - Whitespace separates words; `\` outside quotes keeps the next character as it is.
//! - `'…'` is taken literally without the quotes, as in a shell: `'{"a": 1}'` → `{"a": 1}`.
//! - `"…"` is a JSON string and is kept *with* its quotes, so `echo "two words"` sends the string
//!   `two words` and `echo "42"` the string `"42"`; JSON escapes such as `\n` work inside.
//! - `{…}` and `[…]` are kept verbatim up to the matching bracket, spaces and quotes included, so
//!   `echo {"a": [1, 2]}` sends that object. An unmatched bracket is an ordinary character.
//!
//! Each word then follows the ARG rules of `rpc call` (JSON when it is valid JSON, else a string).

use crate::error::{Error, Result};

/// Splits one line into words.
pub fn split_words(line: &str) -> Result<Vec<String>> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            words.extend(word.take());
            i += 1;
            continue;
        }
        let current = word.get_or_insert_with(String::new);
        i = match c {
            '\\' => {
                // A trailing backslash stands for itself.
                current.push(chars.get(i + 1).copied().unwrap_or('\\'));
                i + 2
            }
            '\'' => {
                let end = find_char(&chars, i + 1, '\'').ok_or_else(|| unterminated('\''))?;
                current.extend(&chars[i + 1..end]);
                end + 1
            }
            '"' => {
                let end = json_string_end(&chars, i).ok_or_else(|| unterminated('"'))?;
                current.extend(&chars[i..end]);
                end
            }
            '{' | '[' => match bracket_end(&chars, i) {
                Some(end) => {
                    current.extend(&chars[i..end]);
                    end
                }
                None => {
                    current.push(c);
                    i + 1
                }
            },
            _ => {
                current.push(c);
                i + 1
            }
        };
    }
    words.extend(word);
    Ok(words)
}

fn unterminated(quote: char) -> Error {
    Error::usage(format!(
        "unterminated {quote} quote (close it, or escape it with \\{quote})"
    ))
}

fn find_char(chars: &[char], from: usize, wanted: char) -> Option<usize> {
    chars[from..]
        .iter()
        .position(|&c| c == wanted)
        .map(|p| from + p)
}

/// The index just past the JSON string starting at `start` (a `"`), honouring `\"` escapes.
fn json_string_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The index just past the bracket that closes the one at `start`, skipping JSON strings, or
/// `None` when the line ends first.
fn bracket_end(chars: &[char], start: usize) -> Option<usize> {
    let mut open = Vec::new();
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                i = json_string_end(chars, i)?;
                continue;
            }
            c @ ('{' | '[') => open.push(c),
            c @ ('}' | ']') => {
                let expected = if c == '}' { '{' } else { '[' };
                if open.pop() != Some(expected) {
                    return None;
                }
                if open.is_empty() {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Vec<String> {
        split_words(line).unwrap()
    }

    #[test]
    fn whitespace_separates_words() {
        assert_eq!(split("  add 2\t3 "), ["add", "2", "3"]);
        assert!(split("   ").is_empty());
    }

    #[test]
    fn json_is_kept_as_typed() {
        assert_eq!(split(r#"echo {"a":[1,2]}"#), ["echo", r#"{"a":[1,2]}"#]);
        assert_eq!(
            split(r#"echo {"a": [1, 2], "b": "} ]"}"#),
            ["echo", r#"{"a": [1, 2], "b": "} ]"}"#]
        );
        assert_eq!(split("sum [1, 2, 3]"), ["sum", "[1, 2, 3]"]);
        assert_eq!(split(r#"echo "two words""#), ["echo", r#""two words""#]);
        assert_eq!(split(r#"echo "say \"hi\"""#), ["echo", r#""say \"hi\"""#]);
        assert_eq!(split(r#"f a:={"x": 1}"#), ["f", r#"a:={"x": 1}"#]);
    }

    #[test]
    fn single_quotes_and_backslashes_are_shell_like() {
        assert_eq!(split(r#"echo '{"a": 1}'"#), ["echo", r#"{"a": 1}"#]);
        assert_eq!(split(r"echo two\ words"), ["echo", "two words"]);
        assert_eq!(split(r"echo it\'s"), ["echo", "it's"]);
    }

    #[test]
    fn unmatched_brackets_are_plain_characters() {
        assert_eq!(split("echo [1, 2"), ["echo", "[1,", "2"]);
        assert_eq!(split("echo {]"), ["echo", "{]"]);
    }

    #[test]
    fn unterminated_quotes_are_errors() {
        assert!(split_words("echo \"abc").is_err());
        assert!(split_words("echo 'abc").is_err());
    }
}
