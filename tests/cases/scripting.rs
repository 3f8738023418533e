//! docs/scripting.md is true: every `$` line of its ```console blocks runs (with `sh`, `rpc` on
//! PATH, against `rpc serve` on a free port that replaces 8000) and prints exactly the lines shown.

use super::support::{path_with_rpc, Serve};
use std::process::Command;

/// One example: the command after `$ ` and the stdout lines shown under it.
struct Example {
    command: String,
    expected: String,
}

/// The examples of every ```console block, in order.
fn examples(markdown: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut in_console = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        match line.strip_prefix("$ ") {
            Some(command) => examples.push(Example {
                command: command.to_owned(),
                expected: String::new(),
            }),
            None => {
                let example = examples
                    .last_mut()
                    .unwrap_or_else(|| panic!("output before any $ line: {line:?}"));
                example.expected.push_str(line);
                example.expected.push('\n');
            }
        }
    }
    examples
}

#[test]
fn every_scripting_example_prints_what_the_page_shows() {
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scripting.md"),
    )
    .unwrap();
    let examples = examples(&page);
    assert!(examples.len() >= 25, "found {} examples", examples.len());
    let server = Serve::new().start();
    let port = server.port.to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = path_with_rpc();
    for example in examples {
        let command = example.command.replace("8000", &port);
        let out = Command::new("sh")
            .args(["-c", &command])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env_remove("NO_COLOR")
            .env_remove("REACH_RPC_KEY")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            stdout.trim_end(),
            example.expected.replace("8000", &port).trim_end(),
            "docs/scripting.md: $ {}\nstderr: {}",
            example.command,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
