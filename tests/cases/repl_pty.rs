//! `rpc repl` on a real terminal: tmux gives it a pseudo-terminal, `send-keys` types, and
//! `capture-pane` reads the screen. tmux rather than a pty crate: it is a plain Debian package
//! (installed by scripts/install-peers), it renders the screen a person would see, colours
//! included, and it adds no dependency to the build.

use super::support::{rpc_path, Serve};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long the screen may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// One tmux server of our own (its own socket), running one program in one pane; killed on drop.
struct Screen {
    socket: String,
}

impl Screen {
    /// Runs `rpc ARGS` in a fresh terminal.
    fn rpc(args: &[&str]) -> Screen {
        let program = rpc_path();
        let mut command = vec!["env", "-u", "NO_COLOR", program.to_str().unwrap()];
        command.extend(args);
        Screen::start(&command)
    }

    /// Runs a shell command line in a fresh terminal.
    fn shell(line: &str) -> Screen {
        Screen::start(&["sh", "-c", line])
    }

    /// Runs `command` in a fresh 120×40 terminal. The pane stays after the program ends (set
    /// before the program starts, so even a quick one is caught), so a test can see that it ended.
    fn start(command: &[&str]) -> Screen {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "rpc-test-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::SeqCst)
        );
        let screen = Screen { socket };
        let mut tmux = vec![
            "-f",
            "/dev/null",
            "start-server",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "--",
        ];
        tmux.extend(command);
        screen.tmux(&tmux);
        screen
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs (scripts/install-peers installs it)");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types keys: literal text, or tmux key names such as `Enter`, `Tab`, `Up`, `C-c`.
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend(keys);
        self.tmux(&args);
    }

    /// The screen as text; with `colors`, including the escape sequences.
    fn text(&self, colors: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-J"];
        if colors {
            args.push("-e");
        }
        self.tmux(&args)
    }

    /// Whether the program in the pane has ended (tmux keeps the pane, see `start`).
    fn ended(&self) -> bool {
        self.tmux(&["display-message", "-p", "#{pane_dead}"]).trim() == "1"
    }

    /// Waits until the program in the pane has ended, and returns the screen.
    fn wait_until_ended(&self) -> String {
        let deadline = Instant::now() + PATIENCE;
        while !self.ended() {
            assert!(
                Instant::now() < deadline,
                "the program never ended; the screen shows:\n{}",
                self.text(false)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self.text(false)
    }

    /// Waits until the screen shows `wanted`, and returns the screen.
    fn wait_for(&self, wanted: &str) -> String {
        self.wait_for_count(wanted, 1)
    }

    /// Waits until the screen shows `wanted` at least `count` times. Tests wait for the prompt
    /// before typing: keys typed while no line is being read reach the terminal in its ordinary
    /// mode, where it, not the line editor, interprets Ctrl-C and Ctrl-D.
    fn wait_for_count(&self, wanted: &str, count: usize) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.text(false);
            if screen.matches(wanted).count() >= count {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {wanted:?} {count} time(s); it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn repl(url: &str, history: &Path) -> Screen {
    let screen = Screen::rpc(&["repl", url, "--history", history.to_str().unwrap()]);
    screen.wait_for(&prompt(url));
    screen
}

fn prompt(url: &str) -> String {
    format!("json-rpc {url}> ")
}

#[test]
fn a_typed_call_shows_its_log_lines_in_colour() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let screen = repl(&server.url(), &dir.path().join("history"));
    screen.keys(&["add 2 3", "Enter"]);
    screen.wait_for("RPC add [2,3] ==> 5");
    screen.keys(&["nope", "Enter"]);
    let text = screen.wait_for("rpc: error -32601");
    assert!(text.contains("RPC add [2,3]\n"), "{text}");

    let colored = screen.text(true);
    // Request cyan, response green, error red: the colours of Trace.
    assert!(colored.contains("\u{1b}[36mRPC add [2,3]"), "{colored}");
    assert!(
        colored.contains("\u{1b}[32mRPC add [2,3] ==> 5"),
        "{colored}"
    );
    assert!(colored.contains("\u{1b}[31mRPC nope [] =!>"), "{colored}");
    assert!(!screen.ended(), "a failed call does not end the session");
}

#[test]
fn history_is_recalled_with_up_after_a_restart() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("nested/history");

    let first = repl(&server.url(), &history);
    first.keys(&["add 40 2", "Enter"]);
    first.wait_for("==> 42");
    first.wait_for_count(&prompt(&server.url()), 2);
    first.keys(&[":quit", "Enter"]);
    first.wait_until_ended();
    drop(first);
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains("add 40 2"), "{saved}");

    let second = repl(&server.url(), &history);
    second.keys(&["Up"]);
    second.wait_for("> :quit");
    second.keys(&["Up"]);
    second.wait_for("> add 40 2");
    second.keys(&["Enter"]);
    second.wait_for("RPC add [40,2] ==> 42");
}

#[test]
fn tab_completes_method_names_meta_commands_and_protocols() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let prompt = prompt(&server.url());
    let screen = repl(&server.url(), &dir.path().join("history"));
    screen.keys(&["squ", "Tab"]);
    screen.wait_for("> square ");
    screen.keys(&["4", "Enter"]);
    screen.wait_for("RPC square [4] ==> 16");
    screen.wait_for_count(&prompt, 2);

    screen.keys(&[":pro", "Tab"]);
    screen.wait_for("> :proto ");
    screen.keys(&["xm", "Tab"]);
    screen.wait_for("> :proto xml-rpc ");
    screen.keys(&["Enter"]);
    screen.wait_for("using xml-rpc at");
}

#[test]
fn ctrl_c_cancels_the_line_or_the_call_without_leaving() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let prompt = prompt(&server.url());
    let screen = repl(&server.url(), &dir.path().join("history"));

    screen.keys(&["add 1", "C-c"]);
    screen.wait_for_count(&prompt, 2);
    screen.keys(&["sleep 10", "Enter"]);
    screen.wait_for("RPC sleep [10]\n");
    screen.keys(&["C-c"]);
    screen.wait_for("rpc: cancelled");
    screen.wait_for_count(&prompt, 3);
    screen.keys(&["add 2 2", "Enter"]);
    screen.wait_for("RPC add [2,2] ==> 4");
    let text = screen.wait_for_count(&prompt, 4);
    assert!(
        !text.contains("RPC add [1]"),
        "the cancelled line ran: {text}"
    );
    assert!(
        !text.contains("==> null"),
        "the cancelled call answered: {text}"
    );
    assert!(!screen.ended(), "{text}");

    screen.keys(&["C-d"]);
    screen.wait_until_ended();
}

#[test]
fn commands_piped_in_on_a_terminal_get_no_prompt_and_no_colour() {
    let server = Serve::new().start();
    let script = format!(
        "printf 'add 2 3\\n' | env -u NO_COLOR {} repl {}",
        rpc_path().display(),
        server.url()
    );
    let screen = Screen::shell(&script);
    let text = screen.wait_until_ended();
    assert!(text.contains("RPC add [2,3] ==> 5"), "{text}");
    assert!(!text.contains("json-rpc http"), "no prompt: {text}");
    let colored = screen.text(true);
    assert!(!colored.contains("\u{1b}[3"), "no colour: {colored}");
}

/// A Reach callback with no answer is asked at its own prompt: typing answers it, and Ctrl-C there
/// abandons the call and returns to the REPL's prompt.
#[test]
fn a_reach_callback_is_answered_at_the_prompt_and_ctrl_c_abandons_it() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let url = server.url();
    let screen = Screen::rpc(&[
        "repl",
        "-P",
        "reach",
        &url,
        "--history",
        history.to_str().unwrap(),
        "--callback",
        "getNumber",
        "--callback",
        "showTotal=null",
        "--value",
        "start=100",
    ]);
    let prompt = format!("reach {url}> ");
    screen.wait_for(&prompt);

    screen.keys(&["/interact/sum 2", "Enter"]);
    screen.wait_for("getNumber(1) ? ");
    screen.keys(&["20", "Enter"]);
    screen.wait_for("getNumber(2) ? ");
    screen.keys(&["3", "Enter"]);
    let text = screen.wait_for("==> {\"t\":\"Done\",\"ans\":123}");
    assert!(text.contains("getNumber(1) ? 20\n"), "{text}");
    let text = screen.wait_for_count(&prompt, 2);
    assert!(text.contains("\n123\n"), "the total is printed: {text}");

    screen.keys(&["/interact/sum 1", "Enter"]);
    screen.wait_for_count("getNumber(1) ? ", 2);
    screen.keys(&["C-c"]);
    screen.wait_for("rpc: cancelled: getNumber(1) was not answered");
    screen.wait_for_count(&prompt, 3);
    screen.keys(&[":callback getNumber=!echo 5", "Enter"]);
    screen.wait_for_count(&prompt, 4);
    screen.keys(&["/interact/sum 1", "Enter"]);
    screen.wait_for("==> {\"t\":\"Done\",\"ans\":105}");
    assert!(!screen.ended());
}

/// `-u USER` asks for the password at the terminal, as curl does, without echoing it.
#[test]
fn u_with_a_user_alone_asks_for_the_password_without_echo() {
    use super::support::{http_answer, FakeServer};
    let server = FakeServer::replying(|_| {
        http_answer("200 OK", "", r#"{"jsonrpc":"2.0","result":7,"id":1}"#)
    });
    let screen = Screen::rpc(&["call", "-u", "alice", &server.url(), "getblockcount"]);
    screen.wait_for("Enter host password for user 'alice':");
    screen.keys(&["s3cret", "Enter"]);
    let shown = screen.wait_until_ended();
    assert!(shown.contains('7'), "{shown}");
    assert!(
        !shown.contains("s3cret"),
        "the password was echoed: {shown}"
    );
    let sent = String::from_utf8_lossy(&server.requests()[0]).into_owned();
    // alice:s3cret
    assert!(
        sent.contains("Authorization: Basic YWxpY2U6czNjcmV0"),
        "{sent}"
    );
}

/// `rpc repl grpc://…` against `server`, at its first prompt; the prompt.
fn grpc_repl(server: &super::support::Spawned, history: &Path) -> (Screen, String) {
    let url = format!("grpc://127.0.0.1:{}", server.port);
    let screen = Screen::rpc(&["repl", &url, "--history", history.to_str().unwrap()]);
    let prompt = format!("grpc {url}> ");
    screen.wait_for(&prompt);
    (screen, prompt)
}

/// On gRPC, Tab completes a method from its bare name (the schema from the server's reflection),
/// and the call runs.
#[test]
fn tab_completes_grpc_methods_from_reflection() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let (screen, _) = grpc_repl(&server, &dir.path().join("history"));
    screen.keys(&["Cou", "Tab"]);
    screen.wait_for("> Count ");
    screen.keys(&["2", "Enter"]);
    screen.wait_for("RPC rpc.math.Math/Count {\"x\":2} ==> 2");
    // Then a field name from the method's input message, waiting for its value.
    screen.keys(&["GetRoute net", "Tab"]);
    screen.wait_for("> GetRoute network:=");
    screen.keys(&["10.0.0.0", "Enter"]);
    screen.wait_for("RPC Router/GetRoute {\"network\":\"10.0.0.0\",\"mask\":\"\"} ==> ");
}

/// Ctrl-C cancels a server stream that does not end (health Watch) and the session goes on.
#[test]
fn ctrl_c_cancels_a_grpc_server_stream() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let (screen, prompt) = grpc_repl(&server, &dir.path().join("history"));
    screen.keys(&["Health/Watch service:=Router", "Enter"]);
    screen.wait_for("{\"status\":\"SERVING\"}");
    screen.keys(&["C-c"]);
    screen.wait_for("rpc: cancelled");
    screen.wait_for_count(&prompt, 2);
    screen.keys(&["Add 2 3", "Enter"]);
    screen.wait_for("==> 5");
    assert!(!screen.ended());
}

/// Stream mode on a terminal: the prompt names the stream, each line is a message answered as it
/// comes, Ctrl-C cancels the call without leaving, Ctrl-D ends the client's side.
#[test]
fn grpc_stream_mode_on_a_terminal() {
    let server = Serve::new().start();
    let dir = tempfile::tempdir().unwrap();
    let (screen, prompt) = grpc_repl(&server, &dir.path().join("history"));
    screen.keys(&["RunningSum", "Enter"]);
    screen.wait_for("rpc.math.Math/RunningSum stream> ");
    screen.keys(&["x:=4", "Enter"]);
    screen.wait_for("==> 4");
    screen.keys(&["C-c"]);
    screen.wait_for("stream cancelled");
    screen.wait_for_count(&prompt, 2);
    screen.keys(&["RunningSum x:=1", "Enter"]);
    screen.wait_for("==> 1");
    screen.keys(&["C-d"]);
    screen.wait_for_count(&prompt, 3);
    assert!(!screen.ended(), "Ctrl-D ended the stream, not the session");
}

#[test]
fn notifications_show_above_the_prompt_and_leave_the_typed_line_alone() {
    let server = Serve::new().start();
    let url = format!("ws://127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().unwrap();
    let screen = repl(&url, &dir.path().join("history"));
    screen.keys(&[":subscribe subscribe ticks 100", "Enter"]);
    screen.wait_for("subscription \"0x1\": notifications show as they come");
    screen.wait_for_count(&prompt(&url), 2);
    screen.keys(&["add 2 3"]);
    let text = screen.wait_for("\"count\":3}}");
    // The prompt is drawn again below each notification, with the line as typed so far.
    let last = text.lines().rfind(|line| !line.trim().is_empty());
    assert_eq!(
        last,
        Some(format!("{}add 2 3", prompt(&url)).as_str()),
        "{text}"
    );
    screen.keys(&["Enter"]);
    screen.wait_for("RPC add [2,3] ==> 5");
    screen.keys(&[":unsubscribe", "Enter"]);
    screen.wait_for("RPC unsubscribe [\"0x1\"] ==> true");
}
