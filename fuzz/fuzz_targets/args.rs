//! The command-line ARG parser (`rpc call URL METHOD ARG… + METHOD …`), words split at NUL bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let words: Vec<String> = text.split('\0').map(str::to_owned).collect();
    let _ = rpc::args::parse_calls(&words);
});
