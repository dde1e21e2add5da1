//! The county's rules (school calendar and escalation ladder), shared by the command path,
//! the projector and the reads, and replaced when the calendar changes.

use std::sync::{Arc, RwLock};

use notoneless_domain::{EscalationLadder, SchoolCalendar};

/// The county's rules: its school calendar and escalation ladder.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub calendar: SchoolCalendar,
    pub ladder: EscalationLadder,
}

/// The rules in force, readable from anywhere, replaceable as a whole.
#[derive(Clone, Debug)]
pub struct SharedRules(Arc<RwLock<Arc<Rules>>>);

impl SharedRules {
    pub fn new(rules: Rules) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(rules))))
    }

    pub fn get(&self) -> Arc<Rules> {
        match self.0.read() {
            Ok(rules) => rules.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the rules; returns whether they changed.
    pub fn set(&self, rules: Rules) -> bool {
        let mut slot = match self.0.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        if **slot == rules {
            return false;
        }
        *slot = Arc::new(rules);
        true
    }
}

impl Rules {
    /// A digest of the calendar, the ladder and the review rules' version
    /// (`CONTRIBUTION_RULES_VERSION`): a read-model row computed under other rules
    /// (a server restarted with another `--ladder`, say) is known by it not to hold. The
    /// projector asks for it with every row it writes, always of the same rules: the last
    /// digest computed on this thread is kept, and given again while the rules are equal
    /// (a comparison, not a serialisation and a SHA-256 per row).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        thread_local! {
            static LAST: std::cell::RefCell<Option<(Rules, String)>> =
                const { std::cell::RefCell::new(None) };
        }
        LAST.with_borrow_mut(|last| {
            if let Some((rules, digest)) = last.as_ref()
                && rules == self
            {
                return digest.clone();
            }
            let text = serde_json::to_string(&(
                &self.calendar,
                &self.ladder,
                notoneless_domain::CONTRIBUTION_RULES_VERSION,
            ))
            .unwrap_or_default();
            let digest = hex::encode(Sha256::digest(text.as_bytes()));
            *last = Some((self.clone(), digest.clone()));
            digest
        })
    }
}
