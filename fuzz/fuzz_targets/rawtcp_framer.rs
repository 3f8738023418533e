//! The raw-tcp framer fed in uneven chunks, each frame decoded as a request and as an answer:
//! never a panic, and no frame longer than the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rpc::protocol::rawtcp::{decode_answer, decode_request, Framer};
use rpc::protocol::Limits;

const MAX: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&step, stream)) = data.split_first() else {
        return;
    };
    let step = usize::from(step % 64) + 1;
    let mut framer = Framer::new(MAX);
    for chunk in stream.chunks(step) {
        framer.push(chunk);
        loop {
            match framer.next_frame() {
                Ok(Some(frame)) => check(&frame),
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    if let Ok(Some(frame)) = framer.finish() {
        check(&frame);
    }
});

fn check(frame: &[u8]) {
    assert!(frame.len() <= MAX);
    let _ = decode_request(frame, Limits::with_depth(64));
    let _ = decode_answer(frame);
}
