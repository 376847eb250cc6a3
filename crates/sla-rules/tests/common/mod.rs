//! Builders for small usage and incident documents, so each rule test states only what it is about.
#![allow(dead_code)]

use serde_json::{json, Value};

/// A usage document for a contract in +08:00 with no telemetry (every minute "no data" = up).
pub fn usage(service_start: &str, service_end: &str) -> Value {
    json!({
        "schema": "sla-portal/usage/v1",
        "client": { "id": "c1", "name": "测试" },
        "contract": { "id": "K-1", "service_start": service_start, "service_end": service_end, "timezone": "+08:00" },
        "telemetry": []
    })
}

pub fn push(doc: &mut Value, key: &str, item: Value) {
    let obj = doc.as_object_mut().unwrap();
    obj.entry(key)
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .unwrap()
        .push(item);
}

/// A declared outage `[start, end)`.
pub fn outage(doc: &mut Value, start: &str, end: &str) {
    push(
        doc,
        "outages",
        json!({ "id": "P", "start": start, "end": end }),
    );
}

pub fn maintenance(doc: &mut Value, start: &str, end: &str, announced_at: &str) {
    push(
        doc,
        "maintenance",
        json!({ "id": "MW", "kind": "upgrade", "title": "t", "start": start, "end": end, "announced_at": announced_at }),
    );
}

pub fn incidents(list: Value) -> Value {
    json!({ "schema": "sla-portal/incidents/v1", "incidents": list })
}

pub fn no_incidents() -> Value {
    incidents(json!([]))
}

pub fn run(
    usage: &Value,
    incidents: &Value,
    policy: Option<&Value>,
    as_of: &str,
) -> sla_rules::Report {
    try_run(usage, incidents, policy, as_of).unwrap_or_else(|e| panic!("{e}"))
}

pub fn try_run(
    usage: &Value,
    incidents: &Value,
    policy: Option<&Value>,
    as_of: &str,
) -> Result<sla_rules::Report, sla_rules::InputError> {
    let u = serde_json::to_vec(usage).unwrap();
    let i = serde_json::to_vec(incidents).unwrap();
    let p = policy.map(|p| serde_json::to_vec(p).unwrap());
    sla_rules::report(
        &sla_rules::Inputs {
            usage: &u,
            incidents: &i,
            policy: p.as_deref(),
        },
        as_of,
    )
}

pub fn period<'a>(r: &'a sla_rules::Report, month: &str) -> &'a sla_rules::report::Period {
    r.period(month)
        .unwrap_or_else(|| panic!("no period {month}"))
}

pub fn policy(fields: Value) -> Value {
    let mut p = json!({ "schema": "sla-portal/policy/v1" });
    for (k, v) in fields.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}
