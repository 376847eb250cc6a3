//! A group client's contracts against the real binary: the contracts document
//! and its summaries (hand-worked for two contracts of the demo's `globex`), the
//! per-contract routes, claims kept per contract, and the client-wide routes.

mod common;

use common::*;
use serde_json::{json, Value};

fn demo(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = temp_dir(name);
    let data = dir.join("data");
    let (ok, _, err) = cli(&["demo-data", "--out", data.to_str().expect("utf-8 path")]);
    assert!(ok, "demo-data failed: {err}");
    write_tokens(&data, &["acme", "globex"]);
    (data, dir.join("claims.db"))
}

fn contract<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no contract {id} in {doc}"))
}

/// The last month of `globex-eu` (+01:00, term 2026-01-01..2026-12-31) judged now:
/// the month before the current one there, never past December 2026.
fn eu_last_judged() -> String {
    let now = chrono::Utc::now() + chrono::Duration::hours(1);
    let (y, m) = (chrono::Datelike::year(&now), chrono::Datelike::month(&now));
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    if (py, pm) > (2026, 12) {
        "2026-12".into()
    } else {
        format!("{py}-{pm:02}")
    }
}

/// The days of a `YYYY-MM` of 2026 (no leap day that year).
fn days_in(month: &str) -> u64 {
    match &month[5..] {
        "02" => 28,
        "04" | "06" | "09" | "11" => 30,
        _ => 31,
    }
}

#[test]
fn the_group_summary_has_each_contracts_own_figures_and_claims_stay_per_contract_on_sqlite() {
    let (data, db) = demo("contracts");
    group_summary(&Server::start(&data, &db, &[]));
}

#[test]
fn the_group_summary_has_each_contracts_own_figures_and_claims_stay_per_contract_on_postgres() {
    let pg = pg::PgCluster::shared();
    let (data, db) = demo("contracts-pg");
    let url = pg.create_db();
    group_summary(&Server::start_db(
        &data,
        &url,
        db.with_extension("log"),
        &[],
    ));
}

fn group_summary(s: &Server) {
    let g = token_of("globex");
    let g = Some(g.as_str());

    let list = get(&s.url("/api/v1/contracts"), g, &[]);
    assert_eq!(list.status, 200);
    assert_eq!(list.header("cache-control"), Some("no-store"));
    let doc = list.json();
    assert_eq!(doc["schema"], "sla-portal/contracts/v1");
    let ids: Vec<&str> = doc["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["globex-cn", "globex-eu", "globex-hk"]);

    // globex-cn (README.md): March 44,610/44,640 = 99.93279 % and June 43,190/43,200
    // = 99.97685 % breached, one unit each; the last judged month is December 2025,
    // with no outage: 100.00000 %.
    let cn = contract(&doc, "globex-cn");
    assert_eq!(cn["name"], "Globex China");
    assert_eq!(
        (&cn["service_start"], &cn["service_end"], &cn["timezone"]),
        (&json!("2025-01-01"), &json!("2025-12-31"), &json!("+08:00"))
    );
    assert_eq!(
        cn["links"],
        json!({"usage": "/api/v1/contracts/globex-cn/usage",
               "incidents": "/api/v1/contracts/globex-cn/incidents",
               "policy": "/api/v1/contracts/globex-cn/policy",
               "claims": "/api/v1/contracts/globex-cn/claims"})
    );
    let none = json!({"submitted": 0, "under_review": 0, "approved": 0, "rejected": 0,
                      "fulfilled": 0});
    assert_eq!(
        cn["summary"],
        // No telemetry (declared outages only): no data horizon, and all of December's
        // 31 × 1,440 = 44,640 minutes lie after it.
        json!({"last_judged": {"month": "2025-12", "availability": "100.00000", "breached": false,
                               "minutes_after_data_horizon": 44_640},
               "data_horizon": null,
               "breached_months": ["2025-03", "2025-06"], "claimable_units": 2,
               "claims": none})
    );

    // globex-eu, +01:00: February 40,300/40,320 = 99.95039 % and April (10 minutes
    // before local midnight of 05-01) 43,190/43,200 = 99.97685 %: two units.
    let eu = contract(&doc, "globex-eu");
    assert_eq!(
        (&eu["name"], &eu["timezone"]),
        (&json!("Globex Europe"), &json!("+01:00"))
    );
    assert_eq!(
        eu["summary"],
        json!({"last_judged": {"month": eu_last_judged(), "availability": "100.00000",
                               "breached": false,
                               "minutes_after_data_horizon": days_in(&eu_last_judged()) * 1440},
               "data_horizon": null,
               "breached_months": ["2026-02", "2026-04"], "claimable_units": 2,
               "claims": none})
    );
    // globex-hk has no outage: nothing breached, nothing to claim.
    let hk = &contract(&doc, "globex-hk")["summary"];
    assert_eq!(
        (&hk["breached_months"], &hk["claimable_units"]),
        (&json!([]), &json!(0))
    );

    // The figures are the contract's own report's: its documents say February had
    // outage P-1 of 20 minutes, which the widget's report turns into 99.95039 %.
    let usage = get(&s.url("/api/v1/contracts/globex-eu/usage"), g, &[]);
    assert_eq!(usage.status, 200);
    assert_eq!(usage.json()["contract"]["id"], "globex-eu");

    // A claim on globex-eu for February: credit (400 + 200) / 2 = 300 contracts.
    let eu_claims = s.url("/api/v1/contracts/globex-eu/claims");
    let wrong = post(
        &eu_claims,
        g,
        &claim(&uuid(19, 1), "globex-cn", &["2025-03"], 1, 300),
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(wrong.error_code(), "contract_mismatch");
    let filed = post(
        &eu_claims,
        g,
        &claim(&uuid(19, 2), "globex-eu", &["2026-02"], 1, 300),
    );
    assert_eq!(
        filed.status,
        201,
        "{}",
        String::from_utf8_lossy(&filed.body)
    );
    assert_eq!(filed.json()["granted"]["contract_credit"], 300);
    // April alone: (400 + 200 + 300 + 500) / 4 = 350.
    let april = post(
        &eu_claims,
        g,
        &claim(&uuid(19, 3), "globex-eu", &["2026-04"], 1, 999),
    );
    assert_eq!(april.status, 422);
    assert_eq!(
        april.json()["error"]["details"]["granted"]["contract_credit"],
        350
    );

    let doc = get(&s.url("/api/v1/contracts"), g, &[]).json();
    let eu = &contract(&doc, "globex-eu")["summary"];
    assert_eq!(eu["claimable_units"], 1);
    assert_eq!(eu["claims"]["submitted"], 1);
    // The sibling is untouched: its claims and units are its own.
    let cn = &contract(&doc, "globex-cn")["summary"];
    assert_eq!(
        (&cn["claimable_units"], &cn["claims"]["submitted"]),
        (&json!(2), &json!(0))
    );
    let eu_list = get(&eu_claims, g, &[]).json();
    assert_eq!(eu_list["claims"].as_array().map(Vec::len), Some(1));
    let cn_list = get(&s.url("/api/v1/contracts/globex-cn/claims"), g, &[]).json();
    assert_eq!(cn_list["claims"], json!([]));

    // The client-wide routes need a contract for a group; each names the ids.
    for route in ["usage", "incidents", "policy", "claims"] {
        let r = get(&s.url(&format!("/api/v1/{route}")), g, &[]);
        assert_eq!(r.status, 400, "{route}");
        assert_eq!(r.error_code(), "contract_required");
        assert_eq!(
            r.json()["error"]["details"]["contracts"],
            json!(["globex-cn", "globex-eu", "globex-hk"])
        );
    }

    // Another client's contract, or one that does not exist: the same 403.
    let acme = token_of("acme");
    for url in [
        "/api/v1/contracts/globex-eu/usage",
        "/api/v1/contracts/globex-eu/claims",
        "/api/v1/contracts/nope/usage",
    ] {
        let r = get(&s.url(url), Some(&acme), &[]);
        assert_eq!(r.status, 403, "{url}");
        assert_eq!(r.error_code(), "forbidden");
    }
    let r = post(
        &eu_claims,
        Some(&acme),
        &claim(&uuid(19, 4), "globex-eu", &["2026-04"], 1, 350),
    );
    assert_eq!(r.status, 403);

    // A one-contract client lists its one contract, under its usage.json's id, and
    // the per-contract routes answer for it too.
    let a = get(&s.url("/api/v1/contracts"), Some(&acme), &[]).json();
    let only = a["contracts"].as_array().expect("contracts");
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["id"], "BS-2025-0042");
    assert_eq!(only[0]["name"], "示例科技有限公司");
    let u = get(
        &s.url("/api/v1/contracts/BS-2025-0042/usage"),
        Some(&acme),
        &[],
    );
    assert_eq!(u.status, 200);
    assert_eq!(
        u.body,
        get(&s.url("/api/v1/usage"), Some(&acme), &[]).body,
        "the same document by either route"
    );
    assert_eq!(
        get(
            &s.url("/api/v1/contracts/globex-cn/usage"),
            Some(&acme),
            &[]
        )
        .status,
        403
    );
    assert_eq!(get(&s.url("/api/v1/contracts"), None, &[]).status, 401);
}

#[test]
fn each_contract_of_a_group_announces_its_own_breaches_with_its_contract_id() {
    let data = temp_dir("contracts-sweep");
    write_tokens(&data, &["grp"]);
    let contracts = data.join("grp").join("contracts");
    write_client(&contracts, "a", "a", &[]);
    write_client(&contracts, "b", "b", &[]);
    let rx = common::receiver::Receiver::start(&[]);
    let fast = [
        "--allow-webhook-host",
        "127.0.0.1",
        "--evaluate-every",
        "0.2",
        "--webhook-backoff-ms",
        "100",
    ];
    let s = Server::start(&data, &data.join("claims.db"), &fast);
    let r = post(
        &s.url("/api/v1/subscriptions"),
        Some(&token_of("grp")),
        &json!({"url": rx.url, "events": ["period.breached"], "description": "ops"}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    // March breaches in both contracts, May in b only (write_client's hand-worked
    // 30-minute outages): three events, the same month twice, once per contract.
    write_client(&contracts, "a", "a", &[3]);
    write_client(&contracts, "b", "b", &[3, 5]);
    wait_for(30, "three breaches", || rx.got().len() >= 3);
    std::thread::sleep(std::time::Duration::from_millis(600));
    let mut got: Vec<(String, String, String)> = rx
        .got()
        .iter()
        .map(|r| {
            let v = r.json();
            let d = &v["data"];
            (
                d["client_id"].as_str().unwrap_or("").to_string(),
                d["contract_id"].as_str().unwrap_or("").to_string(),
                d["period"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("grp", "a", "2025-03"),
        ("grp", "b", "2025-03"),
        ("grp", "b", "2025-05"),
    ]
    .map(|(c, k, p)| (c.to_string(), k.to_string(), p.to_string()));
    assert_eq!(got, want);
}
