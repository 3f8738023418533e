pub mod support;

mod docs;
mod exit_codes;
mod hostile;
mod jsonrpc_call;
mod jsonrpc_interop;
mod jsonrpc_serve;
mod rawtcp;
mod rawtcp_interop;
mod reach;
mod repl;
mod repl_pty;
mod replay;
mod xmlrpc;
mod xmlrpc_interop;
