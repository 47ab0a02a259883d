//! Unit resource ids: numeric strings (`^[1-9]\d*$` in Unit's OpenAPI). Each resource kind counts
//! from its own base so that an id used in the wrong place (a card id as a customer id, say) finds
//! nothing instead of silently hitting another record.

/// The next id to hand out for each resource kind.
#[derive(Debug)]
pub(crate) struct IdCounters {
    application: u64,
    customer: u64,
    account: u64,
    card: u64,
    application_form: u64,
}

impl Default for IdCounters {
    fn default() -> Self {
        Self { application: 100_001, customer: 200_001, account: 300_001, card: 400_001, application_form: 500_001 }
    }
}

impl IdCounters {
    pub(crate) fn application(&mut self) -> u64 {
        take(&mut self.application)
    }

    pub(crate) fn customer(&mut self) -> u64 {
        take(&mut self.customer)
    }

    pub(crate) fn account(&mut self) -> u64 {
        take(&mut self.account)
    }

    pub(crate) fn card(&mut self) -> u64 {
        take(&mut self.card)
    }

    pub(crate) fn application_form(&mut self) -> u64 {
        take(&mut self.application_form)
    }
}

fn take(counter: &mut u64) -> u64 {
    let id = *counter;
    *counter += 1;
    id
}

/// Parses an id from a path or a relationship. Anything that is not a Unit id (empty, leading zero,
/// non-digits, too large) cannot name a record, so callers answer "not found" for `None`.
pub(crate) fn parse_id(raw: &str) -> Option<u64> {
    if raw.is_empty() || raw.starts_with('0') || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}
