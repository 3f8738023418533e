//! The README's promises: its first commands are the demo and the suite, and every line of its
//! protocol table and of its "the line it replaces" table works against `rpc serve`.

use super::support::{path_with_rpc, peers_dir, Serve};
use std::process::Command;

fn readme() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap()
}

/// The commands of the README's first code block, comments left out.
#[test]
fn the_first_commands_run_the_demo_then_the_suite() {
    let text = readme();
    let block = text
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let commands: Vec<&str> = block
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(
        commands,
        ["cargo run --locked -- demo", "bash scripts/test"]
    );
}

/// The code spans of the table rows in the section under `heading`, per row.
fn table_rows(text: &str, heading: &str) -> Vec<Vec<String>> {
    let section = text
        .split(heading)
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_else(|| panic!("no section {heading:?}"));
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|row| {
            row.replace(r"\|", "\u{1}")
                .split('|')
                .filter_map(|cell| {
                    let cell = cell.trim();
                    let start = cell.find('`')?;
                    let end = cell[start + 1..].find('`')? + start + 1;
                    Some(cell[start + 1..end].replace('\u{1}', "|"))
                })
                .collect()
        })
        .collect()
}

/// Runs a README line with `sh`, `rpc` on PATH, port 8000 replaced; returns its stdout.
fn run(line: &str, port: u16) -> String {
    let line = line.replace("8000", &port.to_string());
    let out = Command::new("sh")
        .args(["-c", &line])
        .env(
            "PATH",
            format!(
                "{}:{}",
                path_with_rpc(),
                peers_dir().join("venv/bin").display()
            ),
        )
        .env("LC_ALL", "C")
        .env_remove("REACH_RPC_KEY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn protocol_table_examples_print_5() {
    let server = Serve::new().start();
    let rows = table_rows(&readme(), "## The five protocols");
    assert_eq!(rows.len(), 5);
    for row in rows {
        let example = row.last().unwrap();
        assert_eq!(run(example, server.port), "5\n", "{example}");
    }
}

#[test]
fn each_rpc_line_and_the_line_it_replaces_get_the_same_answer() {
    let server = Serve::new().api_key("KEY").start();
    let rows = table_rows(&readme(), "## `rpc` and the line it replaces");
    assert_eq!(rows.len(), 5);
    for row in rows {
        let [with_rpc, without] = &row[..] else {
            panic!("two code spans per row: {row:?}");
        };
        assert_eq!(run(with_rpc, server.port), "5\n", "{with_rpc}");
        let answer = run(without, server.port);
        // grpcurl prints an int64 as proto3 JSON does, a string.
        let five = answer.trim() == "5"
            || answer.trim() == "\"5\""
            || answer.contains("\"result\":5,")
            || answer.contains("Integer: 5");
        assert!(five, "{without} answered {answer:?}");
    }
}
