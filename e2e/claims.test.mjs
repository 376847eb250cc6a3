// claims.test.mjs: fault history and compensation claims end to end, against the reference
// server (`sla-server`, demo data, a fresh SQLite database per test) and the built widget (dist/).
//   SLA_SERVER_BIN (default $CARGO_TARGET_DIR/release/sla-server or target/release/sla-server)
// Screenshots go to e2e/out/ (git-ignored).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { browser, fullWidget, ROOT } from "./serve.mjs";

const BIN = process.env.SLA_SERVER_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release", "sla-server");
const OUT = path.join(ROOT, "e2e", "out");
fs.mkdirSync(OUT, { recursive: true });
/// A promise and the function that resolves it: tests release held answers when the
/// condition they wait for has been seen, never after a fixed time.
const gate = () => { let open; const p = new Promise((r) => { open = r; }); return [p, open]; };

// The host page: the embedding of docs/DATA_CONTRACT.md with a token from /demo/token, and the
// locale and request timeout from the query string (an external module, for the server's CSP).
const HOST_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>claims e2e</title>
<script type="module" src="claims-host.js"></script></head>
<body style="margin:0;padding:16px;background:#eef0f3"><div id="sla"></div></body></html>`;
const HOST_JS = `import init, { mount } from "./sla_portal.js";
const q = new URLSearchParams(location.search);
const { token } = await (await fetch("/demo/token")).json();
await init();
mount(document.getElementById("sla"), {
  usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents", claimsUrl: "/api/v1/claims",
  policyUrl: "/api/v1/policy", locale: q.get("locale") || "zh-CN",
  timeoutMs: Number(q.get("timeout") || 60000), headers: { Authorization: "Bearer " + token } });`;

/// Demo data, a copy of dist/ with the host page, and a server on a free port.
async function server({ incidents } = {}) {
  assert.ok(fs.existsSync(BIN), `sla-server binary not found at ${BIN} (cargo build --release -p sla-server)`);
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_bg.wasm")), "dist/ missing: bash scripts/build-widget");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-claims-"));
  execFileSync(BIN, ["demo-data", "--out", path.join(dir, "data")]);
  if (incidents) fs.writeFileSync(path.join(dir, "data", "acme", "incidents.json"), JSON.stringify(incidents));
  fs.cpSync(path.join(ROOT, "dist"), path.join(dir, "dist"), { recursive: true });
  fs.writeFileSync(path.join(dir, "dist", "claims-host.html"), HOST_HTML);
  fs.writeFileSync(path.join(dir, "dist", "claims-host.js"), HOST_JS);
  const token = fs.readFileSync(path.join(dir, "data", "demo-token.txt"), "utf8").trim();
  const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data", path.join(dir, "data"),
    "--db", path.join(dir, "claims.db"), "--dist", path.join(dir, "dist"), "--demo"], { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    proc.on("exit", (c) => reject(new Error(`sla-server exited ${c}`)));
  });
  const claims = async () => {
    const r = await fetch(`${base}/api/v1/claims`, { headers: { Authorization: `Bearer ${token}` } });
    return (await r.json()).claims;
  };
  const close = () => { proc.kill("SIGTERM"); fs.rmSync(dir, { recursive: true, force: true }); };
  return { base, token, claims, close, dist: path.join(dir, "dist"), db: path.join(dir, "claims.db") };
}

/// A page with the widget loaded; fails the test on any dialog (an injected alert()).
async function open(srv, { locale = "zh-CN", timeout } = {}) {
  const b = await browser();
  const page = await b.ctx.newPage();
  const errors = [];
  page.on("dialog", async (d) => { errors.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  const url = `${srv.base}/claims-host.html?locale=${locale}${timeout ? `&timeout=${timeout}` : ""}`;
  await page.goto(url);
  await page.waitForSelector("[role=tab]", { timeout: 30000 });
  return { page, errors, url, close: b.close };
}

const tab = (page, id) => page.click(`[role=tab][aria-controls$="-panel-${id}"]`);
const shot = (page, name) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });

/// Walks the flow to the confirm step for `month` with `remedy`; screenshots each step when `tag` is set.
async function toConfirm(page, { month = "2026-02", remedy = "contract_credit", tag } = {}) {
  await tab(page, "claims");
  await page.waitForSelector("[data-sla-step=periods]");
  await page.check(`[data-sla-choose-month="${month}"] input`);
  if (tag) await shot(page, `claim-1-periods-${tag}`);
  await page.click("[data-sla-action=next]");
  await page.waitForSelector("[data-sla-step=remedy]");
  await page.check(`.slap-remedy-choice input[value=${remedy}]`);
  if (tag) await shot(page, `claim-2-remedy-${tag}`);
  await page.click("[data-sla-action=next]");
  await page.waitForSelector("[data-sla-step=evidence]");
  if (tag) await shot(page, `claim-3-evidence-${tag}`);
  if (tag === "zh-CN") {
    // The evidence file: the period, its outage and the minute states around it.
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-sla-action=evidence]")]);
    const ev = JSON.parse(fs.readFileSync(await dl.path(), "utf8"));
    assert.equal(ev.schema, "sla-portal/evidence/v1");
    assert.deepEqual(ev.periods.map((p) => p.month), [month]);
    // README: the outage across midnight of 01-31 (5 + 7 minutes) is February's, 12 counted.
    const out = ev.outages.find((o) => o.outage.id === "OUT-20260131T2355");
    assert.equal(out.outage.counted_minutes, 12);
    assert.ok(out.minutes.some((r) => r.state === "outage" && r.minutes === 12), JSON.stringify(out.minutes));
  }
  await page.click("[data-sla-action=next]");
  await page.waitForSelector("[data-sla-step=contact]");
  await page.fill(".slap-contact input[name=name]", "王敏");
  await page.fill(".slap-contact input[name=email]", "wm@example.com");
  await page.fill(".slap-contact input[name=phone]", "+86 138-0000-0000");
  if (tag) await shot(page, `claim-4-contact-${tag}`);
  await page.click("[data-sla-action=next]");
  await page.waitForSelector("[data-sla-step=confirm]");
  if (tag) await shot(page, `claim-5-confirm-${tag}`);
}

const draftKey = "sla-portal:draft:BS-2025-0042";
const draft = (page) => page.evaluate((k) => localStorage.getItem(k), draftKey);

for (const locale of ["zh-CN", "en"]) {
  test(`file a claim for February and see it confirmed (${locale})`, async () => {
    const srv = await server();
    const w = await open(srv, { locale });
    try {
      const { page } = w;
      await tab(page, "claims");
      const ent = page.locator("[data-sla-entitlement]");
      // Demo data (sla-server README): breached Jan, Feb, Mar, May, Jul, Sep. One breached month
      // is one 宕机 (§4.14.2), so 6 units; 2026-11-30 + 6 months = 2027-05-30.
      assert.equal(await ent.getAttribute("data-units"), "6");
      assert.equal(await ent.getAttribute("data-service-extension-months"), "6");
      assert.match(await ent.textContent(), /2027-05-30/);
      // January's outage crossed into February, but January fell short on its own: claimable.
      assert.equal(await page.isDisabled('[data-sla-choose-month="2026-01"] input'), false);
      // Nothing chosen: Next says why and stays.
      await page.click("[data-sla-action=next]");
      await page.waitForSelector(".slap-problems");
      await toConfirm(page, { tag: locale });
      // The contact step validated through the core; go back and try a bad e-mail.
      await page.click("[data-sla-action=back]");
      await page.fill(".slap-contact input[name=email]", "wm@example");
      await page.click("[data-sla-action=next]");
      await page.waitForSelector("[data-sla-error=email]:not(:empty)");
      assert.equal(await page.getAttribute(".slap-contact input[name=email]", "aria-invalid"), "true");
      await shot(page, `claim-4b-contact-invalid-${locale}`);
      await page.fill(".slap-contact input[name=email]", "wm@example.com");
      await page.click("[data-sla-action=next]");
      await page.waitForSelector("[data-sla-step=confirm]");
      const sent = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/claims"));
      await page.click("[data-sla-action=submit]");
      const body = JSON.parse((await sent).postData());
      assert.match(body.claim_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(body.periods, ["2026-02"]);
      assert.equal(body.remedy, "contract_credit");
      await page.waitForSelector("[data-sla-step=done] [data-sla-claim-status=submitted]");
      await shot(page, `claim-6-confirmed-${locale}`);
      const claims = await srv.claims();
      assert.equal(claims.length, 1);
      assert.equal(claims[0].claim_id, body.claim_id);
      // By hand: February has one compensable outage (the one across 01-31), so 1 unit; the
      // monthly average is calendar-year-to-date over January and February 2026, signed
      // 1,537 and 1,674 (demo_data.rs: 1,400 + i × 137): 3,211 / 2 = 1,605.5, half up 1,606.
      assert.equal(claims[0].granted.units, 1);
      assert.equal(claims[0].granted.contract_credit, 1606);
      assert.deepEqual(body.expected, { units: 1, contract_credit: 1606 });
      assert.equal(await draft(page), null, "the draft is cleared once the server confirms");
      // Printable confirmation: in print media only the confirmation shows.
      // window.print() blocks while the dialog is open; the stub records what was marked for printing.
      await page.evaluate(() => { window.print = () => {
        window.__printed = document.querySelector(".slap-print-claim")?.getAttribute("data-sla-confirmation"); }; });
      await page.click("[data-sla-step=done] [data-sla-action=print]");
      await page.waitForFunction(() => window.__printed !== undefined);
      assert.equal(await page.evaluate(() => window.__printed), body.claim_id);
      await page.evaluate(() => document.querySelector("[data-sla-step=done] [data-sla-confirmation]").classList.add("slap-print-claim"));
      await page.emulateMedia({ media: "print" });
      assert.equal(await page.isVisible("[data-sla-step=done] [data-sla-confirmation]"), true);
      await shot(page, `claim-7-print-${locale}`);
      assert.equal(await page.isVisible("[data-sla-entitlement]"), false);
      assert.equal(await page.isVisible("[data-sla-statement]"), false);
      await page.emulateMedia({ media: "screen" });
      await page.evaluate(() => document.querySelector(".slap-print-claim")?.classList.remove("slap-print-claim"));
      // February is now claimed: marked in the periods table and not selectable again.
      await page.click("text=" + (locale === "en" ? "Start another claim" : "再申请一次"));
      assert.equal(await page.isDisabled('[data-sla-choose-month="2026-02"] input'), true);
      assert.equal(await page.locator("[data-sla-entitlement]").getAttribute("data-units"), "5");
      assert.equal(await page.locator(`[data-sla-claim="${body.claim_id}"]`).count(), 1);
      await shot(page, `claim-8-history-${locale}`);
      await tab(page, "periods");
      assert.equal(await page.getAttribute('[data-sla-month="2026-02"]', "data-claimed"), "true");
      assert.equal(await page.getAttribute('[data-sla-month="2026-03"]', "data-claimed"), "false");
      assert.deepEqual(w.errors, []);
    } finally { await w.close(); srv.close(); }
  });
}

test("double-click on submit files exactly one claim", async () => {
  const srv = await server();
  const w = await open(srv);
  try {
    const { page } = w;
    let posts = 0;
    page.on("request", (r) => { if (r.method() === "POST") posts++; });
    await toConfirm(page, { month: "2026-03" });
    await page.dblclick("[data-sla-action=submit]");
    await page.waitForSelector("[data-sla-step=done]");
    assert.equal((await srv.claims()).length, 1);
    assert.equal(posts, 1, "the second click of a double click is ignored while the first is out");
    assert.deepEqual(w.errors, []);
  } finally { await w.close(); srv.close(); }
});

test("a retry after a timeout re-sends the same claim and files it once", async () => {
  const srv = await server();
  const w = await open(srv, { timeout: 4000 });
  try {
    const { page } = w;
    const bodies = [];
    const [timedOut, answerLate] = gate();
    await page.route("**/api/v1/claims", async (route) => {
      const req = route.request();
      if (req.method() !== "POST") return route.continue();
      bodies.push(req.postData());
      if (bodies.length === 1) {
        // The server files the claim, but its answer is held until the widget has given up (4 s).
        const resp = await route.fetch();
        await timedOut;
        try { await route.fulfill({ response: resp }); } catch { /* the widget aborted */ }
      } else {
        await route.continue();
      }
    });
    await toConfirm(page, { month: "2026-05", remedy: "service_extension" });
    await page.click("[data-sla-action=submit]");
    await page.waitForSelector("[data-sla-claim-error=timeout]", { timeout: 15000 });
    answerLate();
    assert.equal((await srv.claims()).length, 1, "the lost answer was a filed claim");
    assert.notEqual(await draft(page), null, "the draft is kept after a timeout");
    await shot(page, "claim-error-timeout-zh-CN");
    await page.click("[data-sla-action=submit]");
    await page.waitForSelector("[data-sla-step=done]");
    assert.equal(bodies.length, 2);
    assert.equal(bodies[1], bodies[0], "the retry sends the very same body and claim_id");
    assert.equal((await srv.claims()).length, 1);
    assert.equal(await draft(page), null);
  } finally { await w.close(); srv.close(); }
});

test("a 422 shows the server's figures and keeps the draft", async () => {
  const srv = await server();
  const w = await open(srv, { locale: "en" });
  try {
    const { page } = w;
    // Make the widget's expected figure disagree with the server's. The answer is read
    // here, as the server sent it (the browser may already have let go of its copy).
    const [answered, answer] = gate();
    await page.route("**/api/v1/claims", async (route) => {
      const req = route.request();
      if (req.method() !== "POST") return route.continue();
      const body = JSON.parse(req.postData());
      body.expected.contract_credit += 1;
      const resp = await route.fetch({ postData: JSON.stringify(body) });
      answer({ status: resp.status(), json: await resp.json() });
      await route.fulfill({ response: resp });
    });
    await toConfirm(page, { month: "2026-07" });
    await page.click("[data-sla-action=submit]");
    const resp = await answered;
    assert.equal(resp.status, 422);
    // By hand: July is one unit; its calendar-year-to-date average is January to July
    // 2026, signed 1,537 + 1,674 + 1,411 + 1,548 + 1,685 + 1,422 + 1,559 = 10,836
    // (demo_data.rs: 1,400 + (i × 137 mod 400)), / 7 = 1,548 contracts.
    assert.equal(resp.json.error.details.granted.contract_credit, 1548);
    const box = page.locator("[data-sla-claim-error=expected_mismatch]");
    await box.waitFor();
    // The server's own contract credit, formatted as the widget formats numbers (en).
    assert.match(await box.textContent(), /1,548/);
    await shot(page, "claim-error-422-en");
    assert.equal((await srv.claims()).length, 0);
    assert.notEqual(await draft(page), null);
  } finally { await w.close(); srv.close(); }
});

test("every server error has its own message and keeps the draft", async () => {
  const srv = await server();
  const w = await open(srv, { locale: "en" });
  try {
    const { page } = w;
    const cases = [
      ["period_already_claimed", { status: 409, body: { error: { code: "period_already_claimed", message: "m", details: { periods: ["2026-09"] } } } }],
      ["unauthorized", { status: 401, body: { error: { code: "unauthorized", message: "m", details: {} } } }],
      ["forbidden", { status: 403, body: { error: { code: "forbidden", message: "m", details: {} } } }],
      ["server", { status: 500, body: { error: { code: "internal", message: "m", details: {} } } }],
      ["offline", null],
    ];
    let current = null;
    await page.route("**/api/v1/claims", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      if (!current) return route.abort("internetdisconnected");
      await route.fulfill({ status: current.status, contentType: "application/json", body: JSON.stringify(current.body) });
    });
    await toConfirm(page, { month: "2026-09" });
    const seen = new Set();
    for (const [code, answer] of cases) {
      current = answer;
      await page.click("[data-sla-action=submit]");
      const box = page.locator(`[data-sla-claim-error=${code}]`);
      await box.waitFor();
      const text = (await box.textContent()).trim();
      assert.ok(text.length > 20 && !seen.has(text), `${code}: ${text}`);
      seen.add(text);
      assert.notEqual(await draft(page), null, `${code}: draft kept`);
    }
    assert.equal((await srv.claims()).length, 0);
  } finally { await w.close(); srv.close(); }
});

// A 429 names its wait (Retry-After, else details.retry_after) and, since nothing was filed,
// keeps the draft: the next click sends the same claim_id and files it once.
for (const [locale, headers, details, words] of [
  ["en", { "Retry-After": "7" }, { retry_after: 7 }, "too many requests, try again in 7 s"],
  ["zh-CN", {}, { retry_after: 5 }, "请求过多，请 5 秒后重试"],
]) {
  test(`a 429 says when to try again and keeps the draft (${locale})`, async () => {
    const srv = await server();
    const w = await open(srv, { locale });
    try {
      const { page } = w;
      const bodies = [];
      let limited = true;
      await page.route("**/api/v1/claims", async (route) => {
        if (route.request().method() !== "POST") return route.continue();
        bodies.push(JSON.parse(route.request().postData()));
        if (!limited) return route.continue();
        await route.fulfill({ status: 429, contentType: "application/json", headers,
          body: JSON.stringify({ error: { code: "rate_limited", message: "slow down", details } }) });
      });
      await toConfirm(page, { month: "2026-09" });
      await page.click("[data-sla-action=submit]");
      const box = page.locator("[data-sla-claim-error=rate_limited]");
      await box.waitFor();
      assert.ok((await box.textContent()).toLowerCase().includes(words), await box.textContent());
      const kept = JSON.parse(await draft(page));
      assert.equal(kept.claim_id, bodies[0].claim_id, "the draft keeps its claim_id");
      limited = false;
      await page.click("[data-sla-action=submit]");
      await page.waitForSelector("[data-sla-step=done] [data-sla-claim-status=submitted]");
      assert.equal(bodies.length, 2);
      assert.equal(bodies[1].claim_id, bodies[0].claim_id, "the retry sends the same claim_id");
      assert.deepEqual((await srv.claims()).map((c) => c.claim_id), [bodies[0].claim_id]);
      assert.deepEqual(w.errors, []);
    } finally { await w.close(); srv.close(); }
  });
}

// GET /api/v1/claims carries each claim's status history; the operator's note is text.
for (const locale of ["zh-CN", "en"]) {
  test(`the claim history shows each status change with its time and note (${locale})`, async () => {
    const srv = await server();
    const w = await open(srv, { locale });
    try {
      const { page } = w;
      await toConfirm(page, { month: "2026-09" });
      const sent = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/claims"));
      await page.click("[data-sla-action=submit]");
      const id = JSON.parse((await sent).postData()).claim_id;
      await page.waitForSelector("[data-sla-step=done] [data-sla-claim-status=submitted]");
      const note = "<img src=x onerror=alert(1)> checking the logs";
      execFileSync(BIN, ["claims", "set-status", id, "under_review", "--db", srv.db, "--note", note]);
      execFileSync(BIN, ["claims", "set-status", id, "approved", "--db", srv.db, "--note", "credit granted"]);
      const history = (await srv.claims())[0].history;
      await page.reload();
      await page.waitForSelector("[role=tab]");
      await tab(page, "claims");
      const items = page.locator(`[data-sla-claim="${id}"] [data-sla-status-history] li`);
      await items.first().waitFor();
      assert.deepEqual(await items.evaluateAll((li) => li.map((x) => x.dataset.status)),
        history.map((h) => h.status));
      assert.deepEqual(history.slice(-2).map((h) => h.status), ["under_review", "approved"]);
      const texts = await items.allTextContents();
      const last = texts[texts.length - 1];
      assert.ok(last.includes(locale === "en" ? "approved" : "已批准") && last.includes("credit granted"), last);
      assert.ok(texts[texts.length - 2].includes(note), "the note is shown as text");
      assert.equal(await page.locator(`[data-sla-claim="${id}"] img`).count(), 0, "no markup from the note");
      // Each time is the server's instant, shown in the contract's timezone like every claim
      // time: the last change is the claim's updated_at, so both cells read the same.
      const times = page.locator(`[data-sla-claim="${id}"] [data-sla-status-history] time`);
      assert.deepEqual(await times.evaluateAll((t) => t.map((x) => x.getAttribute("datetime"))),
        history.map((h) => h.at));
      const updated = (await page.locator(`[data-sla-claim="${id}"] td:nth-child(6)`).textContent()).trim();
      assert.equal((await times.last().textContent()).trim(), updated);
      await shot(page, `claim-history-status-${locale}`);
      assert.deepEqual(w.errors, []);
    } finally { await w.close(); srv.close(); }
  });
}

// The Notifications panel against the subscriptions contract of #11, mocked by a route (the
// server's routes land from another branch). The secret is shown once and never stored.
test("notifications: list, add with the keyboard, the secret shown once and never stored, remove", async () => {
  const srv = await server();
  const w = await open(srv, { locale: "en" });
  try {
    const { page } = w;
    const SECRET = "whsec_e2e_0123456789abcdef0123456789abcdef";
    const subs = [{ id: "sub_1", url: "https://hooks.example.com/<b>sla</b>", events: ["period.breached"],
      description: "ops <i>chat</i>", created_at: "2026-11-01T02:00:00Z", active: true }];
    const seen = [];
    await page.route("**/api/v1/subscriptions**", async (route) => {
      const req = route.request();
      const p = new URL(req.url()).pathname;
      seen.push(`${req.method()} ${p}`);
      assert.match(req.headers().authorization || "", /^Bearer /, "the token goes with every request");
      const json = (status, body) => route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
      if (req.method() === "GET" && p === "/api/v1/subscriptions") return json(200, { subscriptions: subs });
      if (req.method() === "POST" && p === "/api/v1/subscriptions") {
        const b = JSON.parse(req.postData());
        if (!b.url.startsWith("https://")) {
          return json(422, { error: { code: "invalid_url", message: "only https:// URLs", details: {} } });
        }
        const sub = { id: "sub_2", url: b.url, events: b.events, description: b.description, created_at: "2026-11-30T03:00:00Z" };
        subs.push(sub);
        return json(201, { subscription: sub, secret: SECRET });
      }
      const m = p.match(/^\/api\/v1\/subscriptions\/([^/]+)$/);
      if (req.method() === "DELETE" && m) {
        subs.splice(subs.findIndex((s) => s.id === decodeURIComponent(m[1])), 1);
        return route.fulfill({ status: 204 });
      }
      return json(404, { error: { code: "not_found", message: "no", details: {} } });
    });
    await page.evaluate(() => Object.defineProperty(navigator, "clipboard",
      { configurable: true, value: { writeText: async (t) => { window.__copied = t; } } }));
    await tab(page, "claims");
    const panel = page.locator("[data-sla-notifications]");
    await panel.locator('[data-sla-subscription="sub_1"]').waitFor();
    // Markup in a URL or description is text.
    assert.equal(await panel.locator("b, i").count(), 0);
    assert.ok((await panel.textContent()).includes("https://hooks.example.com/<b>sla</b>"));

    // A refused URL: the server's message, nothing added.
    await page.getByLabel("Receiver URL (https://…)").fill("http://insecure.example.com/hook");
    await page.getByLabel("Receiver URL (https://…)").press("Enter");
    await page.locator("[data-sla-notifications-error]").waitFor();
    assert.match(await page.locator("[data-sla-notifications-error]").textContent(), /only https:\/\/ URLs/);

    // Added with the keyboard only: type, tab through the events and the description, Enter.
    const sent = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/subscriptions"));
    await page.getByLabel("Receiver URL (https://…)").fill("https://hooks.example.com/sla");
    await page.getByLabel("Description (optional)").fill("ticketing");
    await page.getByLabel("Description (optional)").press("Enter");
    assert.deepEqual(JSON.parse((await sent).postData()), { url: "https://hooks.example.com/sla",
      events: ["period.breached", "claim.status_changed"], description: "ticketing" });
    const box = page.locator('[data-sla-subscription-secret="sub_2"]');
    await box.waitFor();
    await panel.locator('[data-sla-subscription="sub_2"]').waitFor();
    const inPage = () => page.evaluate((s) => document.body.innerText.split(s).length - 1, SECRET);
    assert.equal(await inPage(), 1, "the secret is on the page once");
    await box.locator("[data-sla-action=copy-secret]").click();
    await page.waitForFunction((s) => window.__copied === s, SECRET);
    await box.locator("text=Copied").waitFor();
    const stored = () => page.evaluate((s) => [localStorage, sessionStorage]
      .some((st) => Object.keys(st).some((k) => k.includes(s) || (st.getItem(k) || "").includes(s))), SECRET);
    assert.equal(await stored(), false, "the secret is in no storage");
    await box.locator("[data-sla-action=secret-done]").click();
    await box.waitFor({ state: "detached" });
    assert.equal(await inPage(), 0, "dismissed: gone for good");
    // Another tab and back: the list again, never the secret.
    await tab(page, "overview");
    await tab(page, "claims");
    await panel.locator('[data-sla-subscription="sub_2"]').waitFor();
    assert.equal(await inPage(), 0);
    assert.equal(await stored(), false);

    // Removed (the button is named after its subscription, for screen readers).
    const del = page.waitForRequest((r) => r.method() === "DELETE");
    await page.getByRole("button", { name: "Remove the subscription https://hooks.example.com/<b>sla</b>" }).click();
    assert.ok((await del).url().endsWith("/api/v1/subscriptions/sub_1"));
    await panel.locator('[data-sla-subscription="sub_1"]').waitFor({ state: "detached" });
    assert.equal(await panel.locator("[data-sla-subscription]").count(), 1);
    await shot(page, "notifications-en");
    assert.deepEqual(w.errors, []);
  } finally { await w.close(); srv.close(); }
});

test("notifications: a server without subscriptions (404) shows the panel as unavailable, once", async () => {
  const srv = await server();
  const w = await open(srv, { locale: "zh-CN" });
  try {
    const { page } = w;
    let asked = 0;
    await page.route("**/api/v1/subscriptions**", (route) => {
      asked++;
      return route.fulfill({ status: 404, contentType: "application/json",
        body: JSON.stringify({ error: { code: "not_found", message: "no such route", details: {} } }) });
    });
    await tab(page, "claims");
    const off = page.locator("[data-sla-notifications-unavailable]");
    await off.waitFor();
    assert.match(await off.textContent(), /暂不提供通知订阅/);
    assert.equal(await page.locator("[data-sla-notifications] [role=alert]").count(), 0, "not an error");
    assert.equal(await page.locator("[data-sla-action=add-subscription]").count(), 0);
    assert.equal(asked, 1);
    assert.deepEqual(w.errors, []);
  } finally { await w.close(); srv.close(); }
});

test("a reload mid-form restores the draft; a reload mid-submit files once", async () => {
  const srv = await server();
  const w = await open(srv);
  try {
    const { page } = w;
    await tab(page, "claims");
    await page.check('[data-sla-choose-month="2026-02"] input');
    await page.click("[data-sla-action=next]");
    await page.check(".slap-remedy-choice input[value=service_extension]");
    await page.click("[data-sla-action=next]");
    await page.click("[data-sla-action=next]");
    await page.fill(".slap-contact input[name=name]", "王敏");
    await page.fill(".slap-contact input[name=email]", "wm@exa");
    const stored = await draft(page);
    assert.ok(!stored.includes(srv.token) && !/authorization|bearer/i.test(stored), "no credentials in the draft");
    const before = JSON.parse(stored);
    await page.reload();
    await page.waitForSelector("[role=tab]");
    await tab(page, "claims");
    await page.waitForSelector("[data-sla-step=contact]");
    assert.equal(await page.inputValue(".slap-contact input[name=name]"), "王敏");
    assert.equal(await page.inputValue(".slap-contact input[name=email]"), "wm@exa");
    await shot(page, "claim-restored-zh-CN");
    await page.fill(".slap-contact input[name=email]", "wm@example.com");
    await page.fill(".slap-contact input[name=phone]", "13800000000");
    await page.click("[data-sla-action=next]");
    await page.waitForSelector("[data-sla-step=confirm]");
    // The server files the claim; its answer never arrives, and the client reloads.
    const [filed, fileDone] = gate();
    await page.route("**/api/v1/claims", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      await route.fetch();
      fileDone();
      await new Promise(() => {}); // never answered
    });
    await page.click("[data-sla-action=submit]");
    await filed;
    assert.equal((await srv.claims()).length, 1, "the server filed it before the reload");
    // The route stays: unrouting would let the held request through and the page would see the answer.
    await page.reload();
    await page.waitForSelector("[role=tab]");
    await tab(page, "claims");
    // The list holds this draft's claim_id: the widget shows it filed, and clears the draft.
    await page.waitForSelector(`[data-sla-step=done] [data-sla-confirmation="${before.claim_id}"]`);
    assert.equal((await srv.claims()).length, 1);
    assert.equal(await draft(page), null);
  } finally { await w.close(); srv.close(); }
});

test("fault history: markup in titles is text, filters, detail, contact sheet", async () => {
  const srv = await server();
  for (const locale of ["zh-CN", "en"]) {
    const w = await open(srv, { locale });
    try {
      const { page } = w;
      await tab(page, "incidents");
      const row = page.locator('[data-sla-incident="INC-2026-0008"]');
      await row.waitFor();
      assert.match(await row.textContent(), /<img src=x onerror=alert\(1\)>/);
      assert.match(await row.textContent(), /<script>alert\(2\)<\/script>/);
      assert.equal(await page.locator(".slap img, .slap script").count(), 0);
      // The demo's open level-1 incident (11-28) is newest, so it is the first row.
      assert.equal(await page.locator("[data-sla-incident]").first().getAttribute("data-sla-incident"), "INC-2026-0011");
      await shot(page, `fault-history-${locale}`);
      await page.selectOption("[data-sla-filter=level]", "3");
      assert.equal(await page.getAttribute("[data-sla-incident-count]", "data-sla-incident-count"), "3");
      await page.selectOption("[data-sla-filter=level]", "");
      await page.fill("[data-sla-filter=text]", "ca");
      await page.click('[data-sla-incident="INC-2026-0006"]');
      await page.fill("[data-sla-filter=text]", "");
      await page.click('[data-sla-incident="INC-2026-0008"]');
      await page.waitForSelector('[data-sla-incident-detail="INC-2026-0008"]');
      assert.equal(await page.locator(".slap img").count(), 0);
      await page.locator("[data-sla-incident-detail]").screenshot({ path: path.join(OUT, `incident-detail-${locale}.png`) });
      assert.equal(await page.locator("[data-sla-line]").count(), 2);
      assert.equal(await page.getAttribute("[data-sla-line=interface_fault_hotline]", "data-open"), "true");
      await page.locator("[data-sla-contacts]").screenshot({ path: path.join(OUT, `contacts-${locale}.png`) });
      assert.deepEqual(w.errors, []);
    } finally { await w.close(); }
  }
  srv.close();
});

test("10,000 incidents: only visible rows render; timings printed", async () => {
  const causes = ["platform", "third_party", "customer_cause", "external_network", "force_majeure"];
  const t0 = Date.parse("2025-12-01T00:00:00+08:00");
  const iso = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19) + "+08:00";
  const incidents = Array.from({ length: 10000 }, (_, i) => {
    const at = t0 + i * 50 * 60e3; // one every 50 minutes: 10,000 span ~347 days
    return { id: `INC-${String(i).padStart(5, "0")}`, level: 1 + (i % 3), title: `故障 ${i}`, component: `c${i % 17}`,
      cause: causes[i % 5], reported_at: iso(at), responded_at: iso(at + ((i * 7) % 40) * 60e3),
      resolved_at: i === 9999 ? null : iso(at + ((i * 13) % 400) * 60e3), paused: [] };
  });
  const srv = await server({ incidents: { schema: "sla-portal/incidents/v1", incidents } });
  const w = await open(srv);
  try {
    const { page } = w;
    // Timed once the full build has taken over: before that, a click on this tab waits for the
    // full build to load (the 756 ms this test once printed was mostly that wait; e2e/bench.mjs
    // measures both paths).
    await fullWidget(page);
    const t = Date.now();
    await tab(page, "incidents");
    await page.waitForSelector("[data-sla-incident]");
    const firstRender = Date.now() - t;
    const rendered = await page.locator("[data-sla-incident]").count();
    assert.equal(await page.getAttribute("[data-sla-incident-count]", "data-sla-incident-count"), "10000");
    assert.ok(rendered < 40, `${rendered} rows in the DOM`);
    // Time a sort and a scroll to the next painted frame.
    const time = (action) => page.evaluate(async (a) => {
      const s = performance.now();
      if (a === "sort") document.querySelector("[data-sla-sort=level]").click();
      else { const v = document.querySelector(".slap-vtable"); v.scrollTop = v.scrollHeight / 2; v.dispatchEvent(new Event("scroll")); }
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return performance.now() - s;
    }, action);
    const sort = await time("sort");
    const scroll = await time("scroll");
    const midRows = await page.locator("[data-sla-incident]").count();
    assert.ok(midRows < 40);
    await page.fill("[data-sla-filter=text]", "故障 999");
    // "故障 999" matches 999 and 9990..9999: 11 incidents (waited for, not read right after typing).
    await page.waitForSelector('[data-sla-incident-count="11"]');
    console.log(`10,000 incidents: tab opened with rows in ${firstRender} ms; ${rendered} rows in the DOM; ` +
      `sort by level ${sort.toFixed(1)} ms; scroll to the middle ${scroll.toFixed(1)} ms (to next frame)`);
  } finally { await w.close(); srv.close(); }
});

// Issue 9 ------------------------------------------------------------------------------------

// The demo's breached months, worked by hand from demo_data.rs: Jan (5 of the 12 minutes across
// midnight of 01-31 > the 4.464-minute budget of 44,640 minutes), Feb (the other 7 > 4.032),
// Mar (15 counted around MW-1), May (8 after MW-2 ends), Jul (20 inside MW-3, announced late)
// and Sep (declared P-1, 6 > 4.32): 6 units under the default per_breached_month.
test("January 2026 grants 1 unit and a claim for it is filed on sla-server", async () => {
  const srv = await server();
  const w = await open(srv, { locale: "en" });
  try {
    const { page } = w;
    await tab(page, "claims");
    // January is breached (5 counted minutes > 4.464) and is one unit under per_breached_month.
    // Its contract credit: the mean of 2026's signed counts up to January = January alone,
    // 1400 + (1 × 137) mod 400 = 1,537 (demo_data.rs), so 1 × 1,537 = 1,537 contracts.
    const jan = page.locator('[data-sla-credit-month="2026-01"]');
    assert.match(await jan.textContent(), /January 2026: 1 unit\(s\) × .*1,537 contracts/);
    await page.waitForSelector('[data-sla-entitlement] [data-sla-unit-rule="per_breached_month"]');
    await toConfirm(page, { month: "2026-01", remedy: "contract_credit" });
    const sent = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/api/v1/claims"));
    await page.click("[data-sla-action=submit]");
    const body = JSON.parse((await sent).postData());
    assert.deepEqual(body.periods, ["2026-01"]);
    assert.deepEqual(body.expected, { units: 1, contract_credit: 1537 });
    await page.waitForSelector("[data-sla-step=done] [data-sla-claim-status=submitted]");
    const claims = await srv.claims();
    assert.equal(claims.length, 1);
    assert.deepEqual(claims[0].periods, ["2026-01"]);
    assert.equal(claims[0].granted.units, 1);
    assert.equal(claims[0].granted.contract_credit, 1537);
    assert.deepEqual(w.errors, []);
  } finally { await w.close(); srv.close(); }
});

// A host page of the kind a client portal writes: its own script reads the widget's public
// hooks (plain selectors, no widget code) when the host's button is pressed.
const HOOKS_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>client portal</title>
<script type="module" src="hooks-host.js"></script></head>
<body style="margin:0;padding:16px"><button id="read">read</button><pre id="host-read"></pre><div id="sla"></div></body></html>`;
const HOOKS_JS = `import init, { mount } from "./sla_portal.js";
const q = new URLSearchParams(location.search);
const { token } = await (await fetch("/demo/token")).json();
await init();
mount(document.getElementById("sla"), { usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents",
  claimsUrl: "/api/v1/claims", policyUrl: "/api/v1/policy", locale: q.get("locale") || "zh-CN",
  headers: { Authorization: "Bearer " + token } });
document.getElementById("read").addEventListener("click", () => {
  const rows = [...document.querySelectorAll("[data-sla-exclusion]")].map((e) => ({
    id: e.getAttribute("data-sla-exclusion"), applied: e.getAttribute("data-applied"),
    excluded_minutes: e.getAttribute("data-excluded-minutes") }));
  document.getElementById("host-read").textContent = JSON.stringify(rows);
});`;

// Worked by hand from demo_data.rs (every record lies before the server's as_of, inside the
// term 2025-12-01 .. 2026-11-30, and the demo policy keeps the default excluded causes):
//   MW-1 upgrade 03-14 02:00–02:30, announced 03-10: applied, 30 minutes;
//   MW-2 scale_out 05-16 01:00–02:00, announced 05-12: applied, 60;
//   MW-3 maintenance 07-18 03:00–03:30, announced 03:10, 10 minutes after it began: not applied, 0;
//   MW-4 fault_drill 04-11 01:00–01:30, announced 04-01: applied, 30;
//   EX-1 external_network 06-09 10:00–10:20: 20; EX-2 force_majeure 10-01 00:00–06:00: 360;
//   EX-3 customer_cause 2025-12-12 09:00–09:30: 30.
const DEMO_RECORDS = [
  { id: "MW-1", applied: "true", excluded_minutes: "30" },
  { id: "MW-2", applied: "true", excluded_minutes: "60" },
  { id: "MW-3", applied: "false", excluded_minutes: "0" },
  { id: "MW-4", applied: "true", excluded_minutes: "30" },
  { id: "EX-1", applied: "true", excluded_minutes: "20" },
  { id: "EX-2", applied: "true", excluded_minutes: "360" },
  { id: "EX-3", applied: "true", excluded_minutes: "30" },
];

test("excluded time: a host page reads the data-sla-exclusion hooks; MW-3 is not applied, with why", async () => {
  const srv = await server();
  fs.writeFileSync(path.join(srv.dist, "hooks-host.html"), HOOKS_HTML);
  fs.writeFileSync(path.join(srv.dist, "hooks-host.js"), HOOKS_JS);
  try { for (const locale of ["en", "zh-CN"]) {
    const b = await browser();
    try {
      const page = await b.ctx.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("dialog", async (d) => { errors.push(`dialog: ${d.message()}`); await d.dismiss(); });
      await page.goto(`${srv.base}/hooks-host.html?locale=${locale}`);
      await page.waitForSelector("[role=tab]", { timeout: 30000 });
      await tab(page, "periods");
      await page.waitForSelector("[data-sla-excluded-time=term] [data-sla-exclusion]");
      await page.click("#read");
      const read = JSON.parse(await page.textContent("#host-read"));
      assert.deepEqual(read, DEMO_RECORDS);
      const mw3 = page.locator('[data-sla-exclusion="MW-3"]');
      assert.equal(await mw3.getAttribute("data-reason"), "announced_late");
      const text = await mw3.textContent();
      if (locale === "en") {
        assert.match(text, /announced 10 min after it began/);
        assert.match(text, /not applied/);
        assert.match(text, /Not announced in advance/);
        // MW-1: 03-10 18:00 to 03-14 02:00 is 3 days 8 hours ahead.
        assert.match(await page.locator('[data-sla-exclusion="MW-1"]').textContent(), /announced 3 d 8 h before/);
      } else {
        assert.match(text, /开始后 10 分钟才通知/);
        assert.match(text, /未排除/);
        assert.match(text, /未预先通知/);
      }
      await page.locator("[data-sla-excluded-time=term]").screenshot({ path: path.join(OUT, `excluded-time-term-${locale}.png`) });
      // July's own view: MW-3 listed, 0 minutes removed; its timeline tooltip names it.
      await page.click('[data-sla-month="2026-07"]');
      await page.waitForSelector('[data-sla-excluded-time=month][data-month="2026-07"] [data-sla-exclusion="MW-3"]');
      await page.locator('[data-sla-excluded-time=month]').screenshot({ path: path.join(OUT, `excluded-time-2026-07-${locale}.png`) });
      // March: MW-1 labelled on the timeline, 30 of the outage's 45 minutes excluded.
      await page.click('[role=tab][aria-controls$="-panel-periods"]');
      await page.click('[data-sla-month="2026-03"]');
      await page.waitForSelector('[data-sla-timeline-month="2026-03"] canvas[data-sla-drawn=true]');
      await page.locator('[data-sla-chart="timeline"]').screenshot({ path: path.join(OUT, `timeline-2026-03-${locale}.png`) });
      assert.equal(await page.getAttribute('[data-sla-excluded-time=month] [data-sla-exclusion="MW-1"]', "data-month-excluded-minutes"), "30");
      // The tooltip over 03-14 02:15 (inside MW-1) names the record. Timeline geometry
      // (src/charts/timeline.rs): plot from x = 64 across width − 128 px for 1,440 minutes;
      // day 14 is row 13, rows 12 px + 2 px gap below y = 20, so its middle is y = 20 + 13 × 14 + 6.
      const canvas = await page.locator('[data-sla-chart="timeline"] canvas').boundingBox();
      const cols = Math.round(canvas.width) - 128;
      await page.mouse.move(canvas.x + 64 + Math.floor((135 * cols) / 1440) + 1, canvas.y + 20 + 13 * 14 + 6);
      const tip = page.locator('[data-sla-chart="timeline"] .slap-tooltip');
      await page.waitForFunction(() => /MW-1/.test(document.querySelector('[data-sla-chart="timeline"] .slap-tooltip')?.textContent || ""));
      assert.match(await tip.textContent(), locale === "en" ? /excluded by MW-1 数据库升级/ : /排除依据：MW-1 数据库升级/);
      // The printed statement of March lists MW-1.
      await page.emulateMedia({ media: "print" });
      assert.match(await page.locator('[data-sla-statement="2026-03"]').textContent(), /MW-1/);
      await page.locator('[data-sla-statement="2026-03"]').screenshot({ path: path.join(OUT, `statement-2026-03-${locale}.png`) });
      await page.emulateMedia({ media: "screen" });
      if (locale === "en") {
        // The claim evidence for July carries July's record: MW-3, not applied, 0 minutes.
        await tab(page, "claims");
        await page.check('[data-sla-choose-month="2026-07"] input');
        await page.click("[data-sla-action=next]");
        await page.check(".slap-remedy-choice input[value=service_extension]");
        await page.click("[data-sla-action=next]");
        await page.waitForSelector("[data-sla-step=evidence]");
        const [dl] = await Promise.all([page.waitForEvent("download"), page.click("[data-sla-action=evidence]")]);
        const ev = JSON.parse(fs.readFileSync(await dl.path(), "utf8"));
        assert.deepEqual(ev.exclusions.map((x) => [x.id, x.applied, x.reason, x.excluded_minutes, x.notice_minutes]),
          [["MW-3", false, "announced_late", 0, -10]]);
      }
      // The Agreement view, every clause.
      await tab(page, "agreement");
      await page.waitForSelector("[data-sla-agreement]");
      assert.equal(await page.locator("[data-sla-clause]").count(), 23);
      await page.locator("[data-sla-agreement]").screenshot({ path: path.join(OUT, `agreement-${locale}.png`) });
      // Overview: the rule note from the demo policy (defaults 90 %, 5 minutes, missing data up).
      await tab(page, "overview");
      const how = await page.locator("[data-sla-how]").textContent();
      assert.match(how, locale === "en" ? /at least 90 % of its requests succeed/ : /至少 90% 的请求/);
      await page.locator("[data-sla-how]").screenshot({ path: path.join(OUT, `how-computed-${locale}.png`) });
      assert.deepEqual(errors, []);
    } finally { await b.close(); }
  } } finally { srv.close(); }
});
