pub mod support;
mod xmlrpc;
mod xmlrpc_interop;
