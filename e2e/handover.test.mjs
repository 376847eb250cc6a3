// handover.test.mjs: the first paint (sla_portal.js) draws the overview alone, then the full
// widget (sla_portal_full.js) takes over with the same documents (src/stage/), and a
// host's own responses stand in for the widget's first requests. Assumes dist/ is built.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { serve, browser, ROOT } from "./serve.mjs";

const WORKED = path.join(ROOT, "crates", "sla-rules", "tests", "fixtures", "worked");
const AS_OF = fs.readFileSync(path.join(WORKED, "as_of.txt"), "utf8").trim();

const HOST_JS = `import init, { mount } from "/sla-portal/sla_portal.js";
window.events = [];
for (const t of ["sla-portal:ready", "sla-portal:error"]) document.addEventListener(t, (e) => window.events.push(t));
const q = new URLSearchParams(location.search);
const options = { usageUrl: "/data/usage.json", incidentsUrl: "/data/incidents.json", asOf: "${AS_OF}", locale: "en" };
// The host's own requests, started before init(): one for the usage URL, and one for a URL
// the widget does not use (so it must ignore it and fetch the incidents itself).
if (q.has("responses")) options.responses = { usage: fetch("/data/usage.json"), incidents: fetch("/data/other.json") };
await init();
window.widget = mount(document.getElementById("sla"), options);`;

// A host whose token has expired: it mounts with the stale one, hears the error, and hands
// the widget a fresh one with update(). `?claims` guards only the claims list.
const AUTH_JS = `import init, { mount } from "/sla-portal/sla_portal.js";
window.events = [];
for (const t of ["sla-portal:ready", "sla-portal:error"]) document.addEventListener(t, (e) => window.events.push(t));
const claimsOnly = new URLSearchParams(location.search).has("claims");
await init();
window.widget = mount(document.getElementById("sla"), {
  usageUrl: claimsOnly ? "/data/usage.json" : "/auth/usage.json", incidentsUrl: "/data/incidents.json",
  claimsUrl: "/auth/claims", asOf: "${AS_OF}", locale: "en", headers: { Authorization: "Bearer stale" } });`;

// A host that waits for something of its own (its token) before init(), until the test says
// go; `?elsewhere` loads the wasm from another URL, as a host with its own asset path does.
const LATE_JS = `import init, { mount } from "/sla-portal/sla_portal.js";
const elsewhere = new URLSearchParams(location.search).has("elsewhere");
await new Promise((go) => { window.go = go; });
await init(elsewhere ? { module_or_path: "/copy/sla_portal_bg.wasm" } : undefined);
mount(document.getElementById("sla"), { usageUrl: "/data/usage.json", incidentsUrl: "/data/incidents.json", asOf: "${AS_OF}", locale: "en" });`;

/// Answers 401 unless the request carries the fresh token.
const guarded = (body) => (req, res) => {
  const ok = req.headers.authorization === "Bearer fresh";
  res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" });
  res.end(ok ? body : JSON.stringify({ error: "unauthorized" }));
};

let server, chrome;

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_full.js")), "dist/ missing: run scripts/build-widget");
  server = await serve({
    routes: {
      "/host.html": { body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="/host.js"></script></head><body><div id="sla"></div></body></html>` },
      "/host.js": { body: HOST_JS, type: "text/javascript" },
      "/data/moved.json": { body: "<html>moved</html>", type: "application/json" },
      "/auth.html": { body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="/auth.js"></script></head><body><div id="sla"></div></body></html>` },
      "/auth.js": { body: AUTH_JS, type: "text/javascript" },
      "/late.html": { body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="/late.js"></script></head><body><div id="sla"></div></body></html>` },
      "/late.js": { body: LATE_JS, type: "text/javascript" },
      "/auth/usage.json": guarded(fs.readFileSync(path.join(WORKED, "usage.json"))),
      "/auth/claims": guarded(JSON.stringify({ schema: "sla-portal/claims/v1", claims: [] })),
    },
    files: {
      "/data/usage.json": path.join(WORKED, "usage.json"),
      "/data/incidents.json": path.join(WORKED, "incidents.json"),
      "/data/other.json": path.join(WORKED, "incidents.json"),
      "/copy/sla_portal_bg.wasm": path.join(ROOT, "dist", "sla_portal_bg.wasm"),
    },
  });
  chrome = await browser();
});

after(async () => { await chrome?.close(); await server?.close(); });

const hits = (url) => server.hits[url] || 0;
function resetHits() { for (const k of Object.keys(server.hits)) delete server.hits[k]; }

/// Holds the full module back until `release()`: the first paint can be looked at alone.
async function gateFullModule(p) {
  let release;
  const gate = new Promise((r) => { release = r; });
  await p.route("**/sla-portal/sla_portal_full.js", async (route) => { await gate; await route.continue(); });
  return release;
}

test("the first paint draws the overview alone; the full widget takes over without fetching again", async () => {
  resetHits();
  const p = await chrome.ctx.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  const loaded = [];
  p.on("response", (r) => loaded.push(new URL(r.url()).pathname));
  const release = await gateFullModule(p);
  await p.goto(`${server.base}/host.html`);
  await p.waitForSelector(".slap[data-sla-stage=first-paint] [data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  // Before the first chart: the first paint's two files and the documents, nothing of the full widget.
  assert.ok(loaded.includes("/sla-portal/sla_portal_bg.wasm"), loaded.join());
  assert.ok(!loaded.some((u) => u.includes("sla_portal_full")), loaded.join());
  // The overview is the report's (worked README): March is the last judged month, and
  // February (99.98014 %) and March (99.98879 %) are the two breached ones.
  assert.equal(await p.getAttribute("[data-sla-last-judged]", "data-sla-last-judged"), "2026-03");
  assert.equal(await p.getAttribute("[data-sla-breached-count]", "data-sla-breached-count"), "2");
  // A tab only the full widget draws says it is on its way; the click is remembered.
  await p.click('[role=tab][aria-controls$="-panel-periods"]');
  await p.waitForSelector("[data-sla-pending-tab=periods][aria-busy=true]");
  const tabId = await p.evaluate(() => document.activeElement.id);
  assert.match(tabId, /^slap\d+-tab-periods$/);

  release();
  await p.waitForSelector(".slap[data-sla-stage=full]");
  const feb = p.locator('[data-sla-month="2026-02"]');
  await feb.waitFor();
  assert.equal(await feb.getAttribute("data-availability"), "99.98014");
  assert.equal(await feb.getAttribute("data-breached"), "true");
  assert.equal(await p.locator(".slap").count(), 1, "the first paint's nodes are gone");
  // The same element ids, and the focus where the user left it.
  await p.waitForFunction((id) => document.activeElement.id === id, tabId);
  // Each document was fetched once, and the host heard `ready` once.
  assert.equal(hits("/data/usage.json"), 1);
  assert.equal(hits("/data/incidents.json"), 1);
  assert.deepEqual(await p.evaluate(() => window.events), ["sla-portal:ready"]);
  // The handle mount() returned now drives the full widget.
  await p.evaluate(() => window.widget.update({ locale: "zh-CN" }));
  await p.waitForSelector('.slap[lang="zh-CN"][data-sla-stage=full]');
  assert.equal(hits("/data/usage.json"), 1, "update() without a URL change fetches nothing");
  await p.evaluate(() => window.widget.unmount());
  assert.equal(await p.locator(".slap").count(), 0);
  assert.deepEqual(errors, []);
  await p.close();
});

test("if the full widget cannot load, the overview stays and the other tabs offer Retry", async () => {
  const p = await chrome.ctx.newPage();
  let fail = true;
  await p.route("**/sla-portal/sla_portal_full.js", (route) =>
    fail ? route.fulfill({ status: 503, body: "unavailable" }) : route.continue());
  await p.goto(`${server.base}/host.html`);
  await p.waitForSelector("[data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  await p.click('[role=tab][aria-controls$="-panel-claims"]');
  const alert = p.locator('[data-sla-pending-tab=claims][role=alert]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /could not be loaded/);
  assert.equal(await p.getAttribute(".slap", "data-sla-stage"), "first-paint");
  // The overview still works meanwhile.
  await p.click('[role=tab][aria-controls$="-panel-overview"]');
  await p.waitForSelector("[data-sla-chart=monthly]");
  await p.click('[role=tab][aria-controls$="-panel-claims"]');
  fail = false;
  await p.click("[data-sla-pending-tab=claims] .slap-retry");
  await p.waitForSelector(".slap[data-sla-stage=full] [data-sla-tab=claims]");
  await p.close();
});

test("a URL changed while the full widget loads is the one it reads, not the first paint's documents", async () => {
  resetHits();
  const p = await chrome.ctx.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  const release = await gateFullModule(p);
  // The new URL answers only once the full widget has taken over.
  let answer;
  const answered = new Promise((r) => { answer = r; });
  await p.route("**/data/moved.json", async (route) => { await answered; await route.continue(); });
  await p.goto(`${server.base}/host.html`);
  await p.waitForSelector(".slap[data-sla-stage=first-paint] [data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  await p.evaluate(() => window.widget.update({ usageUrl: "/data/moved.json" }));
  release();
  await p.waitForSelector(".slap[data-sla-stage=full]");
  answer();
  // Not the old report under the new URL: the moved document is read, and it is not JSON.
  const panel = p.locator("[data-sla-error]");
  await panel.waitFor();
  assert.equal(await panel.getAttribute("data-sla-error"), "not-json");
  assert.ok((await p.evaluate(() => window.events)).includes("sla-portal:error"));
  assert.ok(hits("/data/moved.json") >= 1);
  assert.deepEqual(errors, []);
  await p.close();
});

test("responses the host started are read instead of fetched; one for another URL is ignored", async () => {
  resetHits();
  const p = await chrome.ctx.newPage();
  await p.goto(`${server.base}/host.html?responses`);
  await p.waitForSelector(".slap[data-sla-stage=full]");
  // usage.json: only the host's request. incidents.json: the widget's own, since the host's
  // response was for /data/other.json.
  assert.equal(hits("/data/usage.json"), 1);
  assert.equal(hits("/data/other.json"), 1);
  assert.equal(hits("/data/incidents.json"), 1);
  assert.equal(await p.getAttribute("[data-sla-breached-count]", "data-sla-breached-count"), "2");
  await p.click('[role=tab][aria-controls$="-panel-periods"]');
  assert.equal(await p.getAttribute('[data-sla-month="2026-02"]', "data-unavailable-minutes"), "8");
  await p.close();
});

test("a refreshed token given with update() retries the documents that answered 401, without a click", async () => {
  resetHits();
  const p = await chrome.ctx.newPage();
  await p.goto(`${server.base}/auth.html`);
  const panel = p.locator("[data-sla-error=http]");
  await panel.waitFor();
  assert.match(await panel.textContent(), /401/);
  assert.deepEqual(await p.evaluate(() => window.events), ["sla-portal:error"]);
  await p.evaluate(() => window.widget.update({ headers: { Authorization: "Bearer fresh" } }));
  // The worked README's overview: two months below target, March the last judged.
  await p.waitForSelector("[data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  assert.equal(await p.getAttribute("[data-sla-breached-count]", "data-sla-breached-count"), "2");
  assert.equal(hits("/auth/usage.json"), 2, "the stale attempt and the retry");
  assert.deepEqual(await p.evaluate(() => window.events), ["sla-portal:error", "sla-portal:ready"]);
  // A report on screen: another token changes no document.
  await p.waitForSelector(".slap[data-sla-stage=full]");
  await p.evaluate(() => window.widget.update({ headers: { Authorization: "Bearer fresh", "X-Trace": "1" } }));
  await p.evaluate(() => window.widget.update({ locale: "zh-CN" }));
  await p.waitForSelector('.slap[lang="zh-CN"]');
  assert.equal(hits("/auth/usage.json"), 2);
  await p.close();
});

test("a refreshed token re-reads a claims list that answered 401; the claim form stays as it was", async () => {
  resetHits();
  const p = await chrome.ctx.newPage();
  await p.goto(`${server.base}/auth.html?claims`);
  await p.waitForSelector(".slap[data-sla-stage=full]");
  await p.click('[role=tab][aria-controls$="-panel-claims"]');
  const alert = p.locator(".slap-claim-error[role=alert]");
  await alert.waitFor();
  assert.match(await alert.textContent(), /sign-in is no longer valid/);
  const read = hits("/auth/claims");
  await p.evaluate(() => window.widget.update({ headers: { Authorization: "Bearer fresh" } }));
  await alert.waitFor({ state: "detached" });
  assert.equal(hits("/auth/claims"), read + 1, "read once more, with the fresh token");
  await p.waitForSelector("[data-sla-step=periods]");
  assert.equal(hits("/data/usage.json"), 1, "the documents on screen are not fetched again");
  await p.close();
});

test("importing the module requests its wasm at once, before init(); init() reads that response", async () => {
  resetHits();
  const p = await chrome.ctx.newPage();
  const early = p.waitForRequest((r) => r.url().endsWith("/sla-portal/sla_portal_bg.wasm"));
  await p.goto(`${server.base}/late.html`);
  // The host has not called init() yet (it waits for `go`), and the wasm is on its way.
  await early;
  assert.equal(await p.evaluate(() => typeof window.go), "function");
  await p.evaluate(() => window.go());
  await p.waitForSelector("[data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  assert.equal(hits("/sla-portal/sla_portal_bg.wasm"), 1, "one request for the wasm, not a second by init()");
  await p.close();
});

test("init() with the host's own wasm URL aborts the module's early request and loads from there", async () => {
  resetHits();
  const p = await chrome.ctx.newPage();
  // The early request is held, so that it is still open when init(…) is called.
  await p.route("**/sla-portal/sla_portal_bg.wasm", () => {});
  const aborted = p.waitForEvent("requestfailed", (r) => r.url().endsWith("/sla-portal/sla_portal_bg.wasm"));
  await p.goto(`${server.base}/late.html?elsewhere`);
  await p.waitForFunction(() => typeof window.go === "function");
  await p.evaluate(() => window.go());
  await aborted;
  await p.waitForSelector("[data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  assert.equal(hits("/copy/sla_portal_bg.wasm"), 1);
  await p.close();
});
