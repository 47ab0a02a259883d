//! Which status each card action leads to and from which statuses Unit allows it (Unit's cards
//! guide: `Lost`, `Stolen` and `ClosedByCustomer` are final; a physical card is `Inactive` until
//! activated). From the caller's view every action is idempotent: a card already in the target
//! status is answered as it is, with no Unit write; a move Unit refuses is a 409 whose code names
//! the card's status.

use stytch_unit_common::{
    http::{ApiError, Code},
    unit::CardAction,
};

/// What to do with `action` on a card in a given status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The card is already where the action leads: answer with it.
    AlreadyThere,
    /// Ask Unit. Also for statuses this table does not know (Unit's `Unknown`,
    /// `ActiveForOnlineUse`): Unit decides, and a refusal is read back as a conflict.
    Go,
    /// Unit refuses this move from this status.
    Refuse,
}

/// The status `action` leads to, as Unit writes it.
pub fn target(action: CardAction) -> &'static str {
    match action {
        CardAction::Freeze => "Frozen",
        CardAction::Unfreeze => "Active",
        CardAction::Close => "ClosedByCustomer",
        CardAction::ReportLost => "Lost",
        CardAction::ReportStolen => "Stolen",
    }
}

pub fn decide(action: CardAction, status: &str) -> Decision {
    if status == target(action) {
        return Decision::AlreadyThere;
    }
    let allowed: &[&str] = match action {
        CardAction::Freeze => &["Active"],
        CardAction::Unfreeze => &["Frozen"],
        CardAction::Close | CardAction::ReportLost | CardAction::ReportStolen => &["Inactive", "Active", "Frozen"],
    };
    if allowed.contains(&status) {
        Decision::Go
    } else if KNOWN.contains(&status) {
        Decision::Refuse
    } else {
        Decision::Go
    }
}

/// The statuses this table decides on.
const KNOWN: &[&str] = &["Inactive", "Active", "Frozen", "Lost", "Stolen", "ClosedByCustomer", "SuspectedFraud"];

/// Whether a physical card in `status` can be replaced: one in use (`Active` or `Frozen`). An
/// `Inactive` card has not reached the cardholder; a final one is replaced by a new card.
pub fn replaceable(status: &str) -> bool {
    matches!(status, "Active" | "Frozen")
}

/// `409` with a stable code naming the card's status, e.g. `card_closed` for "unfreeze a closed
/// card". `what` is the refused action, for the detail.
pub fn conflict(status: &str, what: &str) -> ApiError {
    let code = match status {
        "Inactive" => Code::CardInactive,
        "Active" => Code::CardActive,
        "Frozen" => Code::CardFrozen,
        "Lost" => Code::CardLost,
        "Stolen" => Code::CardStolen,
        "ClosedByCustomer" => Code::CardClosed,
        "SuspectedFraud" => Code::CardSuspectedFraud,
        _ => Code::CardStatusConflict,
    };
    let detail = match code {
        Code::CardStatusConflict => format!("The card's current status does not allow it to be {what}."),
        _ => format!("The card is {status}: it cannot be {what}."),
    };
    ApiError::Refused { code, detail }
}

/// The action in the past tense, for details.
pub fn done(action: CardAction) -> &'static str {
    match action {
        CardAction::Freeze => "frozen",
        CardAction::Unfreeze => "unfrozen",
        CardAction::Close => "closed",
        CardAction::ReportLost => "reported lost",
        CardAction::ReportStolen => "reported stolen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_status_is_no_move() {
        for action in [
            CardAction::Freeze,
            CardAction::Unfreeze,
            CardAction::Close,
            CardAction::ReportLost,
            CardAction::ReportStolen,
        ] {
            assert_eq!(decide(action, target(action)), Decision::AlreadyThere, "{action:?}");
        }
    }

    #[test]
    fn final_and_inactive_cards_refuse_what_unit_refuses() {
        assert_eq!(decide(CardAction::Freeze, "Inactive"), Decision::Refuse);
        assert_eq!(decide(CardAction::Unfreeze, "ClosedByCustomer"), Decision::Refuse);
        assert_eq!(decide(CardAction::ReportLost, "ClosedByCustomer"), Decision::Refuse);
        assert_eq!(decide(CardAction::Close, "Stolen"), Decision::Refuse);
        assert_eq!(decide(CardAction::ReportStolen, "Inactive"), Decision::Go);
        assert_eq!(decide(CardAction::Freeze, "Unknown"), Decision::Go);
    }

    #[test]
    fn conflicts_name_the_status() {
        assert_eq!(conflict("ClosedByCustomer", "unfrozen").code(), "card_closed");
        assert_eq!(conflict("Lost", "frozen").code(), "card_lost");
        assert_eq!(conflict("Unknown", "frozen").code(), "card_status_conflict");
        assert_eq!(conflict("Lost", "frozen").status().as_u16(), 409);
    }
}
