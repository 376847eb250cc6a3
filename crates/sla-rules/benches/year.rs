//! `cargo bench -p sla-rules`: parse + evaluate one year of minute telemetry, with figures.
//!
//! Prints bytes/s and minutes/s for parse+evaluate (native, one core) and the
//! peak heap while doing it, measured by a counting allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        CURRENT.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// One year (2025-12-01 .. 2026-12-01, +08:00) of minute telemetry with realistic
/// counts, a few down minutes and outages; deterministic (xorshift).
fn year_json() -> (String, usize) {
    let minutes = 365 * 1440;
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut total = String::with_capacity(minutes * 5);
    let mut ok = String::with_capacity(minutes * 5);
    for i in 0..minutes {
        let t = 80 + next() % 120;
        let down = (i % 50_000) < 7 || next() % 20_000 == 0;
        let o = if down { t / 2 } else { t - next() % 3 };
        if i > 0 {
            total.push(',');
            ok.push(',');
        }
        total.push_str(&t.to_string());
        ok.push_str(&o.to_string());
    }
    let doc = format!(
        r#"{{"schema":"sla-portal/usage/v1","client":{{"id":"bench","name":"Bench"}},
"contract":{{"id":"B-1","service_start":"2025-12-01","service_end":"2026-11-30","timezone":"+08:00"}},
"telemetry":[{{"start":"2025-12-01T00:00:00+08:00","total":[{total}],"ok":[{ok}]}}],
"maintenance":[{{"id":"MW","kind":"upgrade","start":"2026-01-10T02:00:00+08:00","end":"2026-01-10T03:00:00+08:00","announced_at":"2026-01-01T00:00:00+08:00"}}],
"signing":[{{"month":"2026-01","signed":1500,"failed":3}}]}}"#
    );
    (doc, minutes)
}

fn main() {
    let (usage, minutes) = year_json();
    let incidents = br#"{"schema":"sla-portal/incidents/v1","incidents":[]}"#;
    let inputs = sla_rules::Inputs {
        usage: usage.as_bytes(),
        incidents,
        policy: None,
    };
    let as_of = "2026-12-01T00:00:00+08:00";
    // Warm up and check the work is real.
    let r = sla_rules::report(&inputs, as_of).expect("generated data is valid");
    assert_eq!(r.periods.len(), 12);

    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    let mut times = Vec::new();
    let mut parse_times = Vec::new();
    for _ in 0..15 {
        let t0 = Instant::now();
        let u = sla_rules::usage::parse_usage(usage.as_bytes(), "usage.json").unwrap();
        parse_times.push(t0.elapsed().as_secs_f64());
        drop(u);
        let t0 = Instant::now();
        let r = sla_rules::report(&inputs, as_of).unwrap();
        times.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(r);
    }
    let mut scan = Vec::new();
    for _ in 0..15 {
        let t0 = Instant::now();
        let v: serde::de::IgnoredAny = serde_json::from_slice(usage.as_bytes()).unwrap();
        scan.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(v);
    }
    scan.sort_by(|a, b| a.total_cmp(b));
    let scan_med = scan[7];
    let peak = PEAK.load(Relaxed) - base;
    times.sort_by(|a, b| a.total_cmp(b));
    parse_times.sort_by(|a, b| a.total_cmp(b));
    let med = times[times.len() / 2];
    let pmed = parse_times[parse_times.len() / 2];
    let mb = usage.len() as f64 / 1e6;
    println!("sla-rules: one year of minute telemetry ({minutes} minutes, {mb:.2} MB JSON), native, 1 thread");
    println!(
        "  parse+evaluate  median {:7.2} ms  min {:7.2} ms",
        med * 1e3,
        times[0] * 1e3
    );
    println!(
        "  parse only      median {:7.2} ms   (evaluate ≈ {:.2} ms)",
        pmed * 1e3,
        (med - pmed) * 1e3
    );
    println!(
        "  serde_json's own scan of the same text (IgnoredAny): median {:7.2} ms",
        scan_med * 1e3
    );
    println!(
        "  throughput      {:7.1} MB/s   {:7.1} M minutes/s",
        mb / med,
        minutes as f64 / med / 1e6
    );
    println!(
        "  peak heap       {:7.2} MB above the input text",
        peak as f64 / 1e6
    );
}
