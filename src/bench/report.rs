//! What `rpc bench` shows: a progress bar while it runs (on a terminal only), then the report,
//! as text with a small latency histogram, or as one JSON object (`--json`) for scripts.

use super::stats::Stats;
use crate::protocol::Proto;
use colored::Colorize;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::time::{Duration, Instant};

/// Rows of the terminal histogram, and the width of its longest bar.
const HISTOGRAM_ROWS: usize = 10;
const BAR_WIDTH: usize = 40;

/// The run as the report describes it.
pub struct Summary<'a> {
    pub endpoint: &'a str,
    pub proto: Proto,
    pub method: &'a str,
    pub args: &'a str,
    pub concurrency: usize,
    pub threads: usize,
    pub pipeline: usize,
    /// Calls are HTTP/2 streams whose answers are messages (gRPC's), not requests on a pipeline.
    pub streams: bool,
    pub per_call: bool,
    /// From the end of the warm-up to the last answer.
    pub elapsed: Duration,
    pub stats: &'a Stats,
}

impl Summary<'_> {
    fn per_second(&self) -> f64 {
        self.rate(self.stats.total())
    }

    /// `count` per second of the measured time.
    fn rate(&self, count: u64) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            count as f64 / secs
        } else {
            0.0
        }
    }

    /// What the calls in flight on one connection are: concurrent streams on HTTP/2.
    fn depth_name(&self) -> &'static str {
        if self.streams {
            "streams"
        } else {
            "pipeline"
        }
    }

    fn connection_mode(&self) -> &'static str {
        if self.per_call {
            "per-call"
        } else {
            "keep-alive"
        }
    }

    /// The latency at `percentile`, in nanoseconds (0 when nothing succeeded).
    fn at(&self, percentile: f64) -> u64 {
        if self.stats.latency.is_empty() {
            0
        } else {
            self.stats.latency.value_at_percentile(percentile)
        }
    }
}

const PERCENTILES: [(&str, f64); 4] =
    [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9)];

pub fn print_text(summary: &Summary, color: bool) {
    let stats = summary.stats;
    let mut out = String::new();
    out.push_str(&format!(
        "rpc bench {} {} {} {}\n",
        summary.endpoint,
        summary.proto.name(),
        summary.method,
        summary.args
    ));
    out.push_str(&format!(
        "  {} connection{} ({}), {} {}, {} thread{}, {:.2} s measured, {} connects\n\n",
        summary.concurrency,
        if summary.concurrency == 1 { "" } else { "s" },
        summary.connection_mode(),
        summary.depth_name(),
        summary.pipeline,
        summary.threads,
        if summary.threads == 1 { "" } else { "s" },
        summary.elapsed.as_secs_f64(),
        stats.connects
    ));
    out.push_str(&format!(
        "  calls    {:>10}   {:.1}/s\n",
        stats.total(),
        summary.per_second()
    ));
    out.push_str(&format!("  ok       {:>10}\n", stats.ok));
    if summary.streams {
        out.push_str(&format!(
            "  messages {:>10}   {:.1}/s\n",
            stats.messages,
            summary.rate(stats.messages)
        ));
    }
    let errors = format!("  errors   {:>10}", stats.errors());
    let kinds: Vec<String> = stats
        .failures
        .iter()
        .map(|(kind, count)| format!("{kind} ×{count}"))
        .collect();
    let errors = if kinds.is_empty() {
        errors
    } else {
        format!("{errors}   {}", kinds.join(", "))
    };
    out.push_str(&if color && stats.errors() > 0 {
        errors.red().to_string()
    } else {
        errors
    });
    out.push('\n');
    if !stats.latency.is_empty() {
        let mut line = format!("  latency  min {}", human(stats.latency.min()));
        for (name, percentile) in PERCENTILES {
            line.push_str(&format!("  {name} {}", human(summary.at(percentile))));
        }
        line.push_str(&format!("  max {}\n\n", human(stats.latency.max())));
        out.push_str(&line);
        out.push_str(&histogram(stats, color));
    }
    print!("{out}");
}

/// Latency rows with geometric bounds from the fastest call to the 99.9th percentile; the last
/// row holds everything slower.
fn histogram(stats: &Stats, color: bool) -> String {
    let low = stats.latency.min().max(1) as f64;
    let high = (stats.latency.value_at_percentile(99.9) as f64).max(low * 1.01);
    let ratio = (high / low).powf(1.0 / (HISTOGRAM_ROWS - 1) as f64);
    let mut bounds: Vec<u64> = (1..HISTOGRAM_ROWS)
        .map(|i| (low * ratio.powi(i as i32)) as u64)
        .collect();
    bounds.push(u64::MAX);
    let mut counts = vec![0u64; bounds.len()];
    for step in stats.latency.iter_recorded() {
        let value = step.value_iterated_to();
        let row = bounds.partition_point(|&bound| bound < value);
        counts[row.min(bounds.len() - 1)] += step.count_at_value();
    }
    let total = stats.latency.len().max(1) as f64;
    let most = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let mut out = String::from("  latency histogram (share of successful calls)\n");
    for (i, count) in counts.iter().enumerate() {
        let label = if i + 1 == bounds.len() {
            format!(">{:>9}", human(bounds[i.saturating_sub(1)]))
        } else {
            format!("≤{:>9}", human(bounds[i]))
        };
        let width = ((*count as f64 / most) * BAR_WIDTH as f64).round() as usize;
        let bar = "█".repeat(width);
        let bar = if color { bar.cyan().to_string() } else { bar };
        out.push_str(&format!(
            "    {label}  {bar}{}  {:5.1}%\n",
            " ".repeat(BAR_WIDTH - width),
            *count as f64 * 100.0 / total
        ));
    }
    out
}

/// A latency in nanoseconds, in the unit that reads best.
fn human(ns: u64) -> String {
    let ns = ns as f64;
    if ns < 1_000_000.0 {
        format!("{:.0} µs", ns / 1_000.0)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else {
        format!("{:.2} s", ns / 1_000_000_000.0)
    }
}

pub fn print_json(summary: &Summary) {
    let stats = summary.stats;
    let ms = |ns: u64| ns as f64 / 1_000_000.0;
    let errors: serde_json::Map<String, serde_json::Value> = stats
        .failures
        .iter()
        .map(|(kind, count)| (kind.to_string(), (*count).into()))
        .collect();
    let latency = if stats.latency.is_empty() {
        serde_json::Value::Null
    } else {
        json!({
            "min": ms(stats.latency.min()),
            "mean": stats.latency.mean() / 1_000_000.0,
            "p50": ms(summary.at(50.0)),
            "p90": ms(summary.at(90.0)),
            "p99": ms(summary.at(99.0)),
            "p99_9": ms(summary.at(99.9)),
            "max": ms(stats.latency.max()),
        })
    };
    let mut doc = json!({
        "endpoint": summary.endpoint,
        "proto": summary.proto.name(),
        "method": summary.method,
        "concurrency": summary.concurrency,
        "connections": summary.connection_mode(),
        "pipeline": summary.pipeline,
        "threads": summary.threads,
        "duration_secs": summary.elapsed.as_secs_f64(),
        "requests": stats.total(),
        "ok": stats.ok,
        "errors": stats.errors(),
        "errors_by_kind": errors,
        "requests_per_sec": summary.per_second(),
        "connects": stats.connects,
        "latency_ms": latency,
    });
    if summary.streams {
        doc["streams"] = summary.pipeline.into();
        doc["messages"] = stats.messages.into();
        doc["messages_per_sec"] = summary.rate(stats.messages).into();
    }
    println!("{doc}");
}

/// The progress bar: calls done out of `-n`, or time gone out of the run's length. Drawn on
/// stderr only when it is a terminal (indicatif hides it otherwise).
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    by_time: bool,
}

impl Progress {
    pub fn start(limit: Option<u64>, duration: Option<Duration>, warmup: Duration) -> Progress {
        let (length, by_time) = match (limit, duration) {
            (Some(n), _) => (n, false),
            (None, Some(d)) => (
                u64::try_from((d + warmup).as_millis()).unwrap_or(u64::MAX),
                true,
            ),
            (None, None) => (0, true),
        };
        let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
        let template = if by_time {
            "{spinner} [{bar:40}] {elapsed_precise} {msg}"
        } else {
            "{spinner} [{bar:40}] {pos}/{len} calls {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress {
            bar,
            started: Instant::now(),
            by_time,
        }
    }

    pub fn update(&self, done: u64) {
        if self.by_time {
            let elapsed = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.bar.set_position(elapsed);
            self.bar.set_message(format!("{done} calls"));
        } else {
            self.bar.set_position(done);
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_read_in_their_unit() {
        assert_eq!(human(850_000), "850 µs");
        assert_eq!(human(2_500_000), "2.50 ms");
        assert_eq!(human(1_500_000_000), "1.50 s");
    }

    #[test]
    fn the_histogram_has_a_row_per_bucket_and_sums_to_all() {
        let mut stats = Stats::new().unwrap();
        for micros in [100, 120, 150, 200, 400, 800, 5_000] {
            stats.record_ok(Duration::from_micros(micros));
        }
        let text = histogram(&stats, false);
        assert_eq!(text.lines().count(), HISTOGRAM_ROWS + 1);
        let shares: f64 = text
            .lines()
            .skip(1)
            .filter_map(|l| {
                l.trim_end()
                    .rsplit(' ')
                    .next()?
                    .trim_end_matches('%')
                    .parse::<f64>()
                    .ok()
            })
            .sum();
        assert!((shares - 100.0).abs() < 0.5, "{text}");
    }
}
