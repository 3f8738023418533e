mod repl;
mod repl_pty;
mod replay;
pub mod support;
