//! Where "sent" emails and text messages land, so tests and users can read magic-link tokens and codes.

use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
}

/// One delivered message, serialised exactly as `GET /__sandbox/outbox` returns it.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub channel: Channel,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "sentAt")]
    pub sent_at: String,
}

/// The shared outbox; clones see the same messages.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    messages: Arc<Mutex<Vec<Message>>>,
}

impl Outbox {
    /// Delivers a magic-link email carrying `token`.
    pub fn push_email(&self, to: &str, token: &str) {
        self.push(Message {
            channel: Channel::Email,
            to: to.to_owned(),
            token: Some(token.to_owned()),
            code: None,
            sent_at: clock::rfc3339(clock::now()),
        });
    }

    /// Delivers a text message carrying a one-time `code`.
    pub fn push_sms(&self, to: &str, code: &str) {
        self.push(Message {
            channel: Channel::Sms,
            to: to.to_owned(),
            token: None,
            code: Some(code.to_owned()),
            sent_at: clock::rfc3339(clock::now()),
        });
    }

    /// Messages to `to` (all messages when `None`), oldest first. Emails match case-insensitively.
    pub fn messages_to(&self, to: Option<&str>) -> Vec<Message> {
        self.lock().iter().filter(|message| to.is_none_or(|to| message.to.eq_ignore_ascii_case(to))).cloned().collect()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    fn push(&self, message: Message) {
        self.lock().push(message);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Message>> {
        // A panic while holding this lock cannot leave the Vec half-updated, so poisoning is harmless.
        self.messages.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
