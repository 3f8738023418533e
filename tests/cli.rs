//! End-to-end tests: the real `rpc` binary against itself and against real peers (Python, npm,
//! xmlrpc-c). Peers are installed by `scripts/install-peers`; a missing peer fails, never skips.

mod cases;
