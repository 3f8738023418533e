//! `rpc completions SHELL` prints exactly the committed scripts; help texts teach.

use super::support::rpc;
use predicates::prelude::*;

#[test]
fn completions_print_the_committed_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in [
        ("bash", "completions/rpc.bash"),
        ("zsh", "completions/_rpc"),
        ("fish", "completions/rpc.fish"),
        ("powershell", "completions/_rpc.ps1"),
        ("elvish", "completions/rpc.elv"),
    ] {
        let committed = std::fs::read(root.join(file)).unwrap();
        rpc()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(committed);
    }
    rpc().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn bash_completion_completes_protocol_names() {
    let script = root_file("completions/rpc.bash");
    assert!(
        script.contains("json-rpc xml-rpc reach raw-tcp"),
        "protocol names offered"
    );
}

fn root_file(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn every_subcommand_help_shows_examples() {
    for sub in ["call", "serve", "list", "describe", "completions"] {
        rpc()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example").or(predicate::str::contains("Install:")));
    }
}
