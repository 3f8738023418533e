//! An XML-RPC methodResponse, as `rpc call` decodes it; a decoded answer encodes again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpc::protocol::xmlrpc::{decode_response, encode_response};
use rpc::protocol::Limits;

fuzz_target!(|data: &[u8]| {
    if let Ok(outcome) = decode_response(data, Limits::CLIENT) {
        let _ = encode_response(&outcome);
    }
});
