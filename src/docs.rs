//! Shell completions and the man page, rendered from the one CLI definition ([`Cli::command`]).
//! The rendered files are committed (completions/, docs/rpc.1); a test fails when they are stale,
//! and `RPC_REGENERATE=1 cargo test regenerate` rewrites them.

use crate::cli::Cli;
use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::roff::{bold, roman, Roff};

/// Every shell we ship completions for, with the file each is committed as.
pub const COMPLETION_FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "completions/rpc.bash"),
    (Shell::Zsh, "completions/_rpc"),
    (Shell::Fish, "completions/rpc.fish"),
    (Shell::PowerShell, "completions/_rpc.ps1"),
    (Shell::Elvish, "completions/rpc.elv"),
];

/// Where the man page is committed.
pub const MAN_PAGE_FILE: &str = "docs/rpc.1";

const EXIT_CODES: &[(&str, &str)] = &[
    ("0", "success"),
    ("1", "the server answered with an error: JSON-RPC error object, XML-RPC fault, Reach/HTTP error status, raw-tcp error object"),
    ("2", "usage error: bad flags or arguments"),
    ("3", "transport failure: connection refused, DNS, timeout, TLS failure"),
    ("4", "the answer is not valid for the protocol: unparseable, wrong shape"),
    ("5", "a local failure: a file rpc cannot write, a port rpc serve cannot listen on, an internal error"),
];

const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "NO_COLOR",
        "when set and not empty, no colour unless --color always",
    ),
    (
        "REACH_RPC_KEY",
        "the Reach API key (--api-key); for rpc serve, the key Reach clients must send",
    ),
    (
        "REACH_RPC_SERVER, REACH_RPC_PORT",
        "the Reach endpoint (https) when -P reach is given no ENDPOINT",
    ),
    (
        "REACH_RPC_TIMEOUT",
        "seconds, as the Reach clients read it: the timeout of -P reach calls when -t is not given",
    ),
    (
        "REACH_RPC_TLS_REJECT_UNVERIFIED",
        "0 turns TLS verification off, as -k does (with a warning)",
    ),
];

/// The completion script for one shell.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rpc", &mut out);
    out
}

/// The man page, rpc(1): the top-level page, every subcommand's options, exit status, environment.
pub fn man_page() -> Vec<u8> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    out.extend(subcommand_details(&command).render().into_bytes());
    out.extend(
        table_section("EXIT STATUS", EXIT_CODES)
            .render()
            .into_bytes(),
    );
    out.extend(
        table_section("ENVIRONMENT", ENVIRONMENT)
            .render()
            .into_bytes(),
    );
    let _ = man.render_version_section(&mut out);
    out
}

fn subcommand_details(command: &clap::Command) -> Roff {
    let mut roff = Roff::new();
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("rpc {}", sub.get_name());
        roff.control("SH", [name.to_uppercase().as_str()]);
        if let Some(about) = sub.get_about() {
            roff.text([roman(about.to_string())]);
        }
        let mut usage = sub.clone().bin_name(&name);
        roff.control("PP", []).text([bold(
            usage.render_usage().to_string().replace("Usage: ", ""),
        )]);
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            roff.control("TP", []).text([bold(arg_label(arg))]);
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            roff.text([roman(help)]);
        }
        if let Some(after) = sub.get_after_help() {
            roff.control("PP", [])
                .control("nf", [])
                .text([roman(after.to_string())])
                .control("fi", []);
        }
    }
    roff
}

fn arg_label(arg: &clap::Arg) -> String {
    let value = arg
        .get_value_names()
        .and_then(|names| names.first())
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    let takes_value = arg.get_action().takes_values();
    let value = if takes_value { value } else { String::new() };
    match (arg.get_short(), arg.get_long()) {
        (Some(s), Some(l)) => format!("-{s}, --{l}{value}"),
        (None, Some(l)) => format!("--{l}{value}"),
        (Some(s), None) => format!("-{s}{value}"),
        (None, None) => arg.get_id().to_string().to_uppercase(),
    }
}

fn table_section(title: &str, rows: &[(&str, &str)]) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", [title]);
    for (key, text) in rows {
        roff.control("TP", [])
            .text([bold(*key)])
            .text([roman(*text)]);
    }
    roff
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn committed(path: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    fn generated() -> Vec<(&'static str, Vec<u8>)> {
        COMPLETION_FILES
            .iter()
            .map(|(shell, path)| (*path, completion(*shell)))
            .chain(std::iter::once((MAN_PAGE_FILE, man_page())))
            .collect()
    }

    /// Fails when a committed completion script or the man page differs from fresh output.
    #[test]
    fn committed_completions_and_man_page_are_fresh() {
        if std::env::var_os("RPC_REGENERATE").is_some() {
            for (path, bytes) in generated() {
                let file = committed(path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, bytes).unwrap();
            }
        }
        for (path, bytes) in generated() {
            let on_disk = std::fs::read(committed(path)).unwrap_or_default();
            assert!(
                on_disk == bytes,
                "{path} is stale: run `RPC_REGENERATE=1 cargo test committed_completions` and commit it"
            );
        }
    }

    #[test]
    fn completions_know_protocols_and_subcommands() {
        let bash = String::from_utf8(completion(Shell::Bash)).unwrap();
        for word in [
            "json-rpc",
            "xml-rpc",
            "reach",
            "raw-tcp",
            "call",
            "serve",
            "completions",
        ] {
            assert!(bash.contains(word), "{word}");
        }
    }

    #[test]
    fn man_page_has_exit_status_and_environment() {
        let page = String::from_utf8(man_page()).unwrap();
        for section in [
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH \"RPC CALL\"",
            "REACH_RPC_KEY",
        ] {
            assert!(page.contains(section), "{section} in the man page");
        }
    }
}
