//! The one metrics sink of the process, installed at cold start: the `metrics` recorder of
//! `metrics_cloudwatch_embedded`, flushed as EMF lines at the end of every request.
//!
//! Lambda serves one request at a time per execution environment, so flushing when a request
//! ends writes that invocation's metrics (and any of the cold start before it) inside it, before
//! the environment may be frozen: no background task is left with unwritten metrics.

use std::{io::Write, sync::OnceLock};

use metrics_cloudwatch_embedded::{Builder, Collector};
use tracing_subscriber::fmt::MakeWriter;

use super::catalogue;

/// Writes one flush's lines at once, so that they reach the log whole.
type WriteLines = Box<dyn Fn(&[u8]) + Send + Sync>;

struct Sink {
    collector: &'static Collector,
    write: WriteLines,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Installs the sink writing to stdout, where Lambda's log driver hands EMF lines to CloudWatch.
pub fn install(namespace: &str) {
    install_with_writer(namespace, std::io::stdout);
}

/// Installs the sink writing to `writer` (tests pass a capturing one). Only the first call in a
/// process installs anything: the `metrics` recorder is process-wide.
pub fn install_with_writer<W>(namespace: &str, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    SINK.get_or_init(|| {
        let collector = match Builder::new().cloudwatch_namespace(namespace.to_owned()).init() {
            Ok(collector) => collector,
            Err(error) => panic!("the metrics recorder is installed once per process: {error}"),
        };
        for metric in catalogue::ALL {
            describe(metric);
        }
        let write = move |lines: &[u8]| {
            if let Err(error) = writer.make_writer().write_all(lines) {
                tracing::warn!(%error, "metrics could not be written");
            }
        };
        Sink { collector, write: Box::new(write) }
    });
}

/// The unit each metric is published with (the collector keeps units by name, whatever the kind).
fn describe(metric: &catalogue::Metric) {
    metrics::describe_counter!(metric.name, metric.unit, "");
}

/// Writes what was recorded since the last flush, one EMF line per dimension set. Without a sink
/// (tests that install none) it does nothing.
pub(crate) fn flush() {
    let Some(sink) = SINK.get() else { return };
    let mut lines = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = sink.collector.flush(&mut lines);
    if !lines.is_empty() {
        (sink.write)(&lines);
    }
}
