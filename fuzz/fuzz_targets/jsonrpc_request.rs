//! A JSON-RPC request body, as `rpc serve` decodes it: never a panic, and the batch limit holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpc::protocol::jsonrpc::{decode_request, Request};
use rpc::protocol::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_depth: 64,
        max_batch: 100,
        max_bytes: usize::MAX,
    };
    if let Request::Batch(entries) = decode_request(data, limits) {
        assert!(!entries.is_empty() && entries.len() <= limits.max_batch);
    }
});
