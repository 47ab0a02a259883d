//! Captures log output in memory, and checks it for leaked credentials.

use std::{
    io,
    sync::{Arc, Mutex},
};

use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }

    /// Forgets what was captured so far (between rounds of a long run).
    pub fn clear(&self) {
        self.0.lock().expect("not poisoned").clear();
    }
}

pub struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLogs {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter(self.0.clone())
    }
}

/// Every 12-character window of `secret` that occurs in `text`, for a precise failure message.
/// Empty when nothing leaked.
pub fn leaked_fragments(text: &str, secret: &str) -> Vec<String> {
    const WINDOW: usize = 12;
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < WINDOW {
        return if text.contains(secret) { vec![secret.to_owned()] } else { Vec::new() };
    }
    chars
        .windows(WINDOW)
        .map(|w| w.iter().collect::<String>())
        .filter(|fragment| text.contains(fragment.as_str()))
        .collect()
}
