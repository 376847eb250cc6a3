// gen-year.mjs: a deterministic year of minute telemetry (~5 MB) for the e2e test and the bench:
// contract 2025-07-15..2026-07-14, +08:00, a few outages (one crossing a month end), a
// maintenance window, short dips, a no-data gap, 24 months of signing counts.
import fs from "node:fs";
import path from "node:path";

export function yearUsage() {
  const start = Date.parse("2025-07-15T00:00:00+08:00");
  const minutes = 365 * 24 * 60;
  const total = new Array(minutes);
  const ok = new Array(minutes);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < minutes; i++) {
    const hour = Math.floor(i / 60 + 0) % 24;
    const t = hour >= 8 && hour < 22 ? 100 + Math.floor(rand() * 300) : 10 + Math.floor(rand() * 60);
    total[i] = t;
    ok[i] = t - (rand() < 0.02 ? Math.min(t, 1) : 0);
  }
  const at = (iso) => Math.round((Date.parse(iso) - start) / 60000);
  const down = (iso, n) => { const a = at(iso); for (let i = a; i < a + n; i++) ok[i] = Math.floor(total[i] / 3); };
  down("2025-09-03T10:03:00+08:00", 12);  // 12 counted minutes: September breached
  down("2025-11-20T02:00:00+08:00", 3);   // a 3-minute dip: no outage
  down("2026-01-12T14:00:00+08:00", 26);  // inside a 20-minute announced upgrade: 6 counted
  down("2026-03-31T23:57:00+08:00", 8);   // crosses into April: 3 + 5
  const gapFrom = at("2026-02-01T00:00:00+08:00") + 600, gapLen = 240; // 4 h without data
  const seg = (a, b) => ({ start: new Date(start + a * 60000).toISOString().replace(".000Z", "Z"), total: total.slice(a, b), ok: ok.slice(a, b) });
  const fix = (s) => { // RFC 3339 with the contract offset, as a portal would write it
    const d = new Date(Date.parse(s.start) + 8 * 3600000).toISOString().slice(0, 19);
    return { ...s, start: d + "+08:00" };
  };
  const signing = [];
  for (let k = 0; k < 24; k++) {
    const y = 2024 + Math.floor((7 + k - 1) / 12), m = ((7 + k - 1) % 12) + 1;
    signing.push({ month: `${y}-${String(m).padStart(2, "0")}`, signed: 1200 + ((k * 137) % 400), failed: (k * 7) % 11 });
  }
  return {
    schema: "sla-portal/usage/v1",
    client: { id: "year", name: "年度演示客户" },
    contract: { id: "BS-2025-0042", service_start: "2025-07-15", service_end: "2026-07-14", timezone: "+08:00" },
    telemetry: [fix(seg(0, gapFrom)), fix(seg(gapFrom + gapLen, minutes))],
    outages: [],
    maintenance: [{ id: "MW-1", kind: "upgrade", title: "数据库升级", start: "2026-01-12T14:03:00+08:00",
      end: "2026-01-12T14:23:00+08:00", announced_at: "2026-01-05T09:00:00+08:00" }],
    exclusions: [],
    signing,
    durability: [{ month: "2025-09", stored: 5000000000, lost: 0 }],
  };
}

export const YEAR_INCIDENTS = { schema: "sla-portal/incidents/v1", incidents: [
  { id: "INC-9", level: 1, title: "签署接口超时", component: "signing-api", cause: "platform",
    reported_at: "2025-09-03T10:05:00+08:00", responded_at: "2025-09-03T10:12:00+08:00", resolved_at: "2025-09-03T10:40:00+08:00" } ] };

/// Writes the fixture into e2e/out/ (git-ignored) once and returns the paths.
export function writeYear(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const usage = path.join(dir, "year-usage.json");
  const incidents = path.join(dir, "year-incidents.json");
  if (!fs.existsSync(usage)) fs.writeFileSync(usage, JSON.stringify(yearUsage()));
  fs.writeFileSync(incidents, JSON.stringify(YEAR_INCIDENTS));
  return { usage, incidents };
}
