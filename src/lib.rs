//! The SLA portal widget (placeholder until the widget lands).
