//! What a `rpc bench` run counts: answers, failures by kind, and latencies in an HDR histogram
//! (fixed memory, ~0.1% precision, no sample kept). Each client thread has its own [`Stats`];
//! they are merged once at the end, so counting costs no locks.

use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Lowest and highest latency the histogram tells apart, in nanoseconds (1 µs .. 10 min).
const LOWEST_NS: u64 = 1_000;
const HIGHEST_NS: u64 = 600_000_000_000;
/// Significant decimal digits kept for each latency.
const PRECISION: u8 = 3;

/// Why one call did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Failure {
    /// The server answered with an RPC error of this code.
    Server(i64),
    /// A gRPC answer ended with this status code (not OK).
    Status(i64),
    /// An HTTP error status with no RPC answer in the body.
    Http(u16),
    /// Something came back that the protocol's decoder refused.
    Invalid,
    /// An answer shape the load generator does not read (chunked HTTP bodies).
    Unsupported,
    /// The connection could not be opened.
    Connect(std::io::ErrorKind),
    /// The connection failed while writing or reading.
    Io(std::io::ErrorKind),
    /// The server closed the connection before answering (an HTTP/2 GOAWAY too).
    Closed,
    /// The server reset the call's HTTP/2 stream with this error code (RFC 9113 section 7).
    Reset(u32),
    /// No answer within the timeout.
    Timeout,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Server(code) => write!(f, "server error {code}"),
            Failure::Status(code) => {
                let names = crate::protocol::grpc::STATUS_NAMES;
                match usize::try_from(*code).ok().and_then(|i| names.get(i)) {
                    Some(name) => write!(f, "status {name} ({code})"),
                    None => write!(f, "status {code}"),
                }
            }
            Failure::Reset(code) => write!(f, "stream reset ({:?})", h2::Reason::from(*code)),
            Failure::Http(status) => write!(f, "HTTP {status}"),
            Failure::Invalid => write!(f, "invalid answer"),
            Failure::Unsupported => write!(f, "unsupported answer (chunked body)"),
            Failure::Connect(kind) => write!(f, "connect: {kind}"),
            Failure::Io(kind) => write!(f, "transport: {kind}"),
            Failure::Closed => write!(f, "closed before answering"),
            Failure::Timeout => write!(f, "timeout"),
        }
    }
}

/// Counts of one thread, or of the whole run once merged.
pub struct Stats {
    /// Latency of every counted call that succeeded, in nanoseconds.
    pub latency: Histogram<u64>,
    pub ok: u64,
    pub failures: BTreeMap<Failure, u64>,
    /// Connections opened.
    pub connects: u64,
    /// gRPC: messages received in the answers that succeeded (a server stream has several).
    pub messages: u64,
}

impl Stats {
    pub fn new() -> Result<Stats, hdrhistogram::CreationError> {
        Ok(Stats {
            latency: Histogram::new_with_bounds(LOWEST_NS, HIGHEST_NS, PRECISION)?,
            ok: 0,
            failures: BTreeMap::new(),
            connects: 0,
            messages: 0,
        })
    }

    pub fn record_ok(&mut self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency
            .saturating_record(ns.clamp(LOWEST_NS, HIGHEST_NS));
        self.ok += 1;
    }

    pub fn record_failure(&mut self, failure: Failure) {
        *self.failures.entry(failure).or_insert(0) += 1;
    }

    pub fn errors(&self) -> u64 {
        self.failures.values().sum()
    }

    /// Every counted call, succeeded or not.
    pub fn total(&self) -> u64 {
        self.ok + self.errors()
    }

    pub fn merge(&mut self, other: Stats) {
        // Both histograms share the same bounds, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        self.ok += other.ok;
        for (failure, count) in other.failures {
            *self.failures.entry(failure).or_insert(0) += count;
        }
        self.connects += other.connects;
        self.messages += other.messages;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_counts_and_latencies() {
        let mut a = Stats::new().unwrap();
        a.record_ok(Duration::from_micros(100));
        a.record_failure(Failure::Server(-32601));
        let mut b = Stats::new().unwrap();
        b.record_ok(Duration::from_micros(300));
        b.record_failure(Failure::Server(-32601));
        b.record_failure(Failure::Closed);
        a.merge(b);
        assert_eq!(a.ok, 2);
        assert_eq!(a.errors(), 3);
        assert_eq!(a.failures[&Failure::Server(-32601)], 2);
        assert_eq!(a.latency.len(), 2);
        assert!(a.latency.max() >= 299_000);
    }

    #[test]
    fn failures_read_as_kinds() {
        assert_eq!(Failure::Server(-32601).to_string(), "server error -32601");
        assert_eq!(Failure::Http(503).to_string(), "HTTP 503");
        assert_eq!(
            Failure::Connect(std::io::ErrorKind::ConnectionRefused).to_string(),
            "connect: connection refused"
        );
        assert_eq!(Failure::Status(5).to_string(), "status NOT_FOUND (5)");
        assert_eq!(Failure::Status(99).to_string(), "status 99");
        assert_eq!(
            Failure::Reset(7).to_string(),
            "stream reset (REFUSED_STREAM)"
        );
    }
}
