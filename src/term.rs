//! Terminal facts decided once: which streams are terminals and which get colour.

use std::io::IsTerminal;

/// `--color`: when to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy)]
pub struct Colors {
    pub stdout: bool,
    pub stderr: bool,
    pub stdout_is_terminal: bool,
}

impl Colors {
    pub fn detect(when: ColorWhen) -> Colors {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |is_terminal: bool| match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => is_terminal && !no_color,
        };
        let stdout_is_terminal = std::io::stdout().is_terminal();
        // We decide per stream ourselves; colored's own detection only looks at one of them.
        colored::control::set_override(true);
        Colors {
            stdout: decide(stdout_is_terminal),
            stderr: decide(std::io::stderr().is_terminal()),
            stdout_is_terminal,
        }
    }
}
