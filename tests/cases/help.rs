//! Help that teaches: `rpc --help` and every subcommand's `--help`, as a new user would walk them,
//! and error messages that say what to do next.

use super::support::{closed_port, rpc, stderr_of, stdout_of, Serve};
use predicates::prelude::*;

fn help_text(args: &[&str]) -> String {
    let out = rpc().args(args).arg("--help").assert().success();
    stdout_of(&out)
}

/// The subcommands `rpc --help` lists, in its `Commands:` section.
fn listed_subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect()
}

#[test]
fn every_subcommand_help_teaches() {
    let top = help_text(&[]);
    let subs = listed_subcommands(&top);
    for expected in [
        "call",
        "serve",
        "list",
        "describe",
        "completions",
        "repl",
        "replay",
        "demo",
    ] {
        assert!(subs.iter().any(|s| s == expected), "{expected} in {subs:?}");
    }
    assert!(top.contains("Exit status"), "{top}");
    assert!(
        top.contains("rpc demo"),
        "the top help points at the demo: {top}"
    );
    for sub in &subs {
        let help = help_text(&[sub]);
        assert!(
            help.contains("Example") || help.contains("Install:"),
            "rpc {sub} --help shows examples:\n{help}"
        );
        // Every option carries its help: after the flag, or on the next line when clap wraps.
        let options: Vec<&str> = help
            .lines()
            .skip_while(|l| !l.starts_with("Options:"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        // An option's line starts within the first columns; a wrapped help line that happens
        // to begin with a flag's name (`--tls)`) is indented far deeper.
        let is_option = |line: &str| {
            let indent = line.len() - line.trim_start().len();
            indent <= 6 && line.trim_start().starts_with('-')
        };
        for (i, line) in options.iter().enumerate() {
            if !is_option(line) {
                continue;
            }
            let same_line = line.trim().split("  ").filter(|p| !p.is_empty()).count() >= 2;
            let next_line = options.get(i + 1).is_some_and(|next| !is_option(next));
            assert!(
                same_line || next_line,
                "rpc {sub} --help: {line:?} has no help text"
            );
        }
    }
}

#[test]
fn call_help_names_curl_and_the_demo_help_says_where_the_log_goes() {
    assert!(help_text(&["call"]).contains("--curl"));
    assert!(help_text(&["demo"]).contains("stdout"));
}

/// Each error a newcomer can hit names the problem and says what to do, on one stderr line.
#[test]
fn errors_say_what_to_do_next() {
    let server = Serve::new().start();
    let live = server.url();
    let dead = format!("127.0.0.1:{}", closed_port());
    let https_to_plain = format!("https://{}", server.addr);
    // `rpc serve` on the address the server above already holds.
    let busy = Serve::new().addr(&server.addr).argv();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["call", "-P", "soap", ":8000", "add"],
            2,
            "possible values: json-rpc, xml-rpc, reach, raw-tcp",
        ),
        (
            vec!["call", "ftp://host", "add"],
            2,
            "use http://, https://, ws://, wss://, tcp://, grpc://, grpcs://, unix:PATH or stdio:CMD",
        ),
        (
            vec!["call", ":notaport", "add"],
            2,
            "try :8000, HOST:PORT or a URL",
        ),
        (
            vec!["call", ":8000"],
            2,
            "missing METHOD: rpc call ENDPOINT METHOD",
        ),
        (
            vec!["call", "-H", "NoColon", ":8000", "add"],
            2,
            "write it as 'Name: value'",
        ),
        (vec!["call", "-d", "{bad", ":8000", "add"], 2, "-d '[2,3]'"),
        (vec!["call", &dead, "add", "1", "2"], 3, "rpc serve --addr"),
        (vec!["call", &live, "nope"], 1, "`rpc list"),
        (
            vec!["call", "-P", "xml-rpc", &live, "nope"],
            1,
            "`rpc list -P xml-rpc",
        ),
        (
            vec!["call", "-P", "reach", &live, "nope"],
            1,
            "`rpc list -P reach",
        ),
        (
            vec!["call", "-t", "0", ":8000", "add"],
            2,
            "give a positive number of seconds",
        ),
        (
            busy.iter().map(String::as_str).collect(),
            5,
            "pick another --addr, or port 0",
        ),
        (
            vec!["call", &https_to_plain, "add", "1", "2"],
            3,
            "use http://, or start it with `rpc serve --tls`",
        ),
    ];
    for (args, code, advice) in cases {
        let out = rpc().args(&args).assert().code(code);
        let stderr = stderr_of(&out);
        assert!(
            stderr.contains(advice),
            "rpc {args:?}: {advice:?} in {stderr:?}"
        );
        if !stderr.starts_with("error:") {
            // Our own errors are one line; clap's usage errors have their own layout.
            assert_eq!(
                stderr.lines().count(),
                1,
                "rpc {args:?}: one line: {stderr:?}"
            );
        }
    }
    // The refused connection names the address.
    rpc()
        .args(["call", &dead, "add"])
        .assert()
        .stderr(predicate::str::contains(format!(
            "connection refused by {dead}"
        )));
}
