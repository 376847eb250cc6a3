//! Compensation and claim rules of docs/RULES.md §5 and docs/DATA_CONTRACT.md "claims".

mod common;
use common::*;
use serde_json::json;
use sla_rules::claims::{check_claim, parse_claim, ClaimRequest, Contact, Expected, Remedy};
use sla_rules::wire::ErrorReply;

/// Two outages: 5 min in February (28 d, budget 4.03) and 5 min in March (budget 4.46):
/// both months breach, one unit each.
fn two_breached_months(service_end: &str) -> serde_json::Value {
    let mut doc = usage("2026-01-01", service_end);
    outage(
        &mut doc,
        "2026-02-10T10:00:00+08:00",
        "2026-02-10T10:05:00+08:00",
    );
    outage(
        &mut doc,
        "2026-03-10T10:00:00+08:00",
        "2026-03-10T10:05:00+08:00",
    );
    for (m, s) in [("2026-01", 900), ("2026-02", 1000), ("2026-03", 1201)] {
        push(
            &mut doc,
            "signing",
            json!({ "month": m, "signed": s, "failed": 1 }),
        );
    }
    doc
}

#[test]
fn a_tie_is_attributed_to_the_earlier_breached_month() {
    // 02-28 23:55 .. 03-01 00:05: 5 minutes in each month, both breach; the tie goes to February.
    let mut doc = usage("2026-01-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-02-28T23:55:00+08:00",
        "2026-03-01T00:05:00+08:00",
    );
    // The default counts breached months (§4.14.2: one 宕机 is one breached period), so
    // the one outage that breached both months grants 2 units.
    let r = run(&doc, &no_incidents(), None, "2026-04-01T00:00:00+08:00");
    assert!(period(&r, "2026-02").breached && period(&r, "2026-03").breached);
    assert_eq!(r.entitlement.units, 2);
    // Per outage, the outage counts once, in the earlier month of the tie.
    let p = policy(json!({ "compensation_unit": "per_outage" }));
    let r = run(&doc, &no_incidents(), Some(&p), "2026-04-01T00:00:00+08:00");
    assert_eq!(
        r.outages[0].attributed_to.map(|m| m.to_string()).as_deref(),
        Some("2026-02")
    );
    assert_eq!(r.entitlement.units, 1);
    assert_eq!(r.entitlement.breached_periods, ["2026-02", "2026-03"]);
    // The evidence is the same under either setting.
    assert_eq!(
        (
            period(&r, "2026-02").compensable_outages,
            period(&r, "2026-03").compensable_outages
        ),
        (1, 0)
    );
}

#[test]
fn a_breached_month_with_its_outage_counted_elsewhere_still_grants_one_unit() {
    // 01-31 23:58 .. 02-01 00:08: 2 minutes in January (31 d, budget 4.46: 2 < 4.46, but
    // plus a 5-minute outage on 01-10 makes 7 > 4.46, breached), 8 in February (breached).
    // Per outage, January's 5-minute outage is attributed to January and the crossing
    // one to February: 2 units. A third outage in February makes per_outage 3, while
    // per_breached_month stays 2: a month's units do not depend on how its minutes group.
    let mut doc = usage("2026-01-01", "2026-12-31");
    outage(
        &mut doc,
        "2026-01-10T10:00:00+08:00",
        "2026-01-10T10:05:00+08:00",
    );
    outage(
        &mut doc,
        "2026-01-31T23:58:00+08:00",
        "2026-02-01T00:08:00+08:00",
    );
    outage(
        &mut doc,
        "2026-02-20T10:00:00+08:00",
        "2026-02-20T10:05:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-03-01T00:00:00+08:00");
    assert_eq!(r.entitlement.breached_periods, ["2026-01", "2026-02"]);
    assert_eq!(r.entitlement.units, 2);
    assert_eq!(r.entitlement.service_extension.months, 2);
    let p = policy(json!({ "compensation_unit": "per_outage" }));
    let r = run(&doc, &no_incidents(), Some(&p), "2026-03-01T00:00:00+08:00");
    assert_eq!(r.entitlement.units, 3);
}

#[test]
fn extension_from_the_thirty_first_clamps_to_the_month_end() {
    // service_end 2027-01-31, 1 unit: 2027-02-31 does not exist -> 2027-02-28.
    let mut doc = usage("2026-01-01", "2027-01-31");
    outage(
        &mut doc,
        "2026-02-10T10:00:00+08:00",
        "2026-02-10T10:05:00+08:00",
    );
    let r = run(&doc, &no_incidents(), None, "2026-04-01T00:00:00+08:00");
    assert_eq!(r.entitlement.service_extension.months, 1);
    assert_eq!(r.entitlement.service_extension.service_end, "2027-02-28");
}

#[test]
fn the_monthly_average_is_year_to_date_over_judged_months_rounded_half_up() {
    // February: judged months of 2026 up to Feb with data: Jan 900, Feb 1,000 -> 950.
    // March: (900 + 1,000 + 1,201) / 3 = 1,033.67 -> 1,034. Credit 950 + 1,034 = 1,984.
    let r = run(
        &two_breached_months("2026-12-31"),
        &no_incidents(),
        None,
        "2026-04-01T00:00:00+08:00",
    );
    let c = &r.entitlement.contract_credit;
    assert_eq!(c.per_period[0].monthly_average, 950);
    assert_eq!(
        (c.per_period[1].average_sum, c.per_period[1].average_months),
        (3101, 3)
    );
    assert_eq!(c.per_period[1].monthly_average, 1034);
    assert_eq!(c.contracts, 1984);
    // Floor: 950 + 1,033 = 1,983.
    let p = policy(json!({ "rounding": "floor" }));
    let r = run(
        &two_breached_months("2026-12-31"),
        &no_incidents(),
        Some(&p),
        "2026-04-01T00:00:00+08:00",
    );
    assert_eq!(r.entitlement.contract_credit.contracts, 1983);
}

#[test]
fn the_trailing_window_reaches_into_the_previous_year() {
    // Contract from 2025-12-01: December 2025 signed 3,000. A breach in January 2026:
    // year to date = January only (1,000); trailing 12 months = (3,000 + 1,000) / 2 = 2,000.
    let mut doc = usage("2025-12-01", "2026-11-30");
    outage(
        &mut doc,
        "2026-01-10T10:00:00+08:00",
        "2026-01-10T10:05:00+08:00",
    );
    push(
        &mut doc,
        "signing",
        json!({ "month": "2025-12", "signed": 3000, "failed": 0 }),
    );
    push(
        &mut doc,
        "signing",
        json!({ "month": "2026-01", "signed": 1000, "failed": 0 }),
    );
    let r = run(&doc, &no_incidents(), None, "2026-02-01T00:00:00+08:00");
    assert_eq!(r.entitlement.contract_credit.contracts, 1000);
    let p = policy(json!({ "average_window": "trailing_12_months" }));
    let r = run(&doc, &no_incidents(), Some(&p), "2026-02-01T00:00:00+08:00");
    assert_eq!(r.entitlement.contract_credit.contracts, 2000);
}

fn claim(periods: &[&str], remedy: Remedy, expected: Expected) -> ClaimRequest {
    ClaimRequest {
        schema: "sla-portal/claim/v1".into(),
        claim_id: "3f6c1c2e-8a4b-4c1d-9e2f-0a1b2c3d4e5f".into(),
        contract_id: "K-1".into(),
        periods: periods.iter().map(|s| s.to_string()).collect(),
        remedy,
        expected,
        contact: Contact {
            name: "王敏".into(),
            email: "wm@example.com".into(),
            phone: "+86 138-0000-0000".into(),
        },
        note: String::new(),
    }
}

#[test]
fn the_server_check_accepts_exact_figures_and_refuses_the_rest() {
    let r = run(
        &two_breached_months("2026-12-31"),
        &no_incidents(),
        None,
        "2026-04-01T00:00:00+08:00",
    );
    let credit = |n| Expected {
        units: 2,
        service_extension_months: None,
        contract_credit: Some(n),
    };
    // Both months, credit 1,984 (worked out above): accepted.
    let g = check_claim(
        &r,
        &[],
        &claim(
            &["2026-02", "2026-03"],
            Remedy::ContractCredit,
            credit(1984),
        ),
    )
    .unwrap();
    assert_eq!(g.contract_credit, Some(1984));
    // A tampered figure: 422 with the server's figures.
    let e = check_claim(
        &r,
        &[],
        &claim(
            &["2026-02", "2026-03"],
            Remedy::ContractCredit,
            credit(5000),
        ),
    )
    .map_err(ErrorReply::from)
    .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (422, "expected_mismatch"));
    assert_eq!(e.details["granted"]["contract_credit"], 1984);
    // February already claimed: 409.
    let e = check_claim(
        &r,
        &["2026-02".into()],
        &claim(&["2026-02"], Remedy::ContractCredit, credit(950)),
    )
    .map_err(ErrorReply::from)
    .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (409, "period_already_claimed"));
    // January did not breach: 422.
    let e = check_claim(
        &r,
        &[],
        &claim(&["2026-01"], Remedy::ContractCredit, credit(0)),
    )
    .map_err(ErrorReply::from)
    .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (422, "period_not_breached"));
    // Extension for March alone: 1 month, end 2026-12-31 + 1 = 2027-01-31.
    let ext = Expected {
        units: 1,
        service_extension_months: Some(1),
        contract_credit: None,
    };
    let g = check_claim(&r, &[], &claim(&["2026-03"], Remedy::ServiceExtension, ext)).unwrap();
    assert_eq!(g.service_end.as_deref(), Some("2027-01-31"));
    // Another contract: 403.
    let mut other = claim(&["2026-03"], Remedy::ContractCredit, credit(1034));
    other.contract_id = "K-2".into();
    let e = ErrorReply::from(check_claim(&r, &[], &other).unwrap_err());
    assert_eq!(e.status, 403);
}

#[test]
fn malformed_claims_are_refused_with_the_path() {
    let mut body = serde_json::to_value(claim(
        &["2026-02"],
        Remedy::ContractCredit,
        Expected {
            units: 1,
            service_extension_months: None,
            contract_credit: Some(950),
        },
    ))
    .unwrap();
    assert!(parse_claim(&serde_json::to_vec(&body).unwrap(), "claim").is_ok());
    body["contact"]["email"] = json!("not-an-address");
    assert_eq!(
        parse_claim(&serde_json::to_vec(&body).unwrap(), "claim")
            .unwrap_err()
            .to_string(),
        "claim: contact.email: email_invalid"
    );
    body["contact"]["email"] = json!("wm@example.com");
    body["claim_id"] = json!("1234");
    assert_eq!(
        parse_claim(&serde_json::to_vec(&body).unwrap(), "claim")
            .unwrap_err()
            .path,
        "claim_id"
    );
    body["claim_id"] = json!("3f6c1c2e-8a4b-4c1d-9e2f-0a1b2c3d4e5f");
    body["remedy"] = json!("cash");
    assert_eq!(
        parse_claim(&serde_json::to_vec(&body).unwrap(), "claim")
            .unwrap_err()
            .path,
        "remedy"
    );
}

#[test]
fn contact_details_are_validated_once_for_widget_and_server() {
    use sla_rules::claims::{validate_contact, ContactProblem::*};
    let ok = Contact {
        name: "王敏".into(),
        email: "wm@example.com".into(),
        phone: "+86 138 0000 0000".into(),
    };
    assert!(validate_contact(&ok).is_empty());
    let bad = Contact {
        name: "  ".into(),
        email: "a@b".into(),
        phone: "12-".into(),
    };
    assert_eq!(
        validate_contact(&bad),
        vec![NameMissing, EmailInvalid, PhoneInvalid]
    );
}
