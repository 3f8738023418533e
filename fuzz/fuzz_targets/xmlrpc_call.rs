//! An XML-RPC methodCall, as `rpc serve` decodes it; what decodes encodes again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpc::protocol::xmlrpc::{decode_call, encode_call};
use rpc::protocol::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_depth: 64,
        max_batch: 100,
        max_bytes: 1 << 20,
    };
    if let Ok(call) = decode_call(data, limits) {
        let _ = encode_call(&call);
    }
});
