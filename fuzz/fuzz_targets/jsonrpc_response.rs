//! A JSON-RPC answer, as `rpc call` decodes it; the first byte picks how many answers are expected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpc::protocol::jsonrpc::decode_response;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let count = usize::from(first % 8) + 1;
    if let Ok(outcomes) = decode_response(body, count, first >= 128) {
        assert_eq!(outcomes.len(), count);
    }
});
