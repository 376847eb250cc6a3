// live.test.mjs: the month in progress stays current (#11). The reference server serves the demo
// documents with ETags; the widget re-checks them every refreshSeconds (1 s here) with
// If-None-Match. The demo's usage file is rewritten while the page is open.
//   SLA_SERVER_BIN (default $CARGO_TARGET_DIR/release/sla-server or target/release/sla-server)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { browser, ROOT, fullWidget } from "./serve.mjs";

const BIN = process.env.SLA_SERVER_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release", "sla-server");

// A fixed asOf inside November 2026 (the demo contract's last month, in progress at that
// instant), so the test does not depend on today's date.
const AS_OF = "2026-11-20T12:00:00+08:00";
const HOST_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>live e2e</title>
<script type="module" src="live-host.js"></script></head>
<body style="margin:0;padding:16px"><div id="sla"></div></body></html>`;
const HOST_JS = `import init, { mount } from "./sla_portal.js";
const { token } = await (await fetch("/demo/token")).json();
await init();
mount(document.getElementById("sla"), {
  usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents", claimsUrl: "/api/v1/claims",
  policyUrl: "/api/v1/policy", locale: new URLSearchParams(location.search).get("locale") || "en",
  asOf: "${AS_OF}", refreshSeconds: 1, headers: { Authorization: "Bearer " + token } });`;

/// Demo data, dist/ with the host page, and a server whose JSON log lines are collected.
async function server() {
  assert.ok(fs.existsSync(BIN), `sla-server binary not found at ${BIN}`);
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_bg.wasm")), "dist/ missing: bash scripts/build-widget");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-live-"));
  execFileSync(BIN, ["demo-data", "--out", path.join(dir, "data")]);
  fs.cpSync(path.join(ROOT, "dist"), path.join(dir, "dist"), { recursive: true });
  fs.writeFileSync(path.join(dir, "dist", "live-host.html"), HOST_HTML);
  fs.writeFileSync(path.join(dir, "dist", "live-host.js"), HOST_JS);
  const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data", path.join(dir, "data"),
    "--db", path.join(dir, "claims.db"), "--dist", path.join(dir, "dist"), "--demo"], { stdio: ["ignore", "pipe", "pipe"] });
  // The log: one JSON object a line on stderr (tracing_subscriber's json format).
  const log = [];
  let rest = "";
  proc.stderr.on("data", (d) => {
    const lines = (rest + d).split("\n");
    rest = lines.pop();
    for (const l of lines) { try { log.push(JSON.parse(l)); } catch { /* not a log line */ } }
  });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    proc.on("exit", (c) => reject(new Error(`sla-server exited ${c}`)));
  });
  /// The request lines the server logged (tracing JSON: fields.method/path/status).
  const requests = () => log.map((l) => l.fields || {}).filter((f) => f.message === "request");
  const usage = path.join(dir, "data", "acme", "usage.json");
  const close = () => { proc.kill("SIGTERM"); fs.rmSync(dir, { recursive: true, force: true }); };
  return { base, requests, usage, close };
}

/// `minutes` down minutes (ok = 0 of a busy total) from `from`, written in one rename so the
/// server never reads half a file.
function addDowntime(file, from, minutes) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const at = Date.parse(from);
  const seg = doc.telemetry.find((s) => {
    const i = (at - Date.parse(s.start)) / 60000;
    return i >= 0 && i + minutes <= s.total.length;
  });
  assert.ok(seg, `no telemetry segment holds ${from}`);
  const i0 = (at - Date.parse(seg.start)) / 60000;
  for (let i = i0; i < i0 + minutes; i++) { seg.total[i] = Math.max(seg.total[i], 20); seg.ok[i] = 0; }
  fs.writeFileSync(file + ".tmp", JSON.stringify(doc));
  fs.renameSync(file + ".tmp", file);
}

/// Polls a condition on the test's side (the server log, counted requests) until it holds.
async function until(cond, what) {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(cond(), what);
}

const tab = (page, id) => page.click(`[role=tab][aria-controls$="-panel-${id}"]`);
const isDoc = (url) => /\/api\/v1\/(usage|incidents|policy)$/.test(new URL(url).pathname);

test("the month in progress updates without a reload; the draft, tab and selection stay; unchanged documents cost 304s", async () => {
  const srv = await server();
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const docAnswers = [];
    page.on("response", (r) => { if (isDoc(r.url())) docAnswers.push(r.status()); });
    await page.goto(`${srv.base}/live-host.html`);
    await page.waitForSelector("[role=tab]", { timeout: 30000 });
    await tab(page, "periods");
    const nov = '[data-sla-month="2026-11"]';
    const before = Number(await page.getAttribute(nov, "data-unavailable-minutes"));
    assert.equal(await page.locator("[data-sla-out-of-reach]").count(), 0, "November can still meet its target");

    // A claim draft in progress: September chosen, on the remedy step.
    await tab(page, "claims");
    await page.check('[data-sla-choose-month="2026-09"] input');
    await page.click("[data-sla-action=next]");
    await page.waitForSelector("[data-sla-step=remedy]");
    const draftBefore = JSON.parse(await page.evaluate(() => localStorage.getItem("sla-portal:draft:BS-2025-0042")));

    // Unchanged documents: the re-checks are answered 304, and the server's log says so.
    await until(() => srv.requests().filter((r) => r.path === "/api/v1/usage" && r.status === 304).length >= 2,
      "two 304s for the usage document in the server log");
    assert.ok(docAnswers.filter((s) => s === 304).length >= 2, `304s seen by the page: ${docAnswers}`);
    assert.equal(await page.locator("[data-sla-out-of-reach]").count(), 0);

    // 120 down minutes on 10 November: far over the month's budget of 4.32 minutes.
    addDowntime(srv.usage, "2026-11-10T10:00:00+08:00", 120);
    const notice = page.locator('[data-sla-out-of-reach="2026-11"]');
    await notice.waitFor({ timeout: 30000 });
    assert.match(await notice.textContent(), /can no longer meet 99\.99\s?%.*claim once it ends/);
    // The load and the changed document: two full answers for usage, the rest were 304s.
    assert.equal(srv.requests().filter((r) => r.path === "/api/v1/usage" && r.status === 200).length, 2);

    // In place: still the Claims tab, on the same step, with the same draft and claim_id.
    assert.equal(await page.getAttribute("[role=tab][aria-selected=true]", "aria-controls").then((v) => v.endsWith("-panel-claims")), true);
    await page.waitForSelector("[data-sla-step=remedy]");
    const draftAfter = JSON.parse(await page.evaluate(() => localStorage.getItem("sla-portal:draft:BS-2025-0042")));
    assert.equal(draftAfter.claim_id, draftBefore.claim_id);
    assert.deepEqual(draftAfter, draftBefore);
    assert.equal(await page.locator("[data-sla-updated-ago]").count(), 1);

    await tab(page, "periods");
    const after = Number(await page.getAttribute(nov, "data-unavailable-minutes"));
    assert.ok(after >= before + 120, `November's unavailable minutes ${before} → ${after}`);
    assert.deepEqual(errors, []);
  } finally { await b.close(); srv.close(); }
});

test("no request while the page is hidden; a check as soon as it is visible again", async () => {
  const srv = await server();
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    let docRequests = 0;
    page.on("request", (r) => { if (isDoc(r.url())) docRequests++; });
    await page.goto(`${srv.base}/live-host.html?locale=zh-CN`);
    await page.waitForSelector("[role=tab]", { timeout: 30000 });
    // Re-checks are running (each one resets "updated N s ago").
    await until(() => docRequests > 3, "re-checks are running");
    await page.waitForFunction(() => document.querySelector("[data-sla-updated-ago]")?.textContent.includes("秒前更新"));
    // Hidden, as a background tab is: document.hidden and a visibilitychange event.
    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    // A check already on its way may finish; after that the count must not move while
    // "updated N s ago" counts past several refresh periods (1 s each).
    await page.waitForFunction(() => Number(document.querySelector("[data-sla-updated-ago]").dataset.slaUpdatedAgo) >= 1);
    const seen = docRequests;
    await page.waitForFunction(() => Number(document.querySelector("[data-sla-updated-ago]").dataset.slaUpdatedAgo) >= 4,
      null, { timeout: 30000 });
    assert.equal(docRequests, seen, "no request while hidden");
    // Visible again: the overdue check goes out at once.
    const next = page.waitForRequest((r) => isDoc(r.url()));
    await page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await next;
  } finally { await b.close(); srv.close(); }
});

test("no re-check while a claim is being sent", async () => {
  const srv = await server();
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    let docRequests = 0;
    page.on("request", (r) => { if (isDoc(r.url())) docRequests++; });
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route("**/api/v1/claims", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      await held;
      await route.continue();
    });
    await page.goto(`${srv.base}/live-host.html`);
    await page.waitForSelector("[role=tab]", { timeout: 30000 });
    await tab(page, "claims");
    await page.check('[data-sla-choose-month="2026-09"] input');
    await page.click("[data-sla-action=next]");
    await page.check(".slap-remedy-choice input[value=contract_credit]");
    await page.click("[data-sla-action=next]");
    await page.waitForSelector("[data-sla-step=evidence]");
    await page.click("[data-sla-action=next]");
    await page.fill(".slap-contact input[name=name]", "王敏");
    await page.fill(".slap-contact input[name=email]", "wm@example.com");
    await page.fill(".slap-contact input[name=phone]", "+86 138-0000-0000");
    await page.click("[data-sla-action=next]");
    await page.waitForSelector("[data-sla-step=confirm]");
    await until(() => docRequests > 3, "re-checks are running");
    const sent = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/claims"));
    await page.click("[data-sla-action=submit]");
    await sent;
    // A check already on its way may finish; then nothing while the claim is held.
    await page.waitForFunction(() => Number(document.querySelector("[data-sla-updated-ago]").dataset.slaUpdatedAgo) >= 1);
    const seen = docRequests;
    await page.waitForFunction(() => Number(document.querySelector("[data-sla-updated-ago]").dataset.slaUpdatedAgo) >= 4,
      null, { timeout: 30000 });
    assert.equal(docRequests, seen, "no re-check while the claim is on its way");
    release();
    await page.waitForSelector("[data-sla-step=done] [data-sla-claim-status=submitted]");
    await until(() => docRequests > seen, "re-checks resume once the claim is answered");
  } finally { await b.close(); srv.close(); }
});

// The claims list is read again with each re-check: an operator's decision shows without a
// reload. The list is the claims API's contract, served here by a route so its status can move.
test("a claim's new status shows at the next re-check, without a reload", async () => {
  const srv = await server();
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    const id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let status = "submitted";
    let listed = 0;
    let unchanged = 0;
    const history = () => [{ status: "submitted", at: "2026-11-20T01:00:00Z", note: "" },
      ...(status === "approved" ? [{ status: "approved", at: "2026-11-20T02:00:00Z", note: "credit granted" }] : [])];
    await page.route("**/api/v1/claims", (route) => {
      if (route.request().method() !== "GET") return route.continue();
      listed++;
      // A tag per status, as a portal would: the widget asks again with it.
      const etag = `"list-${status}"`;
      if (route.request().headers()["if-none-match"] === etag) {
        unchanged++;
        return route.fulfill({ status: 304, headers: { ETag: etag } });
      }
      const claim = { schema: "sla-portal/claim/v1", claim_id: id, contract_id: "BS-2025-0042", periods: ["2026-01"],
        remedy: "service_extension", status, granted: { remedy: "service_extension", units: 1, service_extension_months: 1 },
        submitted_at: "2026-11-20T01:00:00Z", updated_at: history().at(-1).at, history: history() };
      return route.fulfill({ status: 200, contentType: "application/json",
        headers: { ETag: etag }, body: JSON.stringify({ schema: "sla-portal/claims/v1", claims: [claim] }) });
    });
    await page.goto(`${srv.base}/live-host.html?locale=en`);
    await fullWidget(page);
    await tab(page, "claims");
    const row = page.locator(`tr[data-sla-claim="${id}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute("data-status"), "submitted");
    const before = listed;
    await page.evaluate(() => { window.samePage = true; });
    // While nothing changes, the re-reads are 304s and the list stays on screen.
    for (let i = 0; i < 100 && unchanged === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(unchanged > 0, "a re-read sent the list's tag and got a 304");
    assert.equal(await row.getAttribute("data-status"), "submitted");
    status = "approved";
    await page.waitForSelector(`tr[data-sla-claim="${id}"][data-status=approved]`, { timeout: 15000 });
    assert.ok(listed > before, `the list was read again (${before} → ${listed})`);
    assert.equal(await page.evaluate(() => window.samePage), true, "no reload");
    const items = page.locator(`[data-sla-claim="${id}"] [data-sla-status-history] li`);
    assert.deepEqual(await items.evaluateAll((li) => li.map((x) => x.dataset.status)), ["submitted", "approved"]);
  } finally { await b.close(); srv.close(); }
});
