// bench.mjs (`npm run bench`, `make bench`): bundle sizes, and in Chromium the time from data
// received to first chart drawn, and report() on a year of minute telemetry vs JSON.parse.
// Prints figures only; goals are reported, never asserted. Assumes dist/ is built.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { serve, browser, ROOT } from "./serve.mjs";
import { writeYear } from "./gen-year.mjs";

const DIST = path.join(ROOT, "dist");
const OUT = path.join(ROOT, "e2e", "out");
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + " KiB";

function sizes(files) {
  const body = Buffer.concat(files.map((f) => fs.readFileSync(f)));
  return {
    raw: body.length,
    gzip: zlib.gzipSync(body, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

const wasm = [path.join(DIST, "sla_portal_bg.wasm")];
const snippets = path.join(DIST, "snippets");
const js = [path.join(DIST, "sla_portal.js"), ...(fs.existsSync(snippets) ? walk(snippets) : []).filter((f) => f.endsWith(".js"))];
const css = [path.join(DIST, "sla-portal.css")];
console.log("Bundle (the CSS is compiled into the wasm; the .css file is for hosts that want to read it)");
console.log("                        raw          gzip        brotli");
for (const [name, files] of [["wasm", wasm], ["js (glue)", js], ["css (also inside wasm)", css], ["widget = wasm + js", [...wasm, ...js]]]) {
  const s = sizes(files);
  console.log(`${name.padEnd(22)}${kb(s.raw)}  ${kb(s.gzip)}  ${kb(s.brotli)}`);
}
const total = sizes([...wasm, ...js]).brotli;
console.log(`goal: widget ≤ 200 KB brotli → ${(total / 1000).toFixed(1)} KB ${total <= 200_000 ? "(met)" : "(MISSED)"}`);

const year = writeYear(OUT);
const worked = path.join(ROOT, "tests", "fixtures", "worked");
const page = `<!doctype html><meta charset="utf-8"><div id="sla" style="width:1100px"></div><script type="module" src="/bench.js"></script>`;
const script = `import init, { mount, report } from "/sla-portal/sla_portal.js";
await init();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const since = (a, b) => {
  const A = performance.getEntriesByName(a).at(-1), B = performance.getEntriesByName(b).at(-1);
  return A && B ? B.startTime - A.startTime : NaN;
};
async function firstChart(usageUrl, incidentsUrl, asOf, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    performance.clearMarks();
    const h = mount(document.getElementById("sla"), { usageUrl, incidentsUrl, asOf, locale: "zh-CN" });
    const t0 = performance.now();
    while (!performance.getEntriesByName("sla-portal:chart-drawn").length && performance.now() - t0 < 30000) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (new URLSearchParams(location.search).has("debug")) console.log(i, JSON.stringify(performance.getEntriesByType("mark").map((m) => m.name)));
    out.push({ compute: since("sla-portal:data-received", "sla-portal:report-computed"),
               render: since("sla-portal:report-computed", "sla-portal:chart-drawn"),
               total: since("sla-portal:data-received", "sla-portal:chart-drawn") });
    h.unmount();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = (k) => median(out.map((o) => o[k]));
  return { compute: m("compute"), render: m("render"), total: m("total") };
}
const res = {};
res.worked = await firstChart("/data/worked-usage.json", "/data/worked-incidents.json", "2026-04-10T12:00:00+08:00", 5);
res.year = await firstChart("/data/year-usage.json", "/data/year-incidents.json", "2026-05-20T12:00:00+08:00", 5);

const bytes = new Uint8Array(await (await fetch("/data/year-usage.json")).arrayBuffer());
const text = new TextDecoder().decode(bytes);
const incidents = await (await fetch("/data/year-incidents.json")).text();
const opts = { asOf: "2026-05-20T12:00:00+08:00" };
const time = (f, n) => { const xs = []; for (let i = 0; i < n; i++) { const t = performance.now(); f(); xs.push(performance.now() - t); } return median(xs); };
time(() => JSON.parse(text), 2); time(() => report(bytes, incidents, opts), 2);
res.mb = bytes.length / 1e6;
res.parse = time(() => JSON.parse(text), 9);
res.reportBytes = time(() => report(bytes, incidents, opts), 9);
res.reportText = time(() => report(text, incidents, opts), 9);
// Where report() spends its time: the same document without telemetry costs the fixed part
// (other fields, evaluating a year of minutes, writing the report); the rest is telemetry.
const doc = JSON.parse(text); doc.telemetry = [];
const bare = new TextEncoder().encode(JSON.stringify(doc));
res.reportBare = time(() => report(bare, incidents, opts), 9);
window.result = res;`;

const server = await serve({
  routes: { "/bench.html": { body: page }, "/bench.js": { body: script, type: "text/javascript" } },
  files: { "/data/year-usage.json": year.usage, "/data/year-incidents.json": year.incidents,
    "/data/worked-usage.json": path.join(worked, "usage.json"), "/data/worked-incidents.json": path.join(worked, "incidents.json") },
});
const chrome = await browser();
try {
  const p = await chrome.ctx.newPage();
  p.on("pageerror", (e) => console.error("page error:", e.message));
  if (process.env.BENCH_DEBUG) p.on("console", (m) => console.error("console:", m.text()));
  await p.goto(`${server.base}/bench.html${process.env.BENCH_DEBUG ? "?debug" : ""}`);
  const r = await p.waitForFunction(() => window.result, null, { timeout: 180000, polling: 200 }).then((h) => h.jsonValue());
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log("\nFirst chart after the data arrived (median of 5; marks sla-portal:data-received → report-computed → chart-drawn)");
  for (const k of ["worked", "year"]) {
    console.log(`  ${k.padEnd(7)} total ${ms(r[k].total).padStart(9)}  = compute ${ms(r[k].compute)} + render/draw ${ms(r[k].render)}`);
  }
  console.log(`  goal ≤ 150 ms (worked example, the demo data): ${r.worked.total <= 150 ? "met" : "MISSED"}; year: ${r.year.total <= 150 ? "met" : "MISSED"}`);
  console.log(`\nreport() on one year of minute telemetry (${r.mb.toFixed(2)} MB), median of 9`);
  console.log(`  JSON.parse(text)          ${ms(r.parse)}`);
  console.log(`  report(Uint8Array, …)     ${ms(r.reportBytes)}   ratio ${(r.reportBytes / r.parse).toFixed(2)} (goal ≤ 1.0: ${r.reportBytes <= r.parse ? "met" : "MISSED"})`);
  console.log(`  report(string, …)         ${ms(r.reportText)}   ratio ${(r.reportText / r.parse).toFixed(2)}`);
  console.log(`  of report(Uint8Array): ${ms(r.reportBare)} without telemetry (evaluate a year of minutes, write the report),`);
  console.log(`  ${ms(r.reportBytes - r.reportBare)} parsing the two 525,600-element arrays and marking their minutes`);
} finally {
  await chrome.close();
  await server.close();
}
