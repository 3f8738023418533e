//! Reach: a request body (the arguments), a `/kont` body, and an interactive answer (Kont/Done).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpc::protocol::reach::{decode_args, decode_error_body, decode_kont_args, decode_step};
use rpc::protocol::Limits;

fuzz_target!(|data: &[u8]| {
    if let Ok(args) = decode_args(data, Limits::with_depth(64)) {
        let _ = decode_kont_args(&args);
    }
    let _ = decode_error_body(data);
    if let Ok(answer) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = decode_step(&answer);
    }
});
