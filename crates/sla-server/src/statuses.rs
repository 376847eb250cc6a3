//! The claim status names as help texts and error messages list them, made from
//! the rules core's `ClaimStatus::ALL` and its workflow, so a status added there
//! cannot be left out of one message.

use crate::store::Status;

/// Every status, in workflow order: the values `?status=` accepts.
pub fn all() -> Vec<&'static str> {
    Status::ALL.iter().map(|s| s.as_str()).collect()
}

/// The statuses a claim can be moved to: what `set-status` accepts.
pub fn targets() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|to| Status::ALL.iter().any(|from| from.can_move_to(**to)))
        .map(|s| s.as_str())
        .collect()
}

/// `a, b, c or d`, for prose.
pub fn or_list(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_follow_the_workflow() {
        // Submitted is where every claim starts and nothing moves back to it.
        assert_eq!(
            all(),
            [
                "submitted",
                "under_review",
                "approved",
                "rejected",
                "fulfilled"
            ]
        );
        assert_eq!(
            targets(),
            ["under_review", "approved", "rejected", "fulfilled"]
        );
        assert_eq!(
            or_list(&targets()),
            "under_review, approved, rejected or fulfilled"
        );
        assert_eq!(or_list(&["a"]), "a");
        assert_eq!(or_list(&[]), "");
    }
}
