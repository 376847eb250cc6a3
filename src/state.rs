//! The widget's state and the one reducer that changes it (as in Yew's function_todomvc).

use std::rc::Rc;

use sla_rules::report::PeriodStatus;
use sla_rules::Evaluation;
use yew::Reducible;

use crate::load::LoadError;
use crate::tab::Tab;

/// Which document a progress figure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Usage,
    Incidents,
    Policy,
}

/// Bytes received of one document; `total` when the server said (`Content-Length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DocProgress {
    pub received: u64,
    pub total: Option<u64>,
    pub started: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub usage: DocProgress,
    pub incidents: DocProgress,
    pub policy: Option<DocProgress>,
    pub computing: bool,
}

/// A computed report and the minute map behind it (for timelines).
#[derive(Debug)]
pub struct Loaded {
    pub ev: Evaluation,
}

impl PartialEq for Loaded {
    /// One computation is one value: views re-render only when a new report arrives.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

#[derive(Debug, Clone)]
pub enum Phase {
    Loading(Progress),
    Failed(LoadError),
    Ready(Rc<Loaded>),
}

#[derive(Debug, Clone)]
pub struct State {
    pub phase: Phase,
    /// The selected tab.
    pub tab: Tab,
    /// The month the timeline shows, `YYYY-MM`.
    pub month: Option<String>,
    /// Bumped by Retry; the loading effect depends on it.
    pub attempt: u32,
    pub has_policy: bool,
    /// When the documents were last found current (ms since the epoch): the load, or the
    /// last re-check (a 304 counts). 0 before the first load.
    pub checked_at: f64,
    /// The first paint's hand-over (`crate::stage`, unused by the full build): loading the
    /// full build failed, so its tabs offer Retry. Here rather than in a hook of its own,
    /// because a second state hook costs the first paint half a kilobyte.
    pub handover_failed: bool,
    /// The hand-over's attempt, bumped by that Retry; its effect depends on it.
    pub handover_attempt: u32,
}

impl State {
    pub fn new(has_policy: bool) -> State {
        State {
            phase: Phase::Loading(Progress {
                policy: has_policy.then(DocProgress::default),
                ..Progress::default()
            }),
            tab: Tab::Overview,
            month: None,
            attempt: 0,
            has_policy,
            checked_at: 0.0,
            handover_failed: false,
            handover_attempt: 0,
        }
    }
}

pub enum Action {
    Progress(Doc, DocProgress),
    Computing,
    /// A report (first load, or a re-check that found a document changed): the selected
    /// month and tab stay when the new report still has them.
    Loaded(Rc<Loaded>),
    /// The documents were found current at this instant (ms since the epoch).
    Checked(f64),
    Failed(LoadError),
    Retry,
    Tab(Tab),
    SelectMonth(String),
    /// The hand-over (first paint): the full build could not be loaded.
    HandoverFailed,
    /// The hand-over (first paint): try loading the full build again.
    HandoverRetry,
}

/// The month shown first: the last judged period, else the last period.
pub fn default_month(ev: &Evaluation) -> Option<String> {
    let periods = &ev.report.periods;
    periods
        .iter()
        .rev()
        .find(|p| p.status == PeriodStatus::Judged)
        .or(periods.last())
        .map(|p| p.month.to_string())
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Progress(doc, p) => {
                if let Phase::Loading(progress) = &mut s.phase {
                    match doc {
                        Doc::Usage => progress.usage = p,
                        Doc::Incidents => progress.incidents = p,
                        Doc::Policy => progress.policy = Some(p),
                    }
                }
            }
            Action::Computing => {
                if let Phase::Loading(progress) = &mut s.phase {
                    progress.computing = true;
                }
            }
            Action::Loaded(l) => {
                let keep = s
                    .month
                    .as_ref()
                    .is_some_and(|m| l.ev.report.periods.iter().any(|p| &p.month == m));
                if !keep {
                    s.month = default_month(&l.ev);
                }
                s.phase = Phase::Ready(l);
            }
            Action::Checked(at) => s.checked_at = at,
            Action::Failed(e) => s.phase = Phase::Failed(e),
            Action::Retry => {
                let has_policy = s.has_policy;
                s.phase = Phase::Loading(Progress {
                    policy: has_policy.then(DocProgress::default),
                    ..Progress::default()
                });
                s.attempt += 1;
            }
            Action::Tab(t) => s.tab = t,
            Action::SelectMonth(m) => s.month = Some(m),
            Action::HandoverFailed => s.handover_failed = true,
            Action::HandoverRetry => {
                s.handover_failed = false;
                s.handover_attempt += 1;
            }
        }
        Rc::new(s)
    }
}
