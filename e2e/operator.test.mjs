// operator.test.mjs: the operator console (`mountOperator()`, `<sla-operator>`) end to end on
// the real sla-server with the demo data, in both languages: the queue filtered, a claim filed
// from the client's widget opened with the same recomputed evidence the client saw, approved
// with a note the client's widget then shows; two consoles deciding one claim; axe on every
// console view at 1280 and 360 px; the keyboard alone filters, opens and decides.
//   SLA_SERVER_BIN as in claims.test.mjs; dist/ must be built (scripts/build-widget).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { browser, ROOT } from "./serve.mjs";

const BIN = process.env.SLA_SERVER_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release", "sla-server");
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const OUT = path.join(ROOT, "e2e", "out");
fs.mkdirSync(OUT, { recursive: true });

// The client's page (claims.test.mjs's embedding), re-checking every `refresh` seconds.
const CLIENT_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>client</title>
<script type="module" src="client-host.js"></script></head><body><div id="sla"></div></body></html>`;
const CLIENT_JS = `import init, { mount } from "./sla_portal.js";
const q = new URLSearchParams(location.search);
const { token } = await (await fetch("/demo/token")).json();
await init();
mount(document.getElementById("sla"), {
  usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents", claimsUrl: "/api/v1/claims",
  policyUrl: "/api/v1/policy", locale: q.get("locale") || "zh-CN",
  refreshSeconds: Number(q.get("refresh") || 60), headers: { Authorization: "Bearer " + token } });`;
// A console for operator \`who\` (its token is a file of this test's copy of dist/, never the
// repository's): mountOperator() by default, the <sla-operator> element with ?element=1.
const OP_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>console</title>
<script type="module" src="op-host.js"></script></head><body><main><div id="op"></div></main></body></html>`;
const OP_JS = `import init, { mountOperator } from "./sla_portal_full.js";
const q = new URLSearchParams(location.search);
const token = (await (await fetch("op-" + q.get("who") + ".txt")).text()).trim();
const headers = { Authorization: "Bearer " + token };
const locale = q.get("locale") || "zh-CN";
if (q.get("element")) {
  const el = document.createElement("sla-operator");
  el.setAttribute("api-base", "/api/v1");
  el.setAttribute("locale", locale);
  el.headers = headers;
  document.getElementById("op").append(el);
  el.addEventListener("sla-operator:decided", (e) => { window.__decided = e.detail; });
} else {
  await init();
  window.__op = mountOperator(document.getElementById("op"), { apiBase: "/api/v1", locale, headers });
  window.__mountOperator = (el, o) => mountOperator(el, { apiBase: "/api/v1", headers, ...o });
  document.getElementById("op").addEventListener("sla-operator:decided", (e) => { window.__decided = e.detail; });
}`;

const sha256 = (t) => crypto.createHash("sha256").update(t).digest("hex");

/// Demo data with two more operators (alice, bob), a copy of dist/ with the host pages, a server.
async function server() {
  assert.ok(fs.existsSync(BIN), `sla-server binary not found at ${BIN}`);
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_full_bg.wasm")), "dist/ missing: bash scripts/build-widget");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-op-"));
  const data = path.join(dir, "data");
  execFileSync(BIN, ["demo-data", "--out", data]);
  const dist = path.join(dir, "dist");
  fs.cpSync(path.join(ROOT, "dist"), dist, { recursive: true });
  const tokens = JSON.parse(fs.readFileSync(path.join(data, "tokens.json"), "utf8"));
  for (const who of ["alice", "bob"]) {
    const t = crypto.randomBytes(32).toString("hex");
    tokens.tokens.push({ client: who, role: "operator", sha256: sha256(t) });
    fs.writeFileSync(path.join(dist, `op-${who}.txt`), t);
  }
  fs.writeFileSync(path.join(data, "tokens.json"), JSON.stringify(tokens));
  fs.writeFileSync(path.join(dist, "client-host.html"), CLIENT_HTML);
  fs.writeFileSync(path.join(dist, "client-host.js"), CLIENT_JS);
  fs.writeFileSync(path.join(dist, "op-host.html"), OP_HTML);
  fs.writeFileSync(path.join(dist, "op-host.js"), OP_JS);
  const acme = fs.readFileSync(path.join(data, "demo-token.txt"), "utf8").trim();
  const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data", data, "--db", path.join(dir, "claims.db"),
    "--dist", dist, "--demo"], { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => { buf += d; const m = buf.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
    proc.on("exit", (c) => reject(new Error(`sla-server exited ${c}`)));
  });
  const opToken = fs.readFileSync(path.join(dist, "op-alice.txt"), "utf8");
  const api = async (p, { token = opToken, ...init } = {}) => {
    const r = await fetch(base + p, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });
    return { status: r.status, body: await r.text() };
  };
  /// A claim filed through the client's API (the widget's own flow is walked in the first test).
  const file = async (month, remedy, expected) => {
    const claim = { schema: "sla-portal/claim/v1", claim_id: crypto.randomUUID(), contract_id: "BS-2025-0042",
      periods: [month], remedy, expected, contact: { name: "王敏", email: "wm@example.com", phone: "+86 138-0000-0000" },
      note: "请核对<b>二月</b>" };
    const r = await api("/api/v1/claims", { token: acme, method: "POST", body: JSON.stringify(claim),
      headers: { "Content-Type": "application/json" } });
    assert.equal(r.status, 201, r.body);
    return claim.claim_id;
  };
  const close = () => { proc.kill("SIGTERM"); fs.rmSync(dir, { recursive: true, force: true }); };
  return { base, api, file, close };
}

async function page(b, url) {
  const p = await b.ctx.newPage();
  const errors = [];
  p.on("dialog", async (d) => { errors.push(`dialog: ${d.message()}`); await d.dismiss(); });
  p.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  await p.goto(url);
  return { p, errors };
}

const shot = (p, name) => p.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });

/// Presses Tab (at most `max` times) until the focused element matches `selector`: the
/// keyboard alone reaches it, or the test fails.
async function tabTo(p, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await p.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached ${selector}`);
}

/// The client's widget: walks the claim flow for `month` with `remedy` and submits it.
async function fileFromWidget(p, month, remedy) {
  await p.click('[role=tab][aria-controls$="-panel-claims"]');
  await p.waitForSelector("[data-sla-step=periods]");
  await p.check(`[data-sla-choose-month="${month}"] input`);
  await p.click("[data-sla-action=next]");
  await p.waitForSelector("[data-sla-step=remedy]");
  await p.check(`.slap-remedy-choice input[value=${remedy}]`);
  await p.click("[data-sla-action=next]");
  await p.waitForSelector("[data-sla-step=evidence]");
  await p.click("[data-sla-action=next]");
  await p.waitForSelector("[data-sla-step=contact]");
  await p.fill(".slap-contact input[name=name]", "王敏");
  await p.fill(".slap-contact input[name=email]", "wm@example.com");
  await p.fill(".slap-contact input[name=phone]", "+86 138-0000-0000");
  await p.fill(".slap-contact textarea", "二月的签署中断");
  await p.click("[data-sla-action=next]");
  await p.waitForSelector("[data-sla-step=confirm]");
  const sent = p.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/claims"));
  await p.click("[data-sla-action=submit]");
  const id = JSON.parse((await sent).postData()).claim_id;
  await p.waitForSelector("[data-sla-step=done] [data-sla-claim-status=submitted]");
  return id;
}

const row = (id) => `[data-sla-op-claim="${id}"]`;

for (const locale of ["zh-CN", "en"]) {
  test(`an operator filters, opens a claim filed in the widget, sees the client's figures and approves it with a note, by keyboard (${locale})`, async () => {
    const srv = await server();
    const b = await browser();
    try {
      const client = await page(b, `${srv.base}/client-host.html?locale=${locale}&refresh=2`);
      await client.p.waitForSelector(".slap[data-sla-stage=full]", { timeout: 60000 });
      const feb = await fileFromWidget(client.p, "2026-02", "contract_credit");
      // A second claim, for another month and remedy, that the filters must leave out.
      await client.p.click("text=" + (locale === "en" ? "Start another claim" : "再申请一次"));
      const mar = await fileFromWidget(client.p, "2026-03", "service_extension");
      // What the client saw for February: the periods table's hooks.
      await client.p.click('[role=tab][aria-controls$="-panel-periods"]');
      const seen = await client.p.$eval('[data-sla-month="2026-02"]', (r) =>
        [r.dataset.availability, r.dataset.unavailableMinutes, r.dataset.breached]);
      // By hand (claims.test.mjs): the outage from 01-31 23:55 to 02-01 00:07 has 7 of its 12
      // minutes in February, and February falls short.
      assert.equal(seen[1], "7");
      assert.equal(seen[2], "true");

      const op = await page(b, `${srv.base}/op-host.html?who=alice&locale=${locale}`);
      await op.p.waitForSelector(row(feb));
      assert.equal(await op.p.locator("[data-sla-op-claim]").count(), 2);
      // Counts per status, for the filters in force: both submitted.
      assert.equal(await op.p.getAttribute("[data-sla-op-count=submitted]", "data-count"), "2");
      assert.equal(await op.p.getAttribute(row(feb), "data-client"), "acme");
      assert.equal(await op.p.getAttribute(row(feb), "data-periods"), "2026-02");
      // Oldest first: February was filed before March.
      assert.deepEqual(await op.p.$$eval("[data-sla-op-claim]", (rs) => rs.map((r) => r.dataset.slaOpClaim)), [feb, mar]);
      await shot(op.p, `operator-queue-${locale}`);

      // The keyboard alone: a bad month is said, not sent; then February only.
      await tabTo(op.p, "[data-sla-op-filter=month]");
      await op.p.keyboard.type("2026-2");
      await op.p.keyboard.press("Enter");
      await op.p.waitForSelector("[data-sla-op-filter=month][aria-invalid=true]");
      await op.p.keyboard.press("Backspace");
      await op.p.keyboard.type("02");
      const listed = op.p.waitForResponse((r) => r.url().includes("/operator/claims?") && r.url().includes("month=2026-02"));
      await op.p.keyboard.press("Enter");
      await listed;
      await op.p.waitForFunction((m) => !document.querySelector(m), row(mar));
      assert.equal(await op.p.locator("[data-sla-op-claim]").count(), 1);
      assert.equal(await op.p.getAttribute("[data-sla-op-count=submitted]", "data-count"), "1");
      await tabTo(op.p, `${row(feb)} .slap-op-open`);
      await op.p.keyboard.press("Enter");
      await op.p.waitForSelector(`[data-sla-op-detail="${feb}"]`);
      // The heading took the focus: the next Tab goes on from the claim's page.
      assert.equal(await op.p.evaluate(() => document.activeElement.tagName), "H2");
      // The client's note is text, never markup.
      assert.equal(await op.p.textContent("[data-sla-op-client-note]"), "二月的签署中断");
      // The same evidence the client saw, recomputed from the client's documents in the wasm.
      const ev = "[data-sla-op-evidence]";
      await op.p.waitForSelector(`${ev} [data-sla-month="2026-02"]`, { timeout: 60000 });
      const mine = await op.p.$eval(`${ev} [data-sla-month="2026-02"]`, (r) =>
        [r.dataset.availability, r.dataset.unavailableMinutes, r.dataset.breached]);
      assert.deepEqual(mine, seen);
      // February's compensation breakdown: 1 unit, credit 1,606 (claims.test.mjs by hand), as granted.
      assert.equal(await op.p.getAttribute(`${ev} [data-sla-entitlement]`, "data-contract-credit"), "1606");
      assert.equal(await op.p.getAttribute("[data-sla-op-granted]", "data-contract-credit"), "1606");
      assert.equal(await op.p.locator(`${ev} [data-sla-selected-month="2026-02"]`).count(), 1);
      await shot(op.p, `operator-claim-${locale}`);
      // The workflow's next statuses for a submitted claim, and nothing else.
      assert.deepEqual(await op.p.$$eval("[data-sla-op-decide]", (bs) => bs.map((x) => x.dataset.slaOpDecide)),
        ["under_review", "approved", "rejected"]);
      // A rejection without a note is refused here, before anything is sent.
      let posts = 0;
      op.p.on("request", (r) => { if (r.method() === "POST") posts++; });
      await tabTo(op.p, "[data-sla-op-decide=rejected]");
      await op.p.keyboard.press("Enter");
      await op.p.waitForSelector("[data-sla-op-problem]");
      assert.equal(posts, 0);
      // The focus went to the note: write it, then approve and confirm, keys only.
      assert.equal(await op.p.evaluate(() => document.activeElement.matches("[data-sla-op-note-input]")), true);
      const note = "已核实：<i>二月</i>签署服务中断 12 分钟，按合同补偿。";
      await op.p.keyboard.type(note);
      await tabTo(op.p, "[data-sla-op-decide=approved]");
      await op.p.keyboard.press("Enter");
      await op.p.waitForSelector("[data-sla-op-confirming=approved]");
      assert.equal(await op.p.evaluate(() => document.activeElement.matches("[data-sla-op-confirm]")), true);
      await shot(op.p, `operator-confirm-${locale}`);
      const decided = op.p.waitForResponse((r) => r.url().endsWith(`/operator/claims/${feb}/status`));
      await op.p.keyboard.press("Enter");
      const res = await decided;
      assert.equal(res.status(), 200);
      assert.match(res.request().headers()["if-match"], /^"submitted\./);
      await op.p.waitForSelector("[data-sla-op-notice=saved]");
      await op.p.waitForSelector("[data-sla-op-status=approved]");
      // The message took the focus from the confirmation it replaced.
      assert.equal(await op.p.evaluate(() => document.activeElement.dataset.slaOpNotice), "saved");
      assert.deepEqual(await op.p.evaluate(() => window.__decided), { claimId: feb, status: "approved",
        version: await op.p.getAttribute("[data-sla-op-detail]", "data-version"), client: "acme" });
      const last = op.p.locator("[data-sla-op-history] li").last();
      assert.equal(await last.getAttribute("data-actor"), "operator:alice");
      assert.equal(await last.locator("[data-sla-op-note]").textContent(), note);
      assert.equal(await op.p.locator("[data-sla-op-history] i").count(), 0, "the note is text");
      // Approved: the next status is fulfilled only.
      assert.deepEqual(await op.p.$$eval("[data-sla-op-decide]", (bs) => bs.map((x) => x.dataset.slaOpDecide)), ["fulfilled"]);
      await shot(op.p, `operator-approved-${locale}`);

      // The client's widget shows the decision and its note at its next re-check.
      await client.p.click('[role=tab][aria-controls$="-panel-claims"]');
      const item = client.p.locator(`[data-sla-claim="${feb}"][data-status=approved] [data-sla-status-history] li[data-status=approved]`);
      await item.waitFor({ timeout: 30000 });
      assert.ok((await item.textContent()).includes(note), await item.textContent());
      await shot(client.p, `operator-client-sees-${locale}`);
      // Back to the queue: the filter is kept.
      await op.p.click("[data-sla-op-back]");
      await op.p.waitForSelector(`${row(feb)}[data-status=approved]`);
      assert.equal(await op.p.inputValue("[data-sla-op-filter=month]"), "2026-02");
      assert.deepEqual([...client.errors, ...op.errors], []);
    } finally { await b.close(); srv.close(); }
  });
}

test("two consoles decide the same claim: one succeeds, the other is told who changed it and reloads", async () => {
  const srv = await server();
  const b = await browser();
  try {
    // September: one breached month, one unit, one month of extension (claims.test.mjs).
    const id = await srv.file("2026-09", "service_extension", { units: 1, service_extension_months: 1 });
    const a = await page(b, `${srv.base}/op-host.html?who=alice&locale=en`);
    const c = await page(b, `${srv.base}/op-host.html?who=bob&locale=zh-CN&element=1`);
    for (const x of [a, c]) {
      await x.p.click(`${row(id)} .slap-op-open`);
      await x.p.waitForSelector("[data-sla-op-decide=rejected]");
    }
    // Alice approves first.
    await a.p.fill("[data-sla-op-note-input]", "approved by alice");
    await a.p.click("[data-sla-op-decide=approved]");
    await a.p.click("[data-sla-op-confirm]");
    await a.p.waitForSelector("[data-sla-op-notice=saved]");
    // Bob, on the page he read before, rejects: 412, told who, the claim reloaded, his note kept.
    const bobNote = "缺少证据";
    await c.p.fill("[data-sla-op-note-input]", bobNote);
    await c.p.click("[data-sla-op-decide=rejected]");
    const stale = c.p.waitForResponse((r) => r.url().endsWith("/status"));
    await c.p.click("[data-sla-op-confirm]");
    assert.equal((await stale).status(), 412);
    const told = await c.p.waitForSelector("[data-sla-op-notice=changed]");
    assert.equal(await told.getAttribute("data-changed-by"), "operator:alice");
    assert.ok((await told.textContent()).includes("operator:alice"), await told.textContent());
    await c.p.waitForSelector("[data-sla-op-status=approved]");
    assert.deepEqual(await c.p.$$eval("[data-sla-op-decide]", (bs) => bs.map((x) => x.dataset.slaOpDecide)), ["fulfilled"]);
    assert.equal(await c.p.inputValue("[data-sla-op-note-input]"), bobNote);
    // The note also survives a reload of the page (a session draft, no credentials in it).
    await c.p.reload();
    await c.p.click(`${row(id)} .slap-op-open`);
    await c.p.waitForSelector("[data-sla-op-note-input]");
    assert.equal(await c.p.inputValue("[data-sla-op-note-input]"), bobNote);
    const stored = await c.p.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(!/op-|Bearer|[0-9a-f]{64}/.test(stored.replace(/sla-operator:note:[0-9a-f-]+/g, "")), stored);
    await shot(c.p, "operator-two-consoles");
    // The server kept Alice's decision only.
    const detail = JSON.parse((await srv.api(`/api/v1/operator/claims/${id}`)).body);
    assert.equal(detail.status, "approved");
    assert.deepEqual(detail.history.map((h) => h.actor), ["client:acme", "operator:alice"]);
    assert.deepEqual([...a.errors, ...c.errors], []);
  } finally { await b.close(); srv.close(); }
});

/// February 2026 for contract credits, as claims.test.mjs works it out by hand: 1 unit, 1,606.
const FEB = { units: 1, contract_credit: 1606 };

test("what the provider owes: the server's months drawn with their hooks, the CSV its own", async () => {
  const srv = await server();
  const b = await browser();
  try {
    await srv.file("2026-02", "contract_credit", FEB);
    const x = await page(b, `${srv.base}/op-host.html?who=alice&locale=en`);
    await x.p.click("[data-sla-op-nav=exposure]");
    await x.p.waitForSelector("[data-sla-op-from]");
    await x.p.fill("[data-sla-op-from]", "2025-12");
    await x.p.fill("[data-sla-op-to]", "2026-11");
    await x.p.press("[data-sla-op-to]", "Enter");
    await x.p.waitForSelector('[data-sla-op-exposure="2026-02"]');
    const json = JSON.parse((await srv.api("/api/v1/operator/exposure?from=2025-12&to=2026-11")).body);
    const rows = await x.p.$$eval("[data-sla-op-exposure]", (rs) => rs.map((r) =>
      [r.dataset.slaOpExposure, Number(r.dataset.units), Number(r.dataset.contractCredit)]));
    assert.deepEqual(rows, json.months.map((m) => [m.month, m.units, m.contract_credit]));
    // Demo data: acme fell short in Jan, Feb, Mar, May, Jul and Sep 2026 (claims.test.mjs), and
    // February's credit is 1,606 of which the one claim holds February's unit.
    for (const m of ["2026-01", "2026-02", "2026-03", "2026-05", "2026-07", "2026-09"]) assert.ok(rows.some((r) => r[0] === m), m);
    const feb = json.months.find((m) => m.month === "2026-02");
    assert.equal(feb.claimed_units.submitted, 1);
    assert.ok((await x.p.textContent('[data-sla-op-exposure="2026-02"]')).includes("submitted 1"));
    const [dl] = await Promise.all([x.p.waitForEvent("download"), x.p.click("[data-sla-op-csv]")]);
    const csv = fs.readFileSync(await dl.path(), "utf8");
    assert.equal(csv, (await srv.api("/api/v1/operator/exposure?from=2025-12&to=2026-11&format=csv")).body);
    assert.match(dl.suggestedFilename(), /^sla-exposure-2025-12-2026-11\.csv$/);
    await shot(x.p, "operator-exposure-en");
    // Every demo client reads: nothing is said to be missing.
    assert.deepEqual(json.unreadable, []);
    assert.equal(await x.p.$("[data-sla-op-unreadable]"), null);
    // A client whose documents do not read is named above the totals, its reason as text.
    await x.p.route("**/api/v1/operator/exposure?*", async (r) => {
      if (r.request().url().includes("format=csv")) return r.continue();
      const got = await r.fetch();
      const body = JSON.parse(await got.text());
      body.unreadable = [{ client: "initech", contract: null, error: "usage.json: telemetry[0].ok[3]: <b>42</b> is above total 40" }];
      await r.fulfill({ response: got, body: JSON.stringify(body) });
    });
    await x.p.fill("[data-sla-op-from]", "2025-11");
    await x.p.press("[data-sla-op-to]", "Enter");
    await x.p.waitForSelector('[data-sla-op-unreadable="1"]');
    const warn = await x.p.textContent("[data-sla-op-unreadable]");
    assert.ok(warn.includes("Contracts left out of the totals below because their data could not be read: 1"), warn);
    assert.ok(warn.includes("initech: usage.json: telemetry[0].ok[3]: <b>42</b> is above total 40"), warn);
    assert.equal(await x.p.$("[data-sla-op-unreadable] b"), null);
    assert.ok(await x.p.$('[data-sla-op-exposure="2026-02"]'));
    assert.deepEqual(x.errors, []);
  } finally { await b.close(); srv.close(); }
});

test("mountOperator: a mount undone in the same task sends nothing and leaves nothing; a misspelt option throws", async () => {
  const srv = await server();
  const b = await browser();
  try {
    const x = await page(b, `${srv.base}/op-host.html?who=alice&locale=en`);
    await x.p.waitForSelector("[data-sla-op-view=queue] [data-sla-op-empty]");
    const queued = [];
    x.p.on("request", (r) => { if (r.url().includes("/operator/claims?")) queued.push(r.url()); });
    const thrown = await x.p.evaluate(() => {
      const gone = document.createElement("div");
      gone.id = "gone";
      document.body.append(gone);
      window.__mountOperator(gone, {}).unmount();
      try { window.__mountOperator(gone, { apiBse: "/x" }); return null; } catch (e) { return e.message; }
    });
    assert.match(thrown, /apiBse: not an option of the console/);
    // A later console's first request is the barrier: had the first one lived, its request
    // would have come before it.
    const later = x.p.waitForRequest((r) => r.url().includes("/operator/claims?"));
    await x.p.evaluate(() => {
      const el = document.createElement("div");
      el.id = "later";
      document.body.append(el);
      window.__mountOperator(el, { locale: "zh-CN" });
    });
    await later;
    await x.p.waitForSelector("#later [data-sla-operator]");
    assert.equal(queued.length, 1, queued.join());
    assert.equal(await x.p.$eval("#gone", (el) => el.childElementCount), 0);
    // The same page, another console: its own element ids (both have a month filter).
    const ids = await x.p.$$eval("[data-sla-op-filter=month]", (els) => els.map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length, ids.join());
    assert.deepEqual(x.errors, []);
  } finally { await b.close(); srv.close(); }
});

/// axe on the whole document; serious and critical only (as a11y.test.mjs).
async function axe(p) {
  if (!(await p.evaluate(() => typeof window.axe === "object"))) await p.evaluate(AXE);
  const r = await p.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(" | ")}`);
}

test("the demo's /operator.html: axe finds nothing serious on every console view, both languages, 1280 and 360 px", async () => {
  const srv = await server();
  const b = await browser();
  const found = [];
  try {
    const id = await srv.file("2026-02", "contract_credit", FEB);
    for (const width of [1280, 360]) {
      for (const locale of ["zh-CN", "en"]) {
        const x = await page(b, `${srv.base}/operator.html?locale=${locale}`);
        await x.p.setViewportSize({ width, height: 900 });
        const check = async (view) => { for (const v of await axe(x.p)) found.push(`${locale} ${width}px ${view}: ${v}`); };
        await x.p.waitForSelector(row(id), { timeout: 60000 });
        await check("queue");
        await x.p.click(`${row(id)} .slap-op-open`);
        await x.p.waitForSelector("[data-sla-op-evidence] [data-sla-entitlement]", { timeout: 60000 });
        await check("claim");
        await x.p.click("[data-sla-op-decide=approved]");
        await x.p.waitForSelector("[data-sla-op-confirm]");
        await check("claim confirm");
        await x.p.click("[data-sla-op-nav=exposure]");
        await x.p.waitForSelector("[data-sla-op-exposure]");
        await check("exposure");
        if (width === 360) await shot(x.p, `operator-exposure-360-${locale}`);
        assert.deepEqual(x.errors, []);
        await x.p.close();
      }
    }
    assert.deepEqual(found, []);
  } finally { await b.close(); srv.close(); }
});
