// group.test.mjs: a group's contracts (`contractsUrl`) end to end, against the reference server
// (`sla-server`, demo data: `globex` is three contracts, docs/DATA_CONTRACT.md "contracts") and
// the built widget (dist/): the group summary and the switcher, a claim filed on the second
// contract, a draft kept across switches and a reload, axe on the new views, and a sign-in
// through a JWKS this test serves itself (a JWT minted here with node's crypto).
//   SLA_SERVER_BIN as in claims.test.mjs; dist/ must be built (scripts/build-widget).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { browser, fullWidget, serve, ROOT } from "./serve.mjs";

const BIN = process.env.SLA_SERVER_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release", "sla-server");
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const OUT = path.join(ROOT, "e2e", "out");
fs.mkdirSync(OUT, { recursive: true });

// The host page: a group embedding with the token and locale from the query string (an
// external module, for the server's CSP). It records every contract-selected event.
const HOST_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>group e2e</title>
<script type="module" src="group-host.js"></script></head>
<body style="margin:0;padding:16px;background:#eef0f3"><main><div id="sla"></div></main></body></html>`;
const HOST_JS = `import init, { mount } from "./sla_portal.js";
const q = new URLSearchParams(location.search);
window.__selected = [];
const el = document.getElementById("sla");
el.addEventListener("sla-portal:contract-selected", (e) => window.__selected.push(e.detail.contract));
await init();
const headers = { Authorization: "Bearer " + q.get("t") };
if (q.get("element")) {
  // The custom element: the list and the first contract as attributes, the token by update().
  const c = document.createElement("sla-portal");
  c.setAttribute("contracts-src", "/api/v1/contracts");
  if (q.get("contract")) c.setAttribute("contract", q.get("contract"));
  c.setAttribute("locale", q.get("locale") || "zh-CN");
  c.update({ headers });
  el.append(c);
  window.__handle = c;
} else {
  window.__handle = mount(el, { contractsUrl: "/api/v1/contracts", contract: q.get("contract"),
    locale: q.get("locale") || "zh-CN", headers });
}`;

/// Demo data, a copy of dist/ with the host page, and a server on a free port (`args`: more
/// `serve` flags, e.g. the JWT ones).
async function server(args = []) {
  assert.ok(fs.existsSync(BIN), `sla-server binary not found at ${BIN}`);
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_bg.wasm")), "dist/ missing: bash scripts/build-widget");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-group-"));
  execFileSync(BIN, ["demo-data", "--out", path.join(dir, "data")]);
  fs.cpSync(path.join(ROOT, "dist"), path.join(dir, "dist"), { recursive: true });
  fs.writeFileSync(path.join(dir, "dist", "group-host.html"), HOST_HTML);
  fs.writeFileSync(path.join(dir, "dist", "group-host.js"), HOST_JS);
  const token = fs.readFileSync(path.join(dir, "data", "globex-token.txt"), "utf8").trim();
  const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data", path.join(dir, "data"),
    "--db", path.join(dir, "claims.db"), "--dist", path.join(dir, "dist"), "--demo", ...args],
  { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => { buf += d; const m = buf.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
    proc.on("exit", (c) => reject(new Error(`sla-server exited ${c}`)));
  });
  /// The server's own claims list of contract `id`.
  const claims = async (id, bearer = token) => {
    const r = await fetch(`${base}/api/v1/contracts/${id}/claims`, { headers: { Authorization: `Bearer ${bearer}` } });
    assert.equal(r.status, 200, `claims of ${id}`);
    return (await r.json()).claims;
  };
  const close = () => { proc.kill("SIGTERM"); fs.rmSync(dir, { recursive: true, force: true }); };
  return { base, token, claims, close };
}

/// A page with the group loaded (the full build draws it) and its list of rows on screen.
async function open(srv, { locale = "zh-CN", token = srv.token, contract, element } = {}) {
  const b = await browser();
  const page = await b.ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  const url = `${srv.base}/group-host.html?locale=${locale}&t=${encodeURIComponent(token)}`
    + (contract ? `&contract=${contract}` : "") + (element ? "&element=1" : "");
  await page.goto(url);
  await page.waitForSelector("[data-sla-contract]", { timeout: 60000 });
  await fullWidget(page);
  await page.waitForSelector("[role=tab]", { timeout: 60000 });
  return { page, errors, close: b.close };
}

const tab = (page, id) => page.click(`[role=tab][aria-controls$="-panel-${id}"]`);
const shot = (page, name) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
const row = (page, id) => page.locator(`[data-sla-contract="${id}"]`);
/// The shown report's contract: its header names it (`ContractLine`) and its timezone.
const shownTimezone = (page) => page.getAttribute(".slap-header [data-sla-timezone]", "data-sla-timezone");
const selected = (page) => page.evaluate(() => window.__selected);
/// The months the shown report's own periods table marks breached.
const breachedRows = (page) => page.$$eval("[data-sla-month][data-breached=true]", (rs) => rs.map((r) => r.dataset.slaMonth));

/// Waits until the report on screen is contract `id`'s: its header names it (a switch mounts
/// a new report, so nothing of the previous contract's is left once this one's header is drawn).
async function shows(page, id) {
  await page.waitForFunction((id) => {
    const h = document.querySelector(".slap-header .slap-sub");
    return h && h.textContent.includes(id);
  }, id, { timeout: 30000 });
}

/// axe on the whole document; serious and critical only (as e2e/a11y.test.mjs).
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(" | ")}`);
}

const TEXT = {
  "zh-CN": { title: "集团合同概览", switch: "选择合同" },
  en: { title: "Group contracts", switch: "Choose a contract" },
};

for (const locale of ["zh-CN", "en"]) {
  test(`group summary and switcher: figures by hand, keyboard switch keeps the tab (${locale})`, async () => {
    const srv = await server();
    const w = await open(srv, { locale });
    try {
      const { page, errors } = w;
      // crates/sla-server/README.md, "globex": globex-cn breached 2025-03 (44,610/44,640) and
      // 2025-06 (43,190/43,200), one unit each; globex-eu (+01:00) 2026-02 (40,300/40,320) and
      // 2026-04 (43,190/43,200); globex-hk nothing. No claim yet: every unit is claimable.
      assert.equal(await page.locator("[data-sla-contract]").count(), 3);
      const want = { "globex-cn": ["2025-03 2025-06", "2"], "globex-eu": ["2026-02 2026-04", "2"], "globex-hk": ["", "0"] };
      for (const [id, [months, units]] of Object.entries(want)) {
        assert.equal(await row(page, id).getAttribute("data-breached-months"), months, id);
        assert.equal(await row(page, id).getAttribute("data-claimable-units"), units, id);
        assert.equal(await row(page, id).getAttribute("data-claims"), "0", id);
      }
      assert.equal(await page.textContent(".slap-group-summary h2"), TEXT[locale].title);
      // Totals: 2 + 2 + 0 months below target, 2 + 2 + 0 units.
      const totals = await page.textContent("[data-sla-group-totals]");
      assert.match(totals, /3\D+4\D+4/, totals);
      // The first contract is shown and announced; its own report agrees with its row.
      assert.deepEqual(await selected(page), ["globex-cn"]);
      assert.equal(await row(page, "globex-cn").getAttribute("aria-current"), "true");
      assert.equal(await shownTimezone(page), "+08:00");
      await tab(page, "periods");
      await page.waitForSelector(".slap-panel[data-sla-tab=periods] [data-sla-month]");
      assert.deepEqual(await breachedRows(page), ["2025-03", "2025-06"]);
      // The switcher: a labelled native select with the three contracts, used by keyboard.
      const sw = page.locator("select[data-sla-contract-switcher]");
      assert.deepEqual(await sw.locator("option").evaluateAll((os) => os.map((o) => o.value)), ["globex-cn", "globex-eu", "globex-hk"]);
      const label = await page.$eval("select[data-sla-contract-switcher]", (s) => s.labels[0].textContent);
      assert.equal(label, TEXT[locale].switch);
      await sw.focus();
      await page.keyboard.press("ArrowDown");
      await shows(page, "globex-eu");
      assert.equal(await shownTimezone(page), "+01:00");
      // The tab is kept, and the figures are globex-eu's own.
      await page.waitForSelector(".slap-panel[data-sla-tab=periods] [data-sla-month]");
      assert.deepEqual(await breachedRows(page), ["2026-02", "2026-04"]);
      assert.deepEqual(await selected(page), ["globex-cn", "globex-eu"]);
      assert.equal(await row(page, "globex-eu").getAttribute("aria-current"), "true");
      assert.equal(await row(page, "globex-cn").getAttribute("aria-current"), null);
      assert.equal(await sw.inputValue(), "globex-eu");
      // The host switches too (`update({ contract })`), and a summary row's button does.
      await page.evaluate(() => window.__handle.update({ contract: "globex-hk" }));
      await shows(page, "globex-hk");
      assert.equal((await selected(page)).at(-1), "globex-hk");
      await page.waitForSelector(".slap-panel[data-sla-tab=periods] [data-sla-month]");
      assert.deepEqual(await breachedRows(page), []);
      await page.click('[data-sla-open-contract="globex-cn"]');
      await shows(page, "globex-cn");
      assert.equal((await selected(page)).at(-1), "globex-cn");
      await page.waitForSelector(".slap-panel[data-sla-tab=periods] [data-sla-month]");
      assert.deepEqual(await breachedRows(page), ["2025-03", "2025-06"]);
      await shot(page, `group-${locale}`);
      assert.deepEqual(errors, []);
    } finally { await w.close(); srv.close(); }
  });

  test(`a claim filed on the second contract is that contract's; a draft stays with its contract (${locale})`, async () => {
    const srv = await server();
    const w = await open(srv, { locale });
    try {
      const { page, errors } = w;
      await page.click('[data-sla-open-contract="globex-eu"]');
      await shows(page, "globex-eu");
      await tab(page, "claims");
      // A draft on globex-eu, left at the contact step.
      await page.waitForSelector("[data-sla-step=periods]");
      await page.check('[data-sla-choose-month="2026-04"] input');
      await page.click("[data-sla-action=next]");
      await page.check(".slap-remedy-choice input[value=service_extension]");
      await page.click("[data-sla-action=next]");
      await page.click("[data-sla-action=next]");
      await page.fill(".slap-contact input[name=name]", "Anna Berg");
      const draftOf = (id) => page.evaluate((k) => localStorage.getItem(k), `sla-portal:draft:${id}`);
      assert.ok(JSON.parse(await draftOf("globex-eu")).periods.includes("2026-04"));
      // To globex-cn: the Claims tab is kept, with no draft of its own.
      await page.selectOption("select[data-sla-contract-switcher]", "globex-cn");
      await shows(page, "globex-cn");
      await page.waitForSelector(".slap-panel[data-sla-tab=claims] [data-sla-step=periods]");
      assert.equal(await draftOf("globex-cn"), null);
      // Back: the draft is where it was left.
      await page.selectOption("select[data-sla-contract-switcher]", "globex-eu");
      await shows(page, "globex-eu");
      await page.waitForSelector("[data-sla-step=contact]");
      assert.equal(await page.inputValue(".slap-contact input[name=name]"), "Anna Berg");
      // And after a reload (which shows the first contract again).
      await page.reload();
      await page.waitForSelector("[data-sla-contract]", { timeout: 60000 });
      await fullWidget(page);
      await page.click('[data-sla-open-contract="globex-eu"]');
      await shows(page, "globex-eu");
      await tab(page, "claims");
      await page.waitForSelector("[data-sla-step=contact]");
      assert.equal(await page.inputValue(".slap-contact input[name=name]"), "Anna Berg");
      // File it: February and April are globex-eu's breached months; the claim is for April.
      await page.fill(".slap-contact input[name=email]", "anna@example.com");
      await page.fill(".slap-contact input[name=phone]", "+49 30 1234567");
      await page.click("[data-sla-action=next]");
      await page.waitForSelector("[data-sla-step=confirm]");
      await page.click("[data-sla-action=submit]");
      await page.waitForSelector("[data-sla-step=done]", { timeout: 30000 });
      // The server's claims list for that contract has it, and only it; the sibling has none.
      const eu = await srv.claims("globex-eu");
      assert.equal(eu.length, 1);
      assert.equal(eu[0].contract_id, "globex-eu");
      assert.deepEqual(eu[0].periods, ["2026-04"]);
      assert.equal(eu[0].remedy, "service_extension");
      assert.deepEqual(await srv.claims("globex-cn"), []);
      assert.equal(await draftOf("globex-eu"), null, "a filed claim's draft is gone");
      // The summary is read again: one of globex-eu's two units is held now, one claim submitted.
      await page.waitForFunction(() => document.querySelector('[data-sla-contract="globex-eu"]').dataset.claimableUnits === "1");
      assert.equal(await row(page, "globex-eu").getAttribute("data-claims"), "1");
      assert.equal(await row(page, "globex-cn").getAttribute("data-claimable-units"), "2");
      await shot(page, `group-claim-${locale}`);
      assert.deepEqual(errors, []);
    } finally { await w.close(); srv.close(); }
  });
}

test("axe: the group summary and switcher, zh-CN and en, 1280 and 360 px, nothing serious", async () => {
  const srv = await server();
  const w = await open(srv);
  const found = [];
  try {
    const { page } = w;
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      for (const locale of ["zh-CN", "en"]) {
        await page.evaluate((l) => window.__handle.update({ locale: l }), locale);
        await page.waitForFunction((l) => document.querySelector(".slap-group")?.getAttribute("lang") === l, locale);
        for (const v of await axe(page)) found.push(`${locale} ${width}px: ${v}`);
      }
    }
    // The loading and error views of the list: a list that is not one.
    await page.route("**/api/v1/contracts", (r) => r.fulfill({ status: 200, contentType: "application/json", body: '{"schema":"sla-portal/contracts/v9","contracts":[]}' }));
    await page.reload();
    await page.waitForSelector(".slap-group [data-sla-error=contract]", { timeout: 60000 });
    assert.equal(await page.textContent(".slap-group [data-sla-error-path]"), "schema");
    for (const v of await axe(page)) found.push(`error view: ${v}`);
  } finally { await w.close(); srv.close(); }
  assert.deepEqual(found, []);
});

test("<sla-portal contracts-src contract>: the attribute picks the first contract; changing it switches", async () => {
  const srv = await server();
  const w = await open(srv, { locale: "en", contract: "globex-hk", element: true });
  try {
    const { page, errors } = w;
    await shows(page, "globex-hk");
    assert.deepEqual(await selected(page), ["globex-hk"]);
    assert.equal(await row(page, "globex-hk").getAttribute("aria-current"), "true");
    assert.equal(await page.inputValue("select[data-sla-contract-switcher]"), "globex-hk");
    await page.evaluate(() => document.querySelector("sla-portal").setAttribute("contract", "globex-eu"));
    await shows(page, "globex-eu");
    assert.deepEqual(await selected(page), ["globex-hk", "globex-eu"]);
    // An id the list does not have changes nothing: the next switch follows globex-eu directly.
    await page.evaluate(() => document.querySelector("sla-portal").setAttribute("contract", "acme-1"));
    await page.evaluate(() => document.querySelector("sla-portal").setAttribute("contract", "globex-cn"));
    await shows(page, "globex-cn");
    assert.deepEqual(await selected(page), ["globex-hk", "globex-eu", "globex-cn"]);
    assert.deepEqual(errors, []);
  } finally { await w.close(); srv.close(); }
});

test("the demo page shows the group with ?client=globex (a static token from /demo/token)", async () => {
  const srv = await server();
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${srv.base}/?client=globex&contract=globex-eu&locale=en`);
    await page.waitForSelector("[data-sla-contract]", { timeout: 60000 });
    await shows(page, "globex-eu");
    assert.deepEqual(await page.$$eval("[data-sla-contract]", (rs) => rs.map((r) => r.dataset.slaContract)),
      ["globex-cn", "globex-eu", "globex-hk"]);
    // Without it, the one-contract demo as before: no group.
    await page.goto(`${srv.base}/?locale=en`);
    await page.waitForSelector("[role=tab]", { timeout: 60000 });
    assert.equal(await page.locator(".slap-group").count(), 0);
    assert.deepEqual(errors, []);
  } finally { await b.close(); srv.close(); }
});

/// An RS256 JWT signed with `key`.
function jwt(key, kid, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${b64({ alg: "RS256", typ: "JWT", kid })}.${b64(claims)}`;
  return `${data}.${crypto.sign("sha256", Buffer.from(data), key).toString("base64url")}`;
}

test("sign-in through a JWKS served by the test: a JWT narrowed to two contracts shows those two", async () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "test-key-1";
  const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] };
  const idp = await serve({ routes: { "/jwks.json": { body: JSON.stringify(jwks), type: "application/json" } } });
  const [iss, aud] = ["https://idp.example.test", "sla-portal-e2e"];
  const srv = await server(["--jwks-url", `${idp.base}/jwks.json`, "--jwt-issuer", iss, "--jwt-audience", aud]);
  const now = Math.floor(Date.now() / 1000);
  const token = jwt(privateKey, kid, { iss, aud, sub: "anna", sla_client: "globex",
    sla_contracts: ["globex-eu", "globex-hk"], iat: now, exp: now + 900 });
  let w;
  try {
    // The server loads the keys in the background: until then a JWT is 503, then 200.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`${srv.base}/api/v1/contracts`, { headers: { Authorization: `Bearer ${token}` } })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200);
    // The sibling outside sla_contracts is refused to this token.
    const cn = await fetch(`${srv.base}/api/v1/contracts/globex-cn/usage`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(cn.status, 403);
    w = await open(srv, { locale: "en", token });
    const { page, errors } = w;
    assert.deepEqual(await page.$$eval("[data-sla-contract]", (rs) => rs.map((r) => r.dataset.slaContract)), ["globex-eu", "globex-hk"]);
    await shows(page, "globex-eu");
    assert.deepEqual(await selected(page), ["globex-eu"]);
    await page.selectOption("select[data-sla-contract-switcher]", "globex-hk");
    await shows(page, "globex-hk");
    assert.equal((await selected(page)).at(-1), "globex-hk");
    assert.deepEqual(errors, []);
  } finally { if (w) await w.close(); srv.close(); await idp.close(); }
});
