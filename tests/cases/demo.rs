//! `rpc demo`: a logged tour of every protocol against an in-process server on a free port.

use super::support::{path_with_rpc, rpc, stdout_of, Serve};
use std::process::Command;

fn demo_stdout(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.arg("demo").assert().success();
    stdout_of(&out)
}

#[test]
fn demo_tours_every_protocol_and_exits_0() {
    let log = demo_stdout(&mut rpc());
    for line in [
        // JSON-RPC: a call, an error, a batch
        "RPC add [2,3]\n",
        "RPC add [2,3] ==> 5\n",
        "RPC div [1,0] =!> {\"code\":1000,",
        "RPC mul [3,4] ==> 12\n",
        // XML-RPC: introspection and a multicall
        "RPC system.listMethods [] ==> [\"add\",",
        "RPC system.methodHelp [\"sum\"] ==> \"sum(numbers)",
        "RPC square [3] ==> 9\n",
        "RPC cube [2.5] ==> 15.625\n",
        // Reach: a call, and an interactive call answered through /kont
        "RPC /add [2,3] ==> 5\n",
        "RPC /interact/sum [3,{\"start\":100},{\"getNumber\":true,\"showTotal\":true}]\n",
        "the server called back getNumber(2); the demo answers 20\n",
        "the server called back showTotal(160)",
        "==> {\"t\":\"Done\",\"ans\":160}\n",
        // raw-tcp
        "RPC sum [[1,2,3,4]] ==> 10\n",
        "every answer as expected",
    ] {
        assert!(log.contains(line), "{line:?} in the demo's log:\n{log}");
    }
    assert!(log.contains("\n== 1/14 JSON-RPC 2.0: a call ==\n$ rpc call :8000 add 2 3\n"));
    // gRPC: the reflection listing, with the reflection exchange in the trace format.
    assert!(
        log.contains(concat!(
            "$ rpc list grpc://localhost:8000\n",
            "RPC grpc.reflection.v1.ServerReflection/ServerReflectionInfo {\"listServices\":\"\"}\n",
        )),
        "{log}"
    );
    assert!(log.contains("\nRouter/ListRoutes\n"), "{log}");
    // Every protocol gets a heading of its own.
    for heading in ["JSON-RPC 2.0:", "XML-RPC:", "Reach RPC:", "raw-TCP JSON:"] {
        assert!(log.contains(&format!(" {heading}")), "{heading}");
    }
}

/// A REACH_RPC_KEY in the user's environment must not make the demo's own server refuse it.
#[test]
fn demo_ignores_a_reach_key_in_the_environment() {
    demo_stdout(rpc().env("REACH_RPC_KEY", "from-the-environment"));
}

/// A proxy in the environment cannot reach this machine's loopback, so calls to it go direct: the
/// demo (and `rpc call` to localhost) work behind a corporate proxy too.
#[test]
fn loopback_calls_ignore_proxy_settings() {
    let dead_proxy = "http://127.0.0.1:9";
    let with_proxy = |cmd: &mut assert_cmd::Command| {
        for name in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
        ] {
            cmd.env(name, dead_proxy);
        }
        cmd.env_remove("NO_PROXY").env_remove("no_proxy");
    };
    let mut demo = rpc();
    with_proxy(&mut demo);
    demo_stdout(&mut demo);
    let server = Serve::new().start();
    let mut call = rpc();
    with_proxy(&mut call);
    call.args(["call", &server.url(), "add", "2", "3"])
        .assert()
        .success()
        .stdout("5\n");
}

/// Each step shows the `rpc call` line that makes the same call against `rpc serve`: those lines
/// must be true. Run against a server on a free port, each gives the answer the demo logged.
#[test]
fn demo_command_lines_work_against_rpc_serve() {
    let log = demo_stdout(&mut rpc());
    let server = Serve::new().start();
    let path = path_with_rpc();
    let sections: Vec<&str> = log.split("\n== ").skip(1).collect();
    assert_eq!(sections.len(), 14);
    for section in sections {
        let line = section
            .lines()
            .find_map(|l| l.strip_prefix("$ "))
            .unwrap_or_else(|| panic!("no $ line in {section}"));
        let line = line.replace(":8000", &format!(":{}", server.port));
        let out = Command::new("sh")
            .args(["-c", &line])
            .env("PATH", &path)
            .env_remove("REACH_RPC_KEY")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last_answer = section
            .lines()
            .rev()
            .find_map(|l| l.split_once(" ==> ").or(l.split_once(" =!> ")))
            .map(|(_, answer)| answer.to_owned())
            .unwrap_or_default();
        if line.starts_with("rpc list") {
            // The listing ends the section, one method name a line, as `rpc list` prints it.
            let listed: Vec<&str> = section
                .lines()
                .skip_while(|l| !l.starts_with("RPC "))
                .filter(|l| !l.starts_with("RPC "))
                .collect();
            assert_eq!(stdout.lines().collect::<Vec<_>>(), listed, "{line}");
        } else if section.contains("=!>") {
            assert_eq!(out.status.code(), Some(1), "{line}");
        } else {
            assert!(out.status.success(), "{line}: {out:?}");
            let printed: Vec<&str> = stdout.lines().collect();
            let done = last_answer
                .strip_prefix("{\"t\":\"Done\",\"ans\":")
                .and_then(|a| a.strip_suffix('}'));
            let expected = done.unwrap_or(&last_answer);
            assert_eq!(printed.last().copied(), Some(expected), "{line}");
        }
    }
}
