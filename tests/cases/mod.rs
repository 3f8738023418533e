mod reach;
pub mod support;

mod docs;
mod exit_codes;
mod jsonrpc_call;
mod jsonrpc_interop;
mod jsonrpc_serve;
mod xmlrpc;
mod xmlrpc_interop;
