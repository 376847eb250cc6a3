//! Downloads: periods and outages as CSV, the report as JSON, a claim's evidence with its
//! signed receipt, via Blob URLs.
//!
//! CSV columns carry the report's own values (contract field names, RFC 3339
//! instants, exact decimals) so a spreadsheet gets the same figures as `sla report`.

use sla_rules::report::{PeriodStatus, Report};
use wasm_bindgen::JsCast;

/// Quotes a CSV field when it contains a separator, quote or line break (RFC 4180).
fn field(s: &str) -> String {
    // A leading = + - @ would make a spreadsheet evaluate provider text as a formula.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn opt(v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

fn status(s: PeriodStatus) -> &'static str {
    match s {
        PeriodStatus::Judged => "judged",
        PeriodStatus::Partial => "partial",
        PeriodStatus::InProgress => "in_progress",
    }
}

/// One row per period.
pub fn periods_csv(r: &Report) -> String {
    let mut out = String::from(
        "month,status,minutes,excluded_minutes,measured_minutes,unavailable_minutes,no_data_minutes,\
         availability,target,breached,downtime_budget_minutes,outages,compensable_outages,signed,failed,\
         durability_stored,durability_lost,durability_met\r\n",
    );
    for p in &r.periods {
        let d = p.durability.as_ref();
        let row = [
            field(&p.month.to_string()),
            status(p.status).to_string(),
            p.minutes.to_string(),
            p.excluded_minutes.to_string(),
            p.measured_minutes.to_string(),
            p.unavailable_minutes.to_string(),
            p.no_data_minutes.to_string(),
            field(&p.availability),
            field(&p.target),
            p.breached.to_string(),
            field(&p.downtime_budget_minutes),
            field(&p.outages.join(" ")),
            p.compensable_outages.to_string(),
            opt(p.signed),
            opt(p.failed),
            opt(d.map(|d| d.stored)),
            opt(d.map(|d| d.lost)),
            d.map(|d| d.met.to_string()).unwrap_or_default(),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One row per outage.
pub fn outages_csv(r: &Report) -> String {
    let mut out = String::from(
        "id,start,end,minutes,counted_minutes,excluded_minutes,compensable,attributed_to\r\n",
    );
    for o in &r.outages {
        let row = [
            field(&o.id),
            field(&o.start.to_string()),
            field(&o.end.to_string()),
            o.minutes.to_string(),
            o.counted_minutes.to_string(),
            o.excluded_minutes.to_string(),
            o.compensable.to_string(),
            field(&o.attributed_to.map(|m| m.to_string()).unwrap_or_default()),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The report as pretty JSON, as `sla report` prints it.
pub fn report_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default()
}

/// A claim's evidence as a download: the `sla-portal/evidence/v1` document with the claim's
/// current receipt as `jws` beside its members, the shape `sla verify` reads as "an evidence
/// download" (crates/sla-cli/src/verify.rs): it checks the JWS, then hashes the document
/// without `as_of` and `jws` against the receipt's `evidence_sha256`. Without a receipt (a
/// server that signs nothing) the evidence alone.
pub fn evidence_download(ev: &sla_rules::evidence::Evidence, receipt: Option<&str>) -> String {
    // The evidence's own pretty text (the serialiser the claim flow's download links already)
    // with `jws` written in as its first member: going through a `serde_json::Value` instead
    // cost the full build 8 KB of serialiser code for the same bytes.
    let body = serde_json::to_string_pretty(ev).unwrap_or_default();
    match (receipt, body.strip_prefix('{')) {
        (Some(jws), Some(rest)) => {
            let jws = serde_json::to_string(jws).unwrap_or_default();
            format!("{{\n  \"jws\": {jws},{rest}")
        }
        _ => body,
    }
}

/// A file name for a download: `sla-<contract>-<what>.<ext>` with unsafe characters replaced.
pub fn file_name(contract_id: &str, what: &str, ext: &str) -> String {
    let safe: String = contract_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("sla-{safe}-{what}.{ext}")
}

/// Offers `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc
        .create_element("a")
        .map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example's documents, and the instant its README works the figures at.
    const AS_OF: &str = "2026-04-10T12:00:00+08:00";
    fn inputs() -> sla_rules::Inputs<'static> {
        sla_rules::Inputs {
            usage: include_bytes!("../crates/sla-rules/tests/fixtures/worked/usage.json"),
            incidents: include_bytes!("../crates/sla-rules/tests/fixtures/worked/incidents.json"),
            policy: None,
        }
    }

    fn worked() -> Report {
        sla_rules::report(&inputs(), AS_OF).unwrap()
    }

    #[test]
    fn periods_csv_has_one_row_per_period_with_report_values() {
        let csv = periods_csv(&worked());
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        // January (partial), February, March, April (in progress): header + 4 rows.
        assert_eq!(lines.len(), 5);
        // February from the worked example: 40,320 minutes, 20 excluded, 40,300 measured,
        // 8 unavailable, 99.98014 %, breached, two outages.
        assert!(
            lines[2].starts_with("2026-02,judged,40320,20,40300,8,"),
            "{}",
            lines[2]
        );
        assert!(lines[2].contains(",99.98014,99.99,true,"), "{}", lines[2]);
        assert!(lines[2].contains("OUT-20260210T0957 OUT-20260228T2358"));
    }

    #[test]
    fn outages_csv_lists_counted_minutes() {
        let csv = outages_csv(&worked());
        // OUT-20260210T0957: 26 minutes, 6 counted, 20 excluded (README).
        assert!(
            csv.contains(
                "OUT-20260210T0957,2026-02-10T09:57:00+08:00,2026-02-10T10:23:00+08:00,26,6,20,"
            ),
            "{csv}"
        );
    }

    #[test]
    fn an_evidence_download_is_the_evidence_and_its_receipt() {
        let r = sla_rules::evaluate_bytes(
            &inputs(),
            AS_OF,
            ["usage.json", "incidents.json", "policy.json"],
        )
        .unwrap();
        let ev = sla_rules::evidence::evidence(&r, &["2026-02".to_string()]);
        let text = evidence_download(&ev, Some("h.p.s"));
        assert!(
            text.starts_with("{\n  \"jws\": \"h.p.s\",\n  \"schema\": "),
            "{}",
            &text[..60]
        );
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema"], "sla-portal/evidence/v1");
        assert_eq!(v["jws"], "h.p.s");
        // February of the worked example: one period, its two outages.
        assert_eq!(v["periods"].as_array().map(Vec::len), Some(1));
        assert_eq!(v["outages"].as_array().map(Vec::len), Some(2));
        // What `sla verify` hashes (without as_of and jws) is what the server hashed for
        // evidence_sha256 (the evidence without as_of): the receipt adds one member, no more.
        let o = v.as_object_mut().unwrap();
        o.remove("jws");
        o.remove("as_of");
        let mut plain = serde_json::to_value(&ev).unwrap();
        plain.as_object_mut().unwrap().remove("as_of");
        assert_eq!(
            sla_rules::jcs::canonical(&v).unwrap(),
            sla_rules::jcs::canonical(&plain).unwrap()
        );
        let unsigned: serde_json::Value =
            serde_json::from_str(&evidence_download(&ev, None)).unwrap();
        assert!(unsigned.get("jws").is_none());
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(
            file_name("BS/2026 01", "periods", "csv"),
            "sla-BS_2026_01-periods.csv"
        );
    }
}
