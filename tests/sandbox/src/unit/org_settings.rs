//! Org settings that change how Unit decides, as an org admin sets them in Unit's dashboard (Unit's
//! OpenAPI `orgSettings.json`, `generalSettings`). The sandbox starts from [`UnitConfig`]'s values
//! (`SANDBOX_UNIT_PREVENT_DUPLICATE_APPLICATIONS`), `/__sandbox/org-settings` changes them at run time,
//! and `POST /__sandbox/reset` restores the configured values.
//!
//! [`UnitConfig`]: super::UnitConfig

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgSettings {
    /// `generalSettings.preventDuplicateIndividualApplications`: when on, a second individual
    /// application with the SSN of a live (not denied) one is refused with 400. Off by default: the
    /// setting is an opt-in of Unit's org settings, so a new (sandbox) org accepts duplicates.
    pub prevent_duplicate_individual_applications: bool,
}

/// A partial update from `PATCH /__sandbox/org-settings`: absent keys are left alone.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct OrgSettingsPatch {
    prevent_duplicate_individual_applications: Option<bool>,
}

impl OrgSettings {
    pub(crate) fn apply(&mut self, patch: OrgSettingsPatch) {
        if let Some(prevent) = patch.prevent_duplicate_individual_applications {
            self.prevent_duplicate_individual_applications = prevent;
        }
    }
}
