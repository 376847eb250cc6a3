//! The widget's tabs as one type, so a tab named wrong is a compile error, not the overview.

use crate::i18n::Key;

/// One tab of the widget. Its [`Tab::id`] is what the DOM carries (`tab-<id>`,
/// `data-sla-tab`) and what the hand-over passes between the two builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tab {
    #[default]
    Overview,
    Availability,
    Periods,
    Incidents,
    Claims,
    Agreement,
}

impl Tab {
    /// The tabs, in the order the tab bar shows them.
    pub const ALL: [Tab; 6] = [
        Tab::Overview,
        Tab::Availability,
        Tab::Periods,
        Tab::Incidents,
        Tab::Claims,
        Tab::Agreement,
    ];

    /// The tab's id in the DOM and on the wire.
    pub fn id(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Availability => "availability",
            Tab::Periods => "periods",
            Tab::Incidents => "incidents",
            Tab::Claims => "claims",
            Tab::Agreement => "agreement",
        }
    }

    /// The tab's label in the tab bar.
    pub fn label(self) -> Key {
        match self {
            Tab::Overview => Key::TabOverview,
            Tab::Availability => Key::TabAvailability,
            Tab::Periods => Key::TabPeriods,
            Tab::Incidents => Key::TabIncidents,
            Tab::Claims => Key::TabClaims,
            Tab::Agreement => Key::TabAgreement,
        }
    }

    /// The tab whose [`Tab::id`] is `id`; `None` for anything else.
    pub fn parse(id: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.id() == id)
    }

    /// Its place in [`Tab::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_and_nothing_else_does() {
        for (i, t) in Tab::ALL.into_iter().enumerate() {
            assert_eq!(Tab::parse(t.id()), Some(t));
            assert_eq!(t.index(), i);
        }
        // A typo is not the overview: it is no tab.
        assert_eq!(Tab::parse("overveiw"), None);
        assert_eq!(Tab::parse("Overview"), None);
        assert_eq!(Tab::parse(""), None);
    }
}
