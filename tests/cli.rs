//! End-to-end tests: the real `rpc` binary against itself and against real peers (Python, npm,
//! xmlrpc-c). Peers are installed by `scripts/install-peers`; a missing peer fails, never skips.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cases;
