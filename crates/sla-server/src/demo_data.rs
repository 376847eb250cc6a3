//! `sla-server demo-data --out DIR`: the demo data set, generated the same way on
//! every run instead of committed as megabytes: a year of minute telemetry for
//! `acme` with outages at every edge the rules distinguish, incidents of every
//! level and cause, and `globex`, a group of three small hand-checkable contracts
//! (one in +01:00).
//! Only the tokens differ between runs; they are random.

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

use serde_json::{json, Value};
use sla_rules::time::{parse_instant, Tz};

pub const DEMO_TOKEN_FILE: &str = "demo-token.txt";
pub const GLOBEX_TOKEN_FILE: &str = "globex-token.txt";
/// The demo operator's token (`demo-operator`, role operator): the console's demo page
/// (`/operator.html`) asks `GET /demo/token?role=operator` for it.
pub const OPERATOR_TOKEN_FILE: &str = "operator-token.txt";
/// The demo operator's name, as decisions record it (`operator:demo-operator`).
pub const DEMO_OPERATOR: &str = "demo-operator";

const TZ: Tz = Tz::CST;

/// `2026-01-31T23:55` in +08:00 as seconds since the epoch.
fn at(local: &str) -> Result<i64, String> {
    parse_instant(&format!("{local}:00+08:00"))
}

fn iso(local: &str) -> String {
    format!("{local}:00+08:00")
}

/// xorshift64*: a fixed seed gives the same "random" traffic on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Minutes `[start, end)` during which the service answered badly.
const ACME_DOWN: &[(&str, &str)] = &[
    // Across a month boundary: 5 minutes in January, 7 in February.
    ("2026-01-31T23:55", "2026-02-01T00:07"),
    // Through announced upgrade MW-1 02:00–02:30: 45 minutes, 15 counted.
    ("2026-03-14T01:56", "2026-03-14T02:41"),
    // Inside announced fault drill MW-4: all 20 minutes excluded, no breach.
    ("2026-04-11T01:05", "2026-04-11T01:25"),
    // A 3-minute blip: shorter than 5 minutes, no outage.
    ("2026-04-22T15:00", "2026-04-22T15:03"),
    // Past the end of announced scale-out MW-2 01:00–02:00: 58 minutes, 8 counted.
    ("2026-05-16T01:10", "2026-05-16T02:08"),
    // Inside external-network exclusion EX-1: excluded, no breach.
    ("2026-06-09T10:05", "2026-06-09T10:15"),
    // During MW-3, announced only after it began: all 20 minutes count.
    ("2026-07-18T03:00", "2026-07-18T03:20"),
    // Inside force-majeure exclusion EX-2: excluded, no breach.
    ("2026-10-01T02:00", "2026-10-01T02:08"),
];

/// Telemetry stops for three hours here (no data, counted as up by default).
const ACME_GAP: (&str, &str) = ("2026-08-20T02:00", "2026-08-20T05:00");
const ACME_FROM: &str = "2025-12-01T00:00";
const ACME_TO: &str = "2026-11-29T00:00";

fn acme_usage() -> Result<String, String> {
    let from = at(ACME_FROM)? / 60;
    let to = at(ACME_TO)? / 60;
    let gap = (at(ACME_GAP.0)? / 60, at(ACME_GAP.1)? / 60);
    let mut down = Vec::new();
    for (a, b) in ACME_DOWN {
        down.push((at(a)? / 60, at(b)? / 60));
    }
    let mut rng = Rng(0x5EED_2025_1201);
    let mut out = String::with_capacity(6 << 20);
    out.push_str(
        r#"{"schema":"sla-portal/usage/v1","client":{"id":"acme","name":"示例科技有限公司"},"contract":{"id":"BS-2025-0042","service_start":"2025-12-01","service_end":"2026-11-30","timezone":"+08:00"},"telemetry":["#,
    );
    for (si, (a, b)) in [(from, gap.0), (gap.1, to)].into_iter().enumerate() {
        let mut total = Vec::with_capacity((b - a) as usize);
        let mut ok = Vec::with_capacity((b - a) as usize);
        for m in a..b {
            let local_hour = ((m * 60 + i64::from(TZ.offset_secs)).rem_euclid(86_400)) / 3600;
            let busy = (9..18).contains(&local_hour);
            let base = if busy {
                100 + rng.below(80)
            } else {
                rng.below(30)
            };
            let is_down = down.iter().any(|&(d0, d1)| (d0..d1).contains(&m));
            let t = if is_down { base.max(20) } else { base };
            // A few failures are normal; a down minute answers under 40 %.
            let o = if is_down {
                t * 3 / 10
            } else if t >= 50 {
                t - rng.below(3)
            } else {
                t
            };
            total.push(t);
            ok.push(o);
        }
        if si > 0 {
            out.push(',');
        }
        let start = TZ.format(a * 60);
        let _ = write!(out, r#"{{"start":"{start}","total":["#);
        join(&mut out, &total);
        out.push_str(r#"],"ok":["#);
        join(&mut out, &ok);
        out.push_str("]}");
    }
    out.push_str("],");
    let mut signing = Vec::new();
    let mut durability = Vec::new();
    let months = [
        "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
        "2026-08", "2026-09", "2026-10", "2026-11",
    ];
    for (i, m) in months.iter().enumerate() {
        let i = i as u64;
        signing
            .push(json!({"month": m, "signed": 1400 + (i * 137) % 400, "failed": 1 + (i * 7) % 9}));
        // June loses one document of five million: 99.99998 %, short of ten nines.
        let lost = u64::from(*m == "2026-06");
        durability.push(json!({"month": m, "stored": 5_000_000 + i * 250_000, "lost": lost}));
    }
    let rest = json!({
        "outages": [
            {"id": "P-1", "start": iso("2026-09-08T14:00"), "end": iso("2026-09-08T14:06"),
             "note": "declared by provider: certificate service unreachable"}
        ],
        "maintenance": [
            {"id": "MW-1", "kind": "upgrade", "title": "数据库升级",
             "start": iso("2026-03-14T02:00"), "end": iso("2026-03-14T02:30"),
             "announced_at": iso("2026-03-10T18:00")},
            {"id": "MW-2", "kind": "scale_out", "title": "扩容",
             "start": iso("2026-05-16T01:00"), "end": iso("2026-05-16T02:00"),
             "announced_at": iso("2026-05-12T10:00")},
            {"id": "MW-3", "kind": "maintenance", "title": "未提前通知的维护",
             "start": iso("2026-07-18T03:00"), "end": iso("2026-07-18T03:30"),
             "announced_at": iso("2026-07-18T03:10")},
            {"id": "MW-4", "kind": "fault_drill", "title": "故障演练",
             "start": iso("2026-04-11T01:00"), "end": iso("2026-04-11T01:30"),
             "announced_at": iso("2026-04-01T09:00")}
        ],
        "exclusions": [
            {"id": "EX-1", "cause": "external_network", "start": iso("2026-06-09T10:00"),
             "end": iso("2026-06-09T10:20"), "note": "carrier backbone outage"},
            {"id": "EX-2", "cause": "force_majeure", "start": iso("2026-10-01T00:00"),
             "end": iso("2026-10-01T06:00"), "note": "regional power failure"},
            {"id": "EX-3", "cause": "customer_cause", "start": iso("2025-12-12T09:00"),
             "end": iso("2025-12-12T09:30"), "note": "client load test against production"}
        ],
        "signing": signing,
        "durability": durability,
    });
    let rest = rest.to_string();
    // Splice the object's members after the telemetry array.
    out.push_str(rest.trim_start_matches('{'));
    Ok(out)
}

fn join(out: &mut String, xs: &[u64]) {
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{x}");
    }
}

fn incident(
    id: &str,
    level: u8,
    title: &str,
    component: &str,
    cause: &str,
    times: [Option<&str>; 3],
    paused: &[(&str, &str)],
) -> Value {
    let paused: Vec<Value> = paused
        .iter()
        .map(|(a, b)| json!({"start": iso(a), "end": iso(b), "reason": "third_party"}))
        .collect();
    json!({
        "id": id, "level": level, "title": title, "component": component, "cause": cause,
        "reported_at": times[0].map(iso), "responded_at": times[1].map(iso),
        "resolved_at": times[2].map(iso), "paused": paused,
    })
}

fn acme_incidents() -> Value {
    let s = Some;
    json!({ "schema": "sla-portal/incidents/v1", "incidents": [
        incident("INC-2026-0001", 1, "签署接口超时", "signing-api", "platform",
            [s("2026-02-01T00:00"), s("2026-02-01T00:09"), s("2026-02-01T00:40")], &[]),
        incident("INC-2026-0002", 1, "数据库升级期间服务中断", "database", "platform",
            [s("2026-03-14T02:00"), s("2026-03-14T02:20"), s("2026-03-14T02:45")], &[]),
        incident("INC-2026-0003", 3, "模板字段无法拖拽", "console", "customer_cause",
            [s("2026-04-14T10:00"), s("2026-04-14T10:20"), s("2026-04-15T11:00")], &[]),
        incident("INC-2026-0004", 2, "实名认证服务商故障", "identity", "third_party",
            [s("2026-05-20T10:00"), s("2026-05-20T10:25"), s("2026-05-20T19:00")],
            &[("2026-05-20T11:00", "2026-05-20T15:00")]),
        incident("INC-2026-0005", 2, "地区网络中断", "network", "external_network",
            [s("2026-06-09T10:02"), s("2026-06-09T10:30"), s("2026-06-09T11:00")], &[]),
        incident("INC-2026-0006", 2, "CA 证书签发延迟", "ca", "third_party",
            [s("2026-07-18T03:05"), s("2026-07-18T03:30"), s("2026-07-18T12:00")],
            &[("2026-07-18T04:00", "2026-07-18T05:00")]),
        incident("INC-2026-0007", 3, "短信验证码延迟", "sms", "third_party",
            [s("2026-08-20T09:30"), s("2026-08-20T09:45"), s("2026-08-21T10:00")], &[]),
        incident("INC-2026-0008", 3, "<img src=x onerror=alert(1)>", "<script>alert(2)</script>",
            "platform",
            [s("2026-09-08T14:01"), s("2026-09-08T14:10"), s("2026-09-09T10:00")], &[]),
        incident("INC-2026-0009", 1, "机房所在地区停电", "datacenter", "force_majeure",
            [s("2026-10-01T02:00"), s("2026-10-01T02:10"), s("2026-10-01T05:00")], &[]),
        incident("INC-2026-0010", 2, "客户回调地址配置错误", "webhooks", "customer_cause",
            [s("2026-10-20T15:00"), s("2026-10-20T15:20"), s("2026-10-20T16:00")], &[]),
        incident("INC-2026-0011", 1, "合同下载失败", "storage", "platform",
            [s("2026-11-28T09:00"), s("2026-11-28T09:05"), None], &[]),
    ]})
}

/// A year-2025 contract small enough to check by hand (README.md, "globex"):
/// no telemetry (every minute counts as up), two declared outages.
fn globex_cn_usage() -> Value {
    let signed = [100, 200, 600, 300, 300, 900, 300, 300, 300, 300, 300, 300];
    let signing: Vec<Value> = signed
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"month": format!("2025-{:02}", i + 1), "signed": s, "failed": 0}))
        .collect();
    json!({
        "schema": "sla-portal/usage/v1",
        "client": {"id": "globex", "name": "Globex Corporation"},
        "contract": {"id": "globex-cn", "name": "Globex China", "service_start": "2025-01-01",
                     "service_end": "2025-12-31", "timezone": "+08:00"},
        "telemetry": [],
        "outages": [
            {"id": "P-1", "start": iso("2025-03-10T10:00"), "end": iso("2025-03-10T10:30"), "note": "declared"},
            {"id": "P-2", "start": iso("2025-06-20T08:00"), "end": iso("2025-06-20T08:10"), "note": "declared"}
        ],
        "signing": signing,
    })
}

fn globex_cn_incidents() -> Value {
    let s = Some;
    json!({ "schema": "sla-portal/incidents/v1", "incidents": [
        incident("GX-INC-1", 1, "Signing unavailable", "signing-api", "platform",
            [s("2025-03-10T10:00"), s("2025-03-10T10:10"), s("2025-03-10T10:30")], &[]),
    ]})
}

/// The group's contract in another timezone (+01:00): the April outage ends at
/// local midnight of 05-01, which in +08:00 would be 05-01 07:00, in May.
fn globex_eu_usage() -> Value {
    let signed = [400, 200, 300, 500, 100, 300, 300, 300, 300, 300, 300, 300];
    let signing: Vec<Value> = signed
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"month": format!("2026-{:02}", i + 1), "signed": s, "failed": 0}))
        .collect();
    json!({
        "schema": "sla-portal/usage/v1",
        "client": {"id": "globex", "name": "Globex Corporation"},
        "contract": {"id": "globex-eu", "name": "Globex Europe", "service_start": "2026-01-01",
                     "service_end": "2026-12-31", "timezone": "+01:00"},
        "telemetry": [],
        "outages": [
            {"id": "P-1", "start": "2026-02-10T10:00:00+01:00", "end": "2026-02-10T10:20:00+01:00",
             "note": "declared"},
            {"id": "P-2", "start": "2026-04-30T23:50:00+01:00", "end": "2026-05-01T00:00:00+01:00",
             "note": "declared"}
        ],
        "signing": signing,
    })
}

fn globex_eu_incidents() -> Value {
    json!({ "schema": "sla-portal/incidents/v1", "incidents": [
        {"id": "GX-EU-INC-1", "level": 2, "title": "Signing slow", "component": "signing-api",
         "cause": "platform", "reported_at": "2026-02-10T10:00:00+01:00",
         "responded_at": "2026-02-10T10:20:00+01:00", "resolved_at": "2026-02-10T10:40:00+01:00",
         "paused": []},
    ]})
}

/// A contract with nothing to claim: no outage, one incident met in time.
fn globex_hk_usage() -> Value {
    json!({
        "schema": "sla-portal/usage/v1",
        "client": {"id": "globex", "name": "Globex Corporation"},
        "contract": {"id": "globex-hk", "name": "Globex Hong Kong", "service_start": "2026-04-01",
                     "service_end": "2027-03-31", "timezone": "+08:00"},
        "telemetry": [],
    })
}

fn globex_hk_incidents() -> Value {
    let s = Some;
    json!({ "schema": "sla-portal/incidents/v1", "incidents": [
        incident("GX-HK-INC-1", 3, "Template preview blank", "console", "platform",
            [s("2026-06-02T10:00"), s("2026-06-02T10:20"), s("2026-06-02T16:00")], &[]),
    ]})
}

/// The ids of globex's contracts, in directory (byte) order.
pub const GLOBEX_CONTRACTS: [&str; 3] = ["globex-cn", "globex-eu", "globex-hk"];

fn random_token() -> Result<String, String> {
    let mut b = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(crate::auth::hex(&b))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn write_all(out: &Path) -> Result<(), String> {
    for client in ["acme", "globex"] {
        std::fs::create_dir_all(out.join(client)).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    write(&out.join("acme/usage.json"), &acme_usage()?)?;
    write(
        &out.join("acme/incidents.json"),
        &acme_incidents().to_string(),
    )?;
    let policy = json!({"schema": "sla-portal/policy/v1", "timezone": "+08:00",
                        "availability_target": "99.99", "min_outage_minutes": 5});
    write(&out.join("acme/policy.json"), &policy.to_string())?;
    let globex = [
        (globex_cn_usage(), globex_cn_incidents()),
        (globex_eu_usage(), globex_eu_incidents()),
        (globex_hk_usage(), globex_hk_incidents()),
    ];
    for (id, (usage, incidents)) in GLOBEX_CONTRACTS.iter().zip(globex) {
        let dir = out.join("globex/contracts").join(id);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        write(&dir.join("usage.json"), &usage.to_string())?;
        write(&dir.join("incidents.json"), &incidents.to_string())?;
    }
    let (acme, globex, operator) = (random_token()?, random_token()?, random_token()?);
    let tokens = json!({"tokens": [
        {"client": "acme", "sha256": crate::auth::sha256_hex(&acme)},
        {"client": "globex", "sha256": crate::auth::sha256_hex(&globex)},
        {"client": DEMO_OPERATOR, "role": "operator", "sha256": crate::auth::sha256_hex(&operator)},
    ]});
    write(&out.join("tokens.json"), &tokens.to_string())?;
    write(&out.join(DEMO_TOKEN_FILE), &acme)?;
    write(&out.join(GLOBEX_TOKEN_FILE), &globex)?;
    write(&out.join(OPERATOR_TOKEN_FILE), &operator)?;
    println!("demo data written to {}", out.display());
    Ok(())
}

pub use write_all as write_demo;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acme_year_is_the_same_on_every_run_and_passes_the_rules_core() {
        let a = acme_usage().expect("usage");
        assert_eq!(a, acme_usage().expect("usage again"));
        let u = sla_rules::usage::parse_usage(a.as_bytes(), "usage.json").expect("valid");
        // 2025-12-01 .. 2026-11-29 is 363 days of 1,440 minutes, less the 3-hour gap.
        let minutes: usize = u.telemetry.iter().map(|s| s.total.len()).sum();
        assert_eq!(minutes, 363 * 1440 - 180);
        assert_eq!(u.telemetry.len(), 2);
    }
}
