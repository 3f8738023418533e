pub mod support;

mod client_safety;
mod docs;
mod exit_codes;
mod hostile;
mod jsonrpc_call;
mod jsonrpc_interop;
mod jsonrpc_serve;
mod load;
mod rawtcp;
mod rawtcp_interop;
mod reach;
mod repl;
mod repl_pty;
mod replay;
mod xmlrpc;
mod xmlrpc_interop;
