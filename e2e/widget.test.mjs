// widget.test.mjs: the widget in a plain host page (not the demo page), against hand-worked
// figures: each fixture's hand-checked expected-report.json, and the year's planted outages.
// Assumes dist/ is built (scripts/build-widget). Screenshots go to e2e/out/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { serve, browser, ROOT, fullWidget } from "./serve.mjs";
import { writeYear } from "./gen-year.mjs";

const OUT = path.join(ROOT, "e2e", "out");
const FIXTURES = path.join(ROOT, "crates", "sla-rules", "tests", "fixtures");
const WORKED = path.join(FIXTURES, "worked");
const WORKED_AS_OF = fs.readFileSync(path.join(WORKED, "as_of.txt"), "utf8").trim();
const YEAR_AS_OF = "2026-05-20T12:00:00+08:00";


// A host page with hostile global CSS: the widget must look the same inside it.
const HOST_CSS = `body{font:20px/3 serif;color:#f0f} div{padding:9px} table td{color:#0f0;padding:30px}
button{background:#000;color:#ff0;border-radius:0}`;
const hostPage = (script) => `<!doctype html><html><head><meta charset="utf-8"><title>Host</title>
<style>${HOST_CSS}</style><script type="module" src="${script}"></script></head>
<body><h1>Client portal</h1><div id="sla"></div><p id="host-after">host content</p></body></html>`;
const HOST_JS = `import init, { mount } from "/sla-portal/sla_portal.js";
await init();
const q = new URLSearchParams(location.search);
window.widget = mount(document.getElementById("sla"), {
  usageUrl: q.get("usage"), incidentsUrl: q.get("incidents"), policyUrl: q.get("policy"),
  locale: q.get("locale") || undefined,
  asOf: q.get("asOf"), headers: { "X-Portal": "e2e" },
  timeoutMs: q.has("timeout") ? Number(q.get("timeout")) : undefined });`;

let server, chrome, year;
const seen = { usageHeaders: [] };
let failNext = 0;
// The slow file's second half waits for the test to release it: no timer decides the race.
let releaseSlow = () => {};

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_bg.wasm")), "dist/ missing: run scripts/build-widget");
  fs.mkdirSync(OUT, { recursive: true });
  year = writeYear(OUT);
  const file = (p) => (req, res) => {
    seen.usageHeaders.push(req.headers["x-portal"]);
    if (failNext > 0) { failNext--; res.writeHead(500); return res.end("boom"); }
    const body = fs.readFileSync(p);
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
    res.end(body);
  };
  server = await serve({
    routes: {
      "/host.html": { body: hostPage("/host.js") },
      "/host.js": { body: HOST_JS, type: "text/javascript" },
      "/element.html": { body: `<!doctype html><meta charset="utf-8"><script type="module" src="/element.js"></script>
        <sla-portal usage-src="/data/worked-usage.json" incidents-src="/data/worked-incidents.json" locale="en" as-of="${WORKED_AS_OF}"></sla-portal>` },
      "/element.js": { body: `import init from "/sla-portal/sla_portal.js"; await init();`, type: "text/javascript" },
      "/data/flaky-usage.json": file(path.join(WORKED, "usage.json")),
      // Answers headers, then never finishes the body: only the timeout can end it.
      "/data/hung.json": (req, res) => { res.writeHead(200, { "Content-Type": "application/json" }); res.write("{"); },
      // Sends the year's first half, then the rest once the test has seen the progress.
      "/data/slow-year.json": (req, res) => {
        const body = fs.readFileSync(year.usage);
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
        res.write(body.subarray(0, body.length >> 1));
        releaseSlow = () => res.end(body.subarray(body.length >> 1));
      },
    },
    files: {
      ...Object.fromEntries(fs.readdirSync(FIXTURES).flatMap((d) => fs.readdirSync(path.join(FIXTURES, d))
        .filter((f) => f.endsWith(".json")).map((f) => [`/fixtures/${d}/${f}`, path.join(FIXTURES, d, f)]))),
      "/data/worked-usage.json": path.join(WORKED, "usage.json"),
      "/data/worked-incidents.json": path.join(WORKED, "incidents.json"),
      "/data/year-usage.json": year.usage,
      "/data/year-incidents.json": year.incidents,
    },
  });
  chrome = await browser();
});

after(async () => { await chrome?.close(); await server?.close(); });

async function page() {
  const p = await chrome.ctx.newPage();
  p.errors = [];
  p.on("pageerror", (e) => p.errors.push(e.message));
  p.on("console", (m) => {
    if (m.type() !== "error" || /favicon/.test(m.location().url) || /status of 500/.test(m.text())) return;
    p.errors.push(`${m.text()} ${m.location().url}`);
  });
  return p;
}

const url = (q) => `${server.base}/host.html?${new URLSearchParams(q)}`;

async function periodsFromPage(p) {
  await p.click('[role=tab][aria-controls$="periods"]');
  await p.waitForSelector("[data-sla-month]");
  return p.$$eval("[data-sla-month]", (rows) => rows.map((r) => ({
    month: r.dataset.slaMonth, availability: r.dataset.availability,
    breached: r.dataset.breached, unavailable: r.dataset.unavailableMinutes })));
}

async function comparePeriods(q, expected) {
  const p = await page();
  await p.goto(url({ ...q, locale: "en" }));
  await p.waitForSelector(".slap-header", { timeout: 20000 });
  const got = await periodsFromPage(p);
  // A hand-checked report lists the fields that were worked out: compare exactly those.
  const fields = { month: "month", availability: "availability", breached: "breached", unavailable_minutes: "unavailable" };
  const pick = (x) => Object.fromEntries(Object.entries(fields).filter(([k]) => k in x).map(([k, v]) => [v, String(x[k])]));
  assert.equal(got.length, expected.periods.length, "one row per period");
  assert.deepEqual(got.map((g, i) => Object.fromEntries(Object.keys(pick(expected.periods[i])).map((k) => [k, g[k]]))),
    expected.periods.map(pick));
  assert.deepEqual(p.errors, []);
  await p.close();
}

// Every fixture scenario with a hand-checked expected report (crates/sla-rules/tests/fixtures/*/README.md),
// with its policy where it has one.
for (const dir of fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, "expected-report.json")))) {
  test(`mount(): every period of fixture ${dir} equals its hand-checked expected-report.json`, async () => {
    const f = (n) => path.join(FIXTURES, dir, n);
    const asOf = fs.readFileSync(f("as_of.txt"), "utf8").trim();
    const policy = fs.existsSync(f("policy.json"));
    const expected = JSON.parse(fs.readFileSync(f("expected-report.json"), "utf8"));
    await comparePeriods({ usage: `/fixtures/${dir}/usage.json`, incidents: `/fixtures/${dir}/incidents.json`, asOf,
      ...(policy ? { policy: `/fixtures/${dir}/policy.json` } : {}) }, expected);
  });
}

test("mount(): a year of minute telemetry gives the hand-worked periods of its planted outages", async () => {
  // gen-year.mjs plants the outages; as of 2026-05-20 by hand (availability truncated to 5 decimals):
  // - 2025-09: 12 down minutes of 43,200: 43,188/43,200 = 99.97222 %, breached;
  // - 2025-11: a 3-minute dip is no outage: 100 %;
  // - 2026-01: 26 down minutes, 20 inside the announced upgrade MW-1: 6 counted of
  //   44,640 − 20 = 44,620 measured: 44,614/44,620 = 99.98655 %, breached (budget 4.46);
  // - 2026-02: the 4-hour gap has no data and counts as up: 100 %;
  // - the run from 03-31 23:57 (8 minutes) gives March 3 (44,637/44,640 = 99.99327 %, kept)
  //   and April 5 (43,195/43,200 = 99.98842 %, breached, budget 4.32);
  // - every other month, the partial July 2025 and May 2026 (in progress) lost nothing.
  const months = ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
    "2026-01", "2026-02", "2026-03", "2026-04", "2026-05"];
  const lost = { "2025-09": ["99.97222", 12, true], "2026-01": ["99.98655", 6, true],
    "2026-03": ["99.99327", 3, false], "2026-04": ["99.98842", 5, true] };
  const periods = months.map((month) => {
    const [availability, unavailable_minutes, breached] = lost[month] || ["100.00000", 0, false];
    return { month, availability, unavailable_minutes, breached };
  });
  await comparePeriods({ usage: "/data/year-usage.json", incidents: "/data/year-incidents.json", asOf: YEAR_AS_OF },
    { periods });
});

test("a contract violation shows the core's file, JSON path and message (fixture bad-usage)", async () => {
  const f = (n) => path.join(FIXTURES, "bad-usage", n);
  // expected-error.txt: "usage.json: telemetry[2].ok[4]: 130 ok requests but only 100 in total"
  const [, jsonPath, message] = fs.readFileSync(f("expected-error.txt"), "utf8").trim().split(": ");
  const p = await page();
  await p.goto(url({ usage: "/fixtures/bad-usage/usage.json", incidents: "/fixtures/bad-usage/incidents.json",
    asOf: fs.readFileSync(f("as_of.txt"), "utf8").trim(), locale: "en" }));
  const panel = await p.waitForSelector("[data-sla-error=contract]");
  assert.equal(await p.textContent("[data-sla-error-path]"), jsonPath);
  assert.match(await panel.textContent(), new RegExp(message));
  assert.match(await panel.textContent(), /\/fixtures\/bad-usage\/usage\.json/);
  await p.close();
});

test("screenshots: overview zh-CN and en, month timeline; host CSS does not leak in", async () => {
  const p = await page();
  await p.setViewportSize({ width: 1200, height: 900 });
  for (const locale of ["zh-CN", "en"]) {
    await p.goto(url({ usage: "/data/year-usage.json", incidents: "/data/year-incidents.json", asOf: YEAR_AS_OF, locale }));
    await p.waitForSelector("[data-sla-chart=monthly] canvas[data-sla-drawn=true]");
    await fullWidget(p);
    await p.locator("#sla").screenshot({ path: path.join(OUT, `overview-${locale}.png`) });
  }
  // The host's `button{color:#ff0}` loses against the widget's own rules.
  const tab = await p.$eval(".slap-tab", (e) => [getComputedStyle(e).display, getComputedStyle(e).color]);
  assert.notEqual(tab[0], "none");
  assert.notEqual(tab[1], "rgb(255, 255, 0)");
  // ...and the widget's styles do not leak out: the host paragraph keeps the host font.
  assert.equal(await p.$eval("#host-after", (e) => getComputedStyle(e).fontFamily), "serif");
  // September 2025 breached (12 counted minutes): select it and show its timeline.
  await p.click('[role=tab][aria-controls$="periods"]');
  await p.click('[data-sla-month="2025-09"]');
  await p.waitForSelector('[data-sla-timeline-month="2025-09"] canvas[data-sla-drawn=true]');
  await p.locator('[data-sla-chart="timeline"]').screenshot({ path: path.join(OUT, "timeline-2025-09.png") });
  const outage = await p.$eval("[data-sla-outage]", (e) => [e.dataset.slaOutage, e.dataset.countedMinutes]);
  assert.deepEqual(outage, ["OUT-20250903T1003", "12"]);
  // The 90-day strip: one tab stop, arrows move, each day announced.
  await p.click('[role=tab][aria-controls$="availability"]');
  await p.focus('[data-sla-chart="daily"] canvas');
  const last = await p.textContent("[data-sla-day-readout]");
  await p.keyboard.press("ArrowLeft");
  const before = await p.textContent("[data-sla-day-readout]");
  assert.notEqual(before, last);
  // The strip ends on the as-of day (May 20); one step left is May 19, a day without outages.
  assert.equal(before, "May 19: 100.00%, no outage");
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("<sla-portal> custom element renders the report", async () => {
  const p = await page();
  await p.goto(`${server.base}/element.html`);
  await p.waitForSelector("sla-portal .slap-header", { timeout: 20000 });
  await fullWidget(p, "sla-portal");
  const got = await periodsFromPage(p);
  const feb = got.find((r) => r.month === "2026-02");
  // Worked example README: February 99.98014 %, breached.
  assert.deepEqual(feb, { month: "2026-02", availability: "99.98014", breached: "true", unavailable: "8" });
  // Keyboard only: arrows move between tabs (one tab stop), Enter on a row opens its timeline.
  await p.focus('[role=tab][aria-selected="true"]');
  await p.keyboard.press("ArrowLeft");
  assert.equal(await p.evaluate(() => document.activeElement.getAttribute("aria-controls").endsWith("availability")), true);
  await p.keyboard.press("ArrowRight");
  await p.focus('[data-sla-month="2026-03"]');
  await p.keyboard.press("Enter");
  await p.waitForSelector('[data-sla-timeline-month="2026-03"]');
  // Removing the element unmounts the widget.
  await p.$eval("sla-portal", (e) => e.remove());
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("HTTP 500 shows a translated error panel; Retry succeeds", async () => {
  failNext = 1;
  seen.usageHeaders.length = 0;
  const p = await page();
  await p.goto(url({ usage: "/data/flaky-usage.json", incidents: "/data/worked-incidents.json", asOf: WORKED_AS_OF }));
  const panel = await p.waitForSelector("[data-sla-error=http]");
  const text = await panel.textContent();
  assert.match(text, /HTTP 500/);
  assert.match(text, /重试/); // zh-CN is the default locale
  await p.locator("#sla").screenshot({ path: path.join(OUT, "error-http-zh-CN.png") });
  await p.click(".slap-retry");
  await p.waitForSelector('[data-sla-explain]');
  assert.deepEqual(seen.usageHeaders, ["e2e", "e2e"], "extra headers are sent on every attempt");
  await p.close();
});

test("a hung request ends in a timeout panel", async () => {
  const p = await page();
  await p.goto(url({ usage: "/data/hung.json", incidents: "/data/worked-incidents.json", asOf: WORKED_AS_OF, locale: "en", timeout: 800 }));
  const panel = await p.waitForSelector("[data-sla-error=timeout]", { timeout: 10000 });
  assert.match(await panel.textContent(), /did not finish within 1 s/);
  await p.close();
});

test("progress shows the bytes received while a large file streams", async () => {
  const p = await page();
  await p.goto(url({ usage: "/data/slow-year.json", incidents: "/data/year-incidents.json", asOf: YEAR_AS_OF, locale: "en" }));
  // Wait for what the test means: the whole first half shown, not the first chunk that
  // arrived (725 kB of 3.8 MB on a slow machine). The rest is held until released below.
  const half = fs.statSync(year.usage).size >> 1;
  const bytes = await p.waitForFunction((h) => {
    const e = document.querySelector("[data-sla-bytes]");
    return e && Number(e.dataset.slaBytes) >= h && e.textContent;
  }, half, { timeout: 20000 }).then((h) => h.jsonValue());
  // Half of the file arrived: "1.x MB of 3.x MB received" (Intl units).
  assert.match(bytes, /MB of .*MB received/);
  await p.locator("#sla").screenshot({ path: path.join(OUT, "loading-en.png") });
  releaseSlow();
  await p.waitForSelector("[data-sla-explain]", { timeout: 20000 });
  await fullWidget(p);
  // Print: only the monthly statement is printed.
  await p.emulateMedia({ media: "print" });
  assert.equal(await p.$eval(".slap-tabs", (e) => getComputedStyle(e).display), "none");
  assert.equal(await p.$eval(".slap-statement", (e) => getComputedStyle(e).display), "block");
  await p.locator("#sla").screenshot({ path: path.join(OUT, "print-statement-en.png") });
  await p.close();
});

// Issue 9: fixture policy-versions (README): March is judged by the version of 2026-03, February
// by the top-level settings; the badge says which, in both languages.
test("policy versions: each month shows the terms that judged it (screenshots)", async () => {
  const dir = "/fixtures/policy-versions";
  const asOf = fs.readFileSync(path.join(FIXTURES, "policy-versions", "as_of.txt"), "utf8").trim();
  const p = await page();
  for (const [locale, march, feb] of [["en", "Terms from March 2026", "Original terms"], ["zh-CN", "条款版本 2026年3月 起", "原始条款"]]) {
    await p.goto(url({ usage: `${dir}/usage.json`, incidents: `${dir}/incidents.json`, policy: `${dir}/policy.json`, asOf, locale }));
    await p.waitForSelector(".slap-header", { timeout: 20000 });
    await p.click('[role=tab][aria-controls$="periods"]');
    await p.click('[data-sla-month="2026-03"]');
    const badge = p.locator(".slap-version [data-sla-policy-version]");
    await badge.waitFor();
    assert.equal(await badge.getAttribute("data-sla-policy-version"), "2026-03");
    assert.equal((await badge.textContent()).trim(), march);
    // The month's section, from its heading to its excluded time, with the badge between.
    const top = await p.locator(".slap-month-outages").boundingBox();
    const end = await p.locator("[data-sla-excluded-time=month]").boundingBox();
    await p.screenshot({ path: path.join(OUT, `version-badge-2026-03-${locale}.png`), fullPage: true,
      clip: { x: 0, y: top.y - 8, width: 1200, height: end.y + end.height - top.y + 16 } });
    await p.click('[role=tab][aria-controls$="periods"]');
    await p.click('[data-sla-month="2026-02"]');
    await p.waitForSelector('[data-sla-timeline-month="2026-02"]');
    assert.equal((await p.locator(".slap-version [data-sla-policy-version]").textContent()).trim(), feb);
  }
  assert.deepEqual(p.errors, []);
  await p.close();
});
