//! The data contract's routes against the real binary: every status code,
//! the cross-client refusals, conditional GET and compression, static files,
//! the demo token, operator commands and graceful shutdown.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

/// The project's demo data set with tokens the tests know.
fn demo_data(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let data = dir.join("data");
    let (ok, _, err) = cli(&["demo-data", "--out", data.to_str().expect("utf-8 path")]);
    assert!(ok, "demo-data failed: {err}");
    write_tokens(&data, &["acme", "globex"]);
    (data, dir.join("claims.db"))
}

fn globex_claim(id: &str, periods: &[&str], units: u64, credit: u64) -> String {
    claim(id, "globex-cn", periods, units, credit)
}

#[test]
fn documents_need_a_token_and_stay_with_their_client() {
    let (data, db) = demo_data("docs");
    let s = Server::start(&data, &db, &[]);
    let acme = token_of("acme");
    let url = s.url("/api/v1/usage");

    let none = get(&url, None, &[]);
    assert_eq!(none.status, 401);
    assert_eq!(none.error_code(), "unauthorized");
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    assert_eq!(get(&url, Some("not-a-token"), &[]).status, 401);
    let basic = get(&url, None, &[("Authorization", "Basic YWNtZTp4")]);
    assert_eq!(basic.status, 401);

    let ok = get(&url, Some(&acme), &[]);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["contract"]["id"], "BS-2025-0042");
    assert_eq!(
        get(&s.url("/api/v1/usage?client=acme"), Some(&acme), &[]).status,
        200
    );
    let other = get(&s.url("/api/v1/usage?client=globex"), Some(&acme), &[]);
    assert_eq!(other.status, 403);
    assert_eq!(other.error_code(), "forbidden");
    // The query is percent-decoded: "ac%6De" is "acme", "glo%62ex" is "globex".
    assert_eq!(
        get(&s.url("/api/v1/usage?client=ac%6De"), Some(&acme), &[]).status,
        200
    );
    let other = get(
        &s.url("/api/v1/usage?x=1&client=glo%62ex"),
        Some(&acme),
        &[],
    );
    assert_eq!(other.status, 403);
    // globex is a group of three contracts: the client-wide route names them.
    let g = get(&url, Some(&token_of("globex")), &[]);
    assert_eq!(g.status, 400);
    assert_eq!(g.error_code(), "contract_required");
    assert_eq!(
        g.json()["error"]["details"]["contracts"],
        json!(["globex-cn", "globex-eu", "globex-hk"])
    );
    let g = get(
        &s.url("/api/v1/contracts/globex-cn/usage"),
        Some(&token_of("globex")),
        &[],
    );
    assert_eq!(g.json()["contract"]["id"], "globex-cn");

    // acme has a policy document, globex none: the widget treats it as optional.
    assert_eq!(get(&s.url("/api/v1/policy"), Some(&acme), &[]).status, 200);
    let np = get(
        &s.url("/api/v1/contracts/globex-cn/policy"),
        Some(&token_of("globex")),
        &[],
    );
    assert_eq!(np.status, 404);
    assert_eq!(np.error_code(), "not_found");

    // Provider text is served as JSON data, never as a page.
    let inc = get(&s.url("/api/v1/incidents"), Some(&acme), &[]);
    assert_eq!(inc.status, 200);
    assert_eq!(inc.header("content-type"), Some("application/json"));
    assert_eq!(inc.header("x-content-type-options"), Some("nosniff"));
    let titles = inc.json()["incidents"].to_string();
    assert!(titles.contains("<img src=x onerror=alert(1)>"));

    assert_eq!(get(&s.url("/api/v1/nothing"), Some(&acme), &[]).status, 404);
}

#[test]
fn usage_answers_conditional_get_and_compresses() {
    let (data, db) = demo_data("etag");
    let s = Server::start(&data, &db, &[]);
    let t = token_of("acme");
    let url = s.url("/api/v1/usage");
    let first = get(&url, Some(&t), &[]);
    let etag = first.header("etag").expect("ETag").to_string();
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));

    let again = get(&url, Some(&t), &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let stale = get(&url, Some(&t), &[("If-None-Match", "W/\"0000\"")]);
    assert_eq!(stale.status, 200);

    // Telemetry is lists of small integers: both codecs shrink it more than 3 times.
    for enc in ["br", "gzip"] {
        let c = get(&url, Some(&t), &[("Accept-Encoding", enc)]);
        assert_eq!(c.status, 200);
        assert_eq!(c.header("content-encoding"), Some(enc));
        assert!(
            c.body.len() * 3 < first.body.len(),
            "{enc}: {} of {} bytes",
            c.body.len(),
            first.body.len()
        );
        assert_eq!(c.header("vary"), Some("accept-encoding"));
        let mut plain = Vec::new();
        let decoded = if enc == "br" {
            std::io::Read::read_to_end(
                &mut brotli::Decompressor::new(&c.body[..], 4096),
                &mut plain,
            )
        } else {
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&c.body[..]), &mut plain)
        };
        decoded.expect("decodes");
        assert!(plain == first.body, "{enc} decodes to the document");
    }

    // A replaced document gets a new validator.
    let usage = data.join("acme/usage.json");
    let mut text = std::fs::read_to_string(&usage).expect("usage");
    text.push(' ');
    std::fs::write(&usage, text).expect("rewrite");
    let changed = get(&url, Some(&t), &[("If-None-Match", &etag)]);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

#[test]
fn claims_answer_every_status_of_the_data_contract() {
    let (data, db) = demo_data("claims");
    let s = Server::start(&data, &db, &[]);
    let url = s.url("/api/v1/contracts/globex-cn/claims");
    let g = token_of("globex");
    let g = Some(g.as_str());

    let none = post(&url, None, &globex_claim(&uuid(1, 1), &["2025-03"], 1, 300));
    assert_eq!(none.status, 401);

    let malformed = post(&url, g, "{");
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.error_code(), "bad_request");
    let bad_id = post(
        &url,
        g,
        &globex_claim("<script>alert(1)</script>", &["2025-03"], 1, 300),
    );
    assert_eq!(bad_id.status, 400);
    assert!(bad_id.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("claim_id"));
    // The body quotes nothing as markup, whatever the input held.
    let echo = post(&url, g, r#"{"schema":"<script>alert(1)</script>"}"#);
    assert_eq!(echo.status, 400);
    assert!(
        !echo.body.contains(&b'<'),
        "{}",
        String::from_utf8_lossy(&echo.body)
    );
    assert!(echo
        .header("content-type")
        .unwrap_or("")
        .starts_with("application/json"));

    let huge = post(&url, g, &"x".repeat(100_000));
    assert_eq!(huge.status, 413);
    assert_eq!(huge.error_code(), "payload_too_large");

    // globex (README.md): April 2025 had no outage.
    let april = post(&url, g, &globex_claim(&uuid(1, 2), &["2025-04"], 1, 300));
    assert_eq!(april.status, 422);
    assert_eq!(april.error_code(), "period_not_breached");

    // March 2025: 44,640 minutes, 30 down, 99.93279 % < 99.99 %: one unit. The
    // monthly average is (100 + 200 + 600) / 3 = 300 contracts. A tampered figure
    // is refused with the server's own.
    let tampered = post(&url, g, &globex_claim(&uuid(1, 3), &["2025-03"], 1, 999));
    assert_eq!(tampered.status, 422);
    assert_eq!(tampered.error_code(), "expected_mismatch");
    let granted = &tampered.json()["error"]["details"]["granted"];
    assert_eq!(granted["units"], 1);
    assert_eq!(granted["contract_credit"], 300);

    // acme's token cannot claim globex's contract, on its own route or on globex's.
    let cross = post(
        &s.url("/api/v1/claims"),
        Some(&token_of("acme")),
        &globex_claim(&uuid(1, 4), &["2025-03"], 1, 300),
    );
    assert_eq!(cross.status, 403);
    assert_eq!(cross.error_code(), "contract_mismatch");
    let cross = post(
        &url,
        Some(&token_of("acme")),
        &globex_claim(&uuid(1, 4), &["2025-03"], 1, 300),
    );
    assert_eq!(cross.status, 403);
    assert_eq!(cross.error_code(), "forbidden");

    let id = uuid(1, 5);
    let body = globex_claim(&id, &["2025-03"], 1, 300);
    let filed = post(&url, g, &body);
    assert_eq!(
        filed.status,
        201,
        "{}",
        String::from_utf8_lossy(&filed.body)
    );
    let c = filed.json();
    assert_eq!(c["claim_id"], id.as_str());
    assert_eq!(c["status"], "submitted");
    assert_eq!(c["granted"]["contract_credit"], 300);
    assert_eq!(c["periods"], json!(["2025-03"]));
    assert_eq!(c["submitted_at"], c["updated_at"]);

    // A retry files nothing new and answers the stored claim.
    let retry = post(&url, g, &body);
    assert_eq!(retry.status, 200);
    assert_eq!(retry.json(), c);

    let reused = post(
        &url,
        g,
        &body.replace("\"note\":\"\"", "\"note\":\"again\""),
    );
    assert_eq!(reused.status, 409);
    assert_eq!(reused.error_code(), "claim_id_reused");
    let twice = post(&url, g, &globex_claim(&uuid(1, 6), &["2025-03"], 1, 300));
    assert_eq!(twice.status, 409);
    assert_eq!(twice.error_code(), "period_already_claimed");
    assert_eq!(
        twice.json()["error"]["details"]["periods"],
        json!(["2025-03"])
    );

    // June: 43,200 minutes, 10 down. One month's extension moves the end of the
    // term from 2025-12-31 to 2026-01-31.
    let ext = serde_json::json!({
        "schema": "sla-portal/claim/v1", "claim_id": uuid(1, 7), "contract_id": "globex-cn",
        "periods": ["2025-06"], "remedy": "service_extension",
        "expected": {"units": 1, "service_extension_months": 1},
        "contact": {"name": "Ann", "email": "ann@example.com", "phone": "12345"}});
    let ext = post(&url, g, &ext.to_string());
    assert_eq!(ext.status, 201, "{}", String::from_utf8_lossy(&ext.body));
    assert_eq!(ext.json()["granted"]["service_end"], "2026-01-31");

    let list = get(&url, g, &[]);
    assert_eq!(list.status, 200);
    let l = list.json();
    assert_eq!(l["schema"], "sla-portal/claims/v1");
    let ids: Vec<&str> = l["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .filter_map(|c| c["claim_id"].as_str())
        .collect();
    assert_eq!(ids, vec![id.clone(), uuid(1, 7)]);
    // Another client sees none of them.
    let acme_list = get(&s.url("/api/v1/claims"), Some(&token_of("acme")), &[]).json();
    assert_eq!(acme_list["claims"], json!([]));
    // The list carries a tag. Asked again with it, an unchanged list is a 304 without a body
    // (the widget re-reads it every minute); it is never kept in a browser's cache.
    let tag = list.header("etag").expect("the list's ETag").to_string();
    assert_eq!(list.header("cache-control"), Some("no-store"));
    let same = get(&url, g, &[("If-None-Match", &tag)]);
    assert_eq!(same.status, 304);
    assert!(same.body.is_empty());

    let del = agent_delete(&url);
    assert_eq!(del, 405);

    // The operator moves the claim on; the API shows it, and the workflow holds.
    let dbs = db.to_str().expect("utf-8 path");
    let (ok, out, err) = cli(&[
        "claims",
        "set-status",
        &id,
        "under_review",
        "--db",
        dbs,
        "--note",
        "checking logs",
    ]);
    assert!(ok, "{out}{err}");
    // A new status is a new list: the old tag answers the body.
    let after = get(&url, g, &[("If-None-Match", &tag)]);
    assert_eq!(after.status, 200);
    assert_ne!(after.header("etag"), Some(tag.as_str()));
    let after = after.json();
    assert_eq!(after["claims"][0]["status"], "under_review");
    let (ok, _, err) = cli(&["claims", "set-status", &id, "submitted", "--db", dbs]);
    assert!(!ok);
    assert!(err.contains("cannot become submitted"), "{err}");
    let (ok, _, err) = cli(&["claims", "set-status", &uuid(9, 9), "approved", "--db", dbs]);
    assert!(!ok && err.contains("no claim"), "{err}");
    let (ok, out, _) = cli(&["claims", "list", "--db", dbs]);
    assert!(
        ok && out.contains(&id) && out.contains("under_review"),
        "{out}"
    );
}

fn agent_delete(url: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .delete(url)
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[test]
fn the_widget_is_served_with_its_types_and_security_headers() {
    let (data, db) = demo_data("static");
    let dist = data.parent().expect("parent").join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>demo</title>",
    )
    .expect("html");
    std::fs::write(dist.join("sla_portal.js"), "export default 1;").expect("js");
    std::fs::write(dist.join("sla_portal_bg.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    let s = Server::start(&data, &db, &["--dist", dist.to_str().expect("utf-8")]);

    let page = get(&s.url("/"), None, &[]);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        page.header("content-security-policy"),
        Some(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' \
             'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
             base-uri 'none'; frame-ancestors 'self'"
        )
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));

    let wasm = get(&s.url("/sla-portal/sla_portal_bg.wasm"), None, &[]);
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.body, b"\0asm\x01\0\0\0");
    let js = get(&s.url("/sla-portal/sla_portal.js"), None, &[]);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(get(&s.url("/sla_portal.js"), None, &[]).status, 200);
    let etag = js.header("etag").expect("etag").to_string();
    let cached = get(
        &s.url("/sla-portal/sla_portal.js"),
        None,
        &[("If-None-Match", &etag)],
    );
    assert_eq!(cached.status, 304);

    // Nothing outside DIST: the data directory sits next to it.
    for p in [
        "/sla-portal/../data/tokens.json",
        "/sla-portal/%2e%2e/data/tokens.json",
        "/.hidden",
    ] {
        assert_eq!(get(&s.url(p), None, &[]).status, 404, "{p}");
    }
}

#[test]
fn a_prebuilt_brotli_file_is_sent_to_browsers_that_accept_it() {
    let (data, db) = demo_data("static-br");
    let dist = data.parent().expect("parent").join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..4000u32).flat_map(|i| (i % 251).to_le_bytes()))
        .collect();
    std::fs::write(dist.join("sla_portal_bg.wasm"), &wasm).expect("wasm");
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        std::io::Write::write_all(&mut w, &wasm).expect("compress");
    }
    std::fs::write(dist.join("sla_portal_bg.wasm.br"), &br).expect("br");
    let s = Server::start(&data, &db, &["--dist", dist.to_str().expect("utf-8")]);
    let url = s.url("/sla-portal/sla_portal_bg.wasm");

    let got = get(&url, None, &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-encoding"), Some("br"));
    assert_eq!(got.header("content-type"), Some("application/wasm"));
    assert_eq!(got.header("vary"), Some("accept-encoding"));
    assert_eq!(got.body, br, "the prebuilt file, not compressed again");
    let etag = got.header("etag").expect("etag").to_string();
    let again = get(
        &url,
        None,
        &[("Accept-Encoding", "br"), ("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);

    // A browser without brotli gets the file itself (or the layer's gzip of it).
    let plain = get(&url, None, &[("Accept-Encoding", "identity")]);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, wasm);
    assert_ne!(plain.header("etag"), Some(etag.as_str()));
}

#[test]
fn without_a_dist_directory_the_api_still_works() {
    let (data, db) = demo_data("nodist");
    let s = Server::start(&data, &db, &["--dist", "/nonexistent/dist"]);
    assert_eq!(get(&s.url("/"), None, &[]).status, 404);
    assert_eq!(
        get(
            &s.url("/api/v1/contracts/globex-cn/usage"),
            Some(&token_of("globex")),
            &[]
        )
        .status,
        200
    );
}

#[test]
fn demo_mode_hands_out_the_demo_clients_token_only() {
    let dir = temp_dir("demo");
    let data = dir.join("data");
    let (ok, _, err) = cli(&["demo-data", "--out", data.to_str().expect("utf-8")]);
    assert!(ok, "{err}");
    let plain = Server::start(&data, &dir.join("a.db"), &[]);
    assert_eq!(get(&plain.url("/demo/token"), None, &[]).status, 404);

    let demo = Server::start(&data, &dir.join("b.db"), &["--demo"]);
    let t = get(&demo.url("/demo/token"), None, &[]);
    assert_eq!(t.status, 200);
    assert_eq!(t.header("cache-control"), Some("no-store"));
    let token = t.json()["token"].as_str().expect("token").to_string();
    let usage = get(&demo.url("/api/v1/usage"), Some(&token), &[]);
    assert_eq!(usage.json()["client"]["id"], "acme");
    // The group's token by name, for the demo page's group view; no other client's.
    let g = get(&demo.url("/demo/token?client=globex"), None, &[]);
    assert_eq!(g.status, 200);
    let g = g.json()["token"].as_str().expect("token").to_string();
    assert_ne!(g, token);
    let list = get(&demo.url("/api/v1/contracts"), Some(&g), &[]).json();
    assert_eq!(list["contracts"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        get(&demo.url("/demo/token?client=nobody"), None, &[]).status,
        404
    );
    // The console's demo page: the demo operator's token, which opens the operator
    // routes and no client's documents.
    let o = get(&demo.url("/demo/token?role=operator"), None, &[]);
    assert_eq!(o.status, 200);
    let o = o.json()["token"].as_str().expect("token").to_string();
    assert!(o != token && o != g);
    assert_eq!(
        get(&demo.url("/api/v1/operator/claims"), Some(&o), &[]).status,
        200
    );
    assert_eq!(get(&demo.url("/api/v1/usage"), Some(&o), &[]).status, 403);
    for bad in ["?role=admin", "?role=operator&client=acme", "?who=me"] {
        let url = demo.url(&format!("/demo/token{bad}"));
        assert_eq!(get(&url, None, &[]).status, 400, "{bad}");
    }
}

#[test]
fn sigterm_lets_the_server_finish_and_exit_cleanly() {
    let (data, db) = demo_data("term");
    let mut s = Server::start(&data, &db, &[]);
    assert_eq!(
        get(
            &s.url("/api/v1/contracts/globex-cn/claims"),
            Some(&token_of("globex")),
            &[]
        )
        .status,
        200
    );
    let pid = s.child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = s.child.try_wait().expect("wait") {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let log = std::fs::read_to_string(&s.log).expect("log");
    assert!(log.contains("drained"), "{log}");
}
