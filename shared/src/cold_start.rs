//! Where a cold start's own time goes, phase by phase, logged once per cold start
//! (`cold start phases`, microseconds) so that `make bench` and CloudWatch can tell which phase
//! grew. The upstream wait has its own line (`upstream reads at cold start done`).

use std::time::{Duration, Instant};

/// Times consecutive phases of `main`, from its first line.
pub struct Phases {
    last: Instant,
    spent: Vec<(&'static str, Duration)>,
}

impl Phases {
    pub fn start() -> Self {
        Self { last: Instant::now(), spent: Vec::new() }
    }

    /// Ends the phase running since the previous call (or [`start`](Self::start)).
    pub fn end(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.spent.push((phase, now - self.last));
        self.last = now;
    }

    /// One log line: `phases` as `name=µs` pairs in order, and their total.
    pub fn log(&self) {
        let phases: Vec<String> =
            self.spent.iter().map(|(name, took)| format!("{name}={}", took.as_micros())).collect();
        let total: Duration = self.spent.iter().map(|(_, took)| *took).sum();
        tracing::info!(phases = phases.join(" "), total_us = total.as_micros() as u64, "cold start phases");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_consecutive_and_named_in_order() {
        let mut phases = Phases::start();
        std::thread::sleep(Duration::from_millis(2));
        phases.end("first");
        phases.end("second");
        let names: Vec<_> = phases.spent.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["first", "second"]);
        assert!(phases.spent[0].1 >= Duration::from_millis(2), "the first phase includes the sleep");
    }
}
