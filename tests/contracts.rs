//! Native tests of the contracts document (`contractsUrl`): what is read, the errors that name the JSON path, and the group summary's rows and totals, with figures worked out by hand.
// Native: the document and the view model need no browser (the group's views are e2e/group.test.mjs's).
#![cfg(not(target_arch = "wasm32"))]

use sla_portal::contracts::{self, Contracts};
use sla_portal::load::LoadError;
use sla_rules::claims::ClaimStatus;

const FILE: &str = "/api/v1/contracts";

/// Two contracts as docs/DATA_CONTRACT.md writes them. globex-cn: January and May 2026
/// breached; one claim (submitted) holds January, so one unit (May) is claimable.
/// globex-eu: nothing breached, nothing claimed, in +01:00.
const TWO: &str = r#"{"schema":"sla-portal/contracts/v1","as_of":"2026-11-29T12:00:00+08:00",
 "contracts":[
  {"id":"globex-cn","name":"Globex China","service_start":"2025-07-01","service_end":"2026-06-30",
   "timezone":"+08:00",
   "links":{"usage":"/api/v1/contracts/globex-cn/usage","incidents":"/api/v1/contracts/globex-cn/incidents",
            "policy":"/api/v1/contracts/globex-cn/policy","claims":"/api/v1/contracts/globex-cn/claims"},
   "summary":{"last_judged":{"month":"2026-05","availability":"99.97311","breached":true},
              "breached_months":["2026-01","2026-05"],"claimable_units":1,
              "claims":{"submitted":1,"under_review":0,"approved":0,"rejected":0,"fulfilled":0}}},
  {"id":"globex-eu","name":"Globex Europe","service_start":"2025-10-01","service_end":"2026-09-30",
   "timezone":"+01:00",
   "links":{"usage":"eu/usage","incidents":"eu/incidents"},
   "summary":{"last_judged":null,"breached_months":[],"claimable_units":0,
              "claims":{"submitted":0,"under_review":2,"approved":0,"rejected":1,"fulfilled":0}}}]}"#;

fn two() -> Contracts {
    contracts::parse(TWO.as_bytes(), FILE).unwrap()
}

/// The error's path and message, or the test fails saying what came instead.
fn contract_error(text: &str) -> (String, String) {
    match contracts::parse(text.as_bytes(), FILE) {
        Err(LoadError::Contract(e)) => {
            assert_eq!(e.file, FILE);
            (e.path, e.message)
        }
        other => panic!("expected a contract error, got {other:?}"),
    }
}

#[test]
fn reads_both_contracts_with_their_summaries() {
    let l = two();
    assert_eq!(l.as_of.as_deref(), Some("2026-11-29T12:00:00+08:00"));
    assert_eq!(l.contracts.len(), 2);
    let cn = &l.contracts[0];
    assert_eq!(cn.id, "globex-cn");
    assert_eq!(cn.name, "Globex China");
    assert_eq!(
        cn.links.claims.as_deref(),
        Some("/api/v1/contracts/globex-cn/claims")
    );
    let j = cn.summary.last_judged.as_ref().unwrap();
    assert_eq!(
        (j.month.as_str(), j.availability.as_str(), j.breached),
        ("2026-05", "99.97311", true)
    );
    assert_eq!(cn.summary.breached_months, ["2026-01", "2026-05"]);
    assert_eq!(cn.summary.claimable_units, 1);
    assert_eq!(cn.summary.claims[0], (ClaimStatus::Submitted, 1));
    let eu = &l.contracts[1];
    assert_eq!(eu.timezone, "+01:00");
    assert_eq!(eu.links.policy, None, "no policy link: the default policy");
    assert_eq!(eu.links.claims, None);
    assert_eq!(eu.summary.last_judged, None);
    assert_eq!(eu.summary.claims[1], (ClaimStatus::UnderReview, 2));
    assert_eq!(eu.summary.claims[3], (ClaimStatus::Rejected, 1));
}

#[test]
fn rows_carry_the_hooks_and_totals_add_up() {
    let l = two();
    let rows = contracts::rows(&l, Some("globex-eu"));
    assert_eq!(rows.len(), 2);
    // data-breached-months: the months, space-separated; data-claimable-units: the count.
    assert_eq!(rows[0].breached_months, "2026-01 2026-05");
    assert_eq!(rows[0].claimable_units, "1");
    assert_eq!(rows[0].claims_total, 1);
    assert_eq!(rows[0].claims_by_status, [(ClaimStatus::Submitted, 1)]);
    assert!(!rows[0].selected);
    assert_eq!(rows[1].breached_months, "");
    assert_eq!(rows[1].claimable_units, "0");
    // 0 + 2 + 0 + 1 + 0 claims, the empty statuses left out, in workflow order.
    assert_eq!(rows[1].claims_total, 3);
    assert_eq!(
        rows[1].claims_by_status,
        [(ClaimStatus::UnderReview, 2), (ClaimStatus::Rejected, 1)]
    );
    assert!(rows[1].selected);
    // Months below target: 2 + 0; units claimable now: 1 + 0.
    assert_eq!(contracts::totals(&l), (2, 1));
}

#[test]
fn the_first_contract_shown_is_the_hosts_if_listed() {
    let l = two();
    assert_eq!(l.initial(Some("globex-eu")).unwrap().id, "globex-eu");
    assert_eq!(l.initial(None).unwrap().id, "globex-cn");
    // An id the list does not have (another client's, a typo): the first, not an error.
    assert_eq!(l.initial(Some("acme")).unwrap().id, "globex-cn");
    let empty = contracts::parse(
        br#"{"schema":"sla-portal/contracts/v1","contracts":[]}"#,
        FILE,
    )
    .unwrap();
    assert!(empty.initial(Some("globex-cn")).is_none());
}

#[test]
fn errors_name_the_json_path() {
    let (path, msg) = contract_error(r#"{"schema":"sla-portal/contracts/v2","contracts":[]}"#);
    assert_eq!(path, "schema");
    assert!(msg.contains("sla-portal/contracts/v1"), "{msg}");
    assert_eq!(contract_error(r#"{"contracts":[]}"#).0, "schema");
    assert_eq!(
        contract_error(r#"{"schema":"sla-portal/contracts/v1"}"#).0,
        "contracts"
    );
    assert_eq!(contract_error(r#"[1,2]"#).0, "$");
    // Each bad field of the second contract, by its path.
    let with = |from: &str, to: &str| {
        let t = TWO.replacen(from, to, 1);
        assert_ne!(t, TWO, "the fixture has {from}");
        contract_error(&t)
    };
    assert_eq!(with(r#""eu/usage""#, "7").0, "contracts[1].links.usage");
    assert_eq!(
        with(r#""links":{"usage":"eu/usage","#, r#""links":{"#).0,
        "contracts[1].links.usage"
    );
    assert_eq!(
        with(r#""claimable_units":0"#, r#""claimable_units":-1"#).0,
        "contracts[1].summary.claimable_units"
    );
    assert_eq!(
        with(r#""under_review":2"#, r#""under_review":2.5"#).0,
        "contracts[1].summary.claims.under_review"
    );
    assert_eq!(
        with(r#""2026-05"]"#, r#""2026-13"]"#).0,
        "contracts[0].summary.breached_months[1]"
    );
    assert_eq!(
        with(r#""99.97311""#, r#""99,97""#).0,
        "contracts[0].summary.last_judged.availability"
    );
    assert_eq!(
        with(r#""breached":true"#, r#""breached":"yes""#).0,
        "contracts[0].summary.last_judged.breached"
    );
    assert_eq!(
        with(r#""id":"globex-eu""#, r#""id":"globex/eu""#).0,
        "contracts[1].id"
    );
    let (path, msg) = with(r#""id":"globex-eu""#, r#""id":"globex-cn""#);
    assert_eq!(path, "contracts[1].id");
    assert!(msg.contains("twice"), "{msg}");
}

#[test]
fn a_status_the_widget_does_not_know_is_skipped() {
    let t = TWO.replacen(
        r#""fulfilled":0}}}]"#,
        r#""fulfilled":0,"escalated":4}}}]"#,
        1,
    );
    assert_ne!(t, TWO);
    let l = contracts::parse(t.as_bytes(), FILE).unwrap();
    assert_eq!(contracts::rows(&l, None)[1].claims_total, 3);
}

#[test]
fn bad_bytes_never_panic() {
    assert!(matches!(
        contracts::parse(b"<html>502</html>", FILE),
        Err(LoadError::NotJson { file, .. }) if file == FILE
    ));
    // Every prefix of a good document: an error or (for the whole) the list, never a panic.
    for n in 0..TWO.len() {
        let _ = contracts::parse(&TWO.as_bytes()[..n], FILE);
    }
    for junk in [
        "null",
        "{}",
        r#"{"schema":"sla-portal/contracts/v1","contracts":[null]}"#,
        r#"{"schema":"sla-portal/contracts/v1","contracts":[{"id":"a","links":null}]}"#,
        r#"{"schema":"sla-portal/contracts/v1","contracts":{"a":1}}"#,
    ] {
        assert!(contracts::parse(junk.as_bytes(), FILE).is_err(), "{junk}");
    }
}

#[test]
fn subscriptions_sit_beside_the_contracts_list() {
    assert_eq!(
        contracts::subscriptions_beside("https://portal.example/api/v1/contracts?x=1").as_deref(),
        Some("https://portal.example/api/v1/subscriptions?x=1")
    );
    assert_eq!(contracts::subscriptions_beside("/groups/list"), None);
}
