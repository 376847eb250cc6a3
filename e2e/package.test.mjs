// package.test.mjs: the npm tarball as a host portal team uses it. `npm install` of the
// tarball into a throwaway project outside the repository, a host page served by the real
// sla-server that imports the widget from node_modules, the host events (ready, then
// claim-filed for a claim filed on that server), and `tsc --noEmit` of host code against the
// package's types: a correct file passes, a file with a deliberate type error fails.
//   SLA_SERVER_BIN as in claims.test.mjs; dist/ must be built (scripts/build-widget).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { browser, ROOT } from "./serve.mjs";

const BIN = process.env.SLA_SERVER_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release", "sla-server");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

let host; // the throwaway host project: package.json, node_modules/sla-portal, host files
let tmp;

before(() => {
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_bg.wasm")), "dist/ missing: bash scripts/build-widget");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slap-pkg-"));
  execFileSync("bash", [path.join(ROOT, "scripts", "package")], {
    env: { ...process.env, SKIP_BUILD: "1", PACK_DEST: tmp }, stdio: ["ignore", "ignore", "inherit"] });
  const tgz = fs.readdirSync(tmp).find((f) => /^sla-portal-\d+\.\d+\.\d+.*\.tgz$/.test(f));
  assert.ok(tgz, `no tarball in ${tmp}`);
  host = path.join(tmp, "host");
  fs.mkdirSync(host);
  fs.writeFileSync(path.join(host, "package.json"), JSON.stringify({ name: "host-portal", private: true, type: "module" }));
  // The package has no dependencies: nothing but the tarball is needed.
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", path.join(tmp, tgz)],
    { cwd: host, stdio: ["ignore", "ignore", "inherit"] });
});

after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

test("the tarball holds what package.json promises", () => {
  const dir = path.join(host, "node_modules", "sla-portal");
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const cargo = fs.readFileSync(path.join(ROOT, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
  assert.equal(pkg.version, cargo, "the version comes from Cargo.toml");
  assert.equal(pkg.type, "module");
  assert.equal(pkg.exports["."].import, "./sla_portal.js");
  assert.equal(pkg.exports["."].types, "./index.d.ts");
  assert.equal(pkg.types, "./index.d.ts");
  assert.equal(pkg.customElements, "custom-elements.json");
  assert.ok(Array.isArray(pkg.sideEffects));
  for (const f of pkg.files) assert.ok(fs.existsSync(path.join(dir, f)), `${f} is in the tarball`);
  const cem = JSON.parse(fs.readFileSync(path.join(dir, "custom-elements.json"), "utf8"));
  const el = cem.modules[0].declarations.find((d) => d.tagName === "sla-portal");
  assert.deepEqual(el.events.map((e) => e.name).sort(),
    ["sla-portal:claim-filed", "sla-portal:contract-selected", "sla-portal:error", "sla-portal:month-selected", "sla-portal:ready"]);
  assert.equal(pkg.exports["./operator"].import, "./sla_portal_full.js");
  assert.equal(pkg.exports["./operator"].types, "./operator.d.ts");
  const op = cem.modules.find((m) => m.path === "sla_portal_full.js").declarations.find((d) => d.tagName === "sla-operator");
  assert.deepEqual(op.events.map((e) => e.name).sort(), ["sla-operator:decided", "sla-operator:error"]);
  const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
  for (const s of ["npm install", "<sla-portal", "sla-portal:ready", "--slap-accent", "::part(", "'wasm-unsafe-eval'", "connect-src", "<sla-operator", "mountOperator"]) {
    assert.ok(readme.includes(s), `README mentions ${s}`);
  }
});

// tsc runs from the repository's pinned typescript; the host project only has the package.
function tsc(file) {
  fs.writeFileSync(path.join(host, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "es2022", module: "esnext", moduleResolution: "bundler", lib: ["es2022", "dom"],
      strict: true, noEmit: true, skipLibCheck: false, types: [] },
    files: [file] }));
  return spawnSync(process.execPath, [TSC, "--noEmit", "-p", "tsconfig.json"], { cwd: host, encoding: "utf8" });
}

const GOOD_TS = `import init, { mount, type MountOptions, type GroupMountOptions, type WidgetHandle, type ReadyDetail } from "sla-portal";
import initFull, { report } from "sla-portal/full";
await init();
await initFull();
const options: MountOptions = { usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents",
  claimsUrl: "/api/v1/claims", locale: "en", headers: { Authorization: "Bearer t" },
  theme: { "--slap-accent": "#6b21a8" },
  responses: { usage: fetch("/api/v1/usage", { headers: { Authorization: "Bearer t" } }) } };
const el = document.getElementById("sla")!;
const handle: WidgetHandle = mount(el, options);
handle.update({ headers: { Authorization: "Bearer fresh" }, locale: "zh-CN" });
// The browser's own language, whatever it is: the widget negotiates, the fallback decides the rest.
handle.update({ locale: navigator.language, fallbackLocale: "en" });
el.addEventListener("sla-portal:ready", (e) => { const d: ReadyDetail = e.detail; console.log(d.units, d.breachedMonths.join()); });
el.addEventListener("sla-portal:claim-filed", (e) => console.log(e.detail.claim_id, e.detail.granted.units));
el.addEventListener("sla-portal:error", (e) => console.log(e.detail.code, e.detail.file, e.detail.path, e.detail.message));
document.addEventListener("sla-portal:month-selected", (e) => console.log(e.detail.month.slice(0, 4)));
const custom = document.createElement("sla-portal");
custom.setAttribute("usage-src", "/u");
custom.update({ timeoutMs: 5000 });
custom.addEventListener("sla-portal:ready", (e) => console.log(e.detail.contractId));
const text: string = report(new Uint8Array(), "{}", { asOf: "2026-04-10T12:00:00+08:00" });
handle.unmount();
// A group: the contracts list names each contract's documents.
const group: GroupMountOptions = { contractsUrl: "/api/v1/contracts", contract: "globex-eu", locale: "en" };
mount(el, group).update({ contract: "globex-hk" });
el.addEventListener("sla-portal:contract-selected", (e) => console.log(e.detail.contract.toUpperCase()));
custom.setAttribute("contracts-src", "/api/v1/contracts");
// The operator console (sla-portal/operator, the full module).
import initOp, { mountOperator, type OperatorOptions, type OperatorHandle } from "sla-portal/operator";
await initOp();
const opOptions: OperatorOptions = { apiBase: "/api/v1", locale: "en", headers: { Authorization: "Bearer op" } };
const op: OperatorHandle = mountOperator(el, opOptions);
op.update({ headers: { Authorization: "Bearer fresh" }, theme: { "--slap-accent": "#6b21a8" } });
el.addEventListener("sla-operator:decided", (e) => console.log(e.detail.claimId, e.detail.status.toUpperCase(), e.detail.version));
const consoleEl = document.createElement("sla-operator");
consoleEl.setAttribute("api-base", "/api/v1");
consoleEl.headers = { Authorization: "Bearer op" };
consoleEl.update({ locale: "zh-CN" });
op.unmount();
export { text };
`;

// Deliberate errors: a missing required option, a wrong locale (any tag is a `locale`, negotiated
// with a fallback; the fallback must be one the widget speaks), a detail field that does not exist.
const BAD_TS = `import { mount } from "sla-portal";
const h = mount(document.body, { usageUrl: "/u" });
h.update({ fallbackLocale: "fr" });
document.body.addEventListener("sla-portal:ready", (e) => console.log(e.detail.unitz));
h.update({ timeoutMs: "soon" });
import { mountOperator } from "sla-portal/operator";
mountOperator(document.body, { apiBase: "/api/v1" }).update({ credentials: "always" });
`;

test("host TypeScript type-checks against the package types; a type error fails", () => {
  fs.writeFileSync(path.join(host, "host.ts"), GOOD_TS);
  fs.writeFileSync(path.join(host, "bad.ts"), BAD_TS);
  const good = tsc("host.ts");
  assert.equal(good.status, 0, `tsc host.ts:\n${good.stdout}${good.stderr}`);
  const bad = tsc("bad.ts");
  assert.notEqual(bad.status, 0, "tsc must reject bad.ts");
  assert.match(bad.stdout, /bad\.ts\(2,\d+\): error TS2345:[^\n]*\n\s+Property 'incidentsUrl' is missing/, bad.stdout);
  assert.match(bad.stdout, /bad\.ts\(3,\d+\): error TS2322: Type '"fr"'/, bad.stdout);
  assert.match(bad.stdout, /bad\.ts\(4,\d+\): error TS2551: Property 'unitz' does not exist on type 'ReadyDetail'/, bad.stdout);
  assert.match(bad.stdout, /bad\.ts\(5,\d+\): error TS2322/, bad.stdout);
  assert.match(bad.stdout, /bad\.ts\(7,\d+\): error TS2322: Type '"always"'/, bad.stdout);
});

const HOST_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host portal</title>
<script type="module" src="host.js"></script></head>
<body><main><h1>Our portal</h1><div id="sla"></div></main></body></html>`;
// The host's own code, as a team would write it: the widget straight from node_modules.
const HOST_JS = `import init, { mount } from "./node_modules/sla-portal/sla_portal.js";
window.__events = [];
const record = (e) => window.__events.push({ type: e.type, target: e.target.id, detail: e.detail });
for (const t of ["sla-portal:ready", "sla-portal:claim-filed", "sla-portal:error", "sla-portal:month-selected"]) {
  document.addEventListener(t, record);
}
const { token } = await (await fetch("/demo/token")).json();
await init();
await init(); // twice: harmless
window.__handle = mount(document.getElementById("sla"), {
  usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents", claimsUrl: "/api/v1/claims",
  locale: "en", headers: { Authorization: "Bearer " + token } });`;

async function slaServer(dist) {
  assert.ok(fs.existsSync(BIN), `sla-server binary not found at ${BIN}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-pkg-srv-"));
  execFileSync(BIN, ["demo-data", "--out", path.join(dir, "data")]);
  const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data", path.join(dir, "data"),
    "--db", path.join(dir, "claims.db"), "--dist", dist, "--demo"], { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => { buf += d; const m = buf.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
    proc.on("exit", (c) => reject(new Error(`sla-server exited ${c}`)));
  });
  return { base, close: () => { proc.kill("SIGTERM"); fs.rmSync(dir, { recursive: true, force: true }); } };
}

test("a host page mounts the installed package and hears ready, then claim-filed", async () => {
  fs.writeFileSync(path.join(host, "host.html"), HOST_HTML);
  fs.writeFileSync(path.join(host, "host.js"), HOST_JS);
  const srv = await slaServer(host);
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const wasm = page.waitForResponse((r) => r.url().endsWith("/node_modules/sla-portal/sla_portal_bg.wasm"));
    await page.goto(`${srv.base}/host.html`);
    assert.equal((await wasm).status(), 200, "the wasm comes from node_modules");
    await page.waitForFunction(() => window.__events.some((e) => e.type === "sla-portal:ready"), null, { timeout: 60000 });
    const ready = (await page.evaluate(() => window.__events)).find((e) => e.type === "sla-portal:ready");
    assert.equal(ready.target, "sla", "dispatched on the mount element");
    assert.equal(ready.detail.contractId, "BS-2025-0042");
    assert.ok(ready.detail.breachedMonths.includes("2026-02"), JSON.stringify(ready.detail));
    // The custom element is registered once, even with a second init().
    assert.equal(await page.evaluate(() => typeof customElements.get("sla-portal")), "function");

    // A refreshed token and another locale: re-rendered in place, nothing fetched again.
    let refetched = 0;
    page.on("request", (r) => { if (/\/api\/v1\/(usage|incidents)$/.test(r.url())) refetched++; });
    await page.evaluate(() => window.__handle.update({ locale: "zh-CN", headers: { Authorization: "Bearer wrong" } }));
    await page.waitForSelector('.slap[lang="zh-CN"]');
    assert.equal(refetched, 0, "update() without a URL change does not refetch");
    await page.evaluate(async () => {
      const { token } = await (await fetch("/demo/token")).json();
      window.__handle.update({ locale: "en", headers: { Authorization: "Bearer " + token } });
    });
    await page.waitForSelector('.slap[lang="en"]');
    assert.equal((await page.evaluate(() => window.__events)).filter((e) => e.type === "sla-portal:ready").length, 1);

    // Month selection from the periods table.
    await page.click('[role=tab][aria-controls$="-panel-periods"]');
    await page.click('[data-sla-month="2026-03"]');
    await page.waitForFunction(() => window.__events.some((e) => e.type === "sla-portal:month-selected"));
    const sel = (await page.evaluate(() => window.__events)).find((e) => e.type === "sla-portal:month-selected");
    assert.equal(sel.detail.month, "2026-03");

    // File a claim for February through the widget; the server stores it; the host hears it.
    await page.click('[role=tab][aria-controls$="-panel-claims"]');
    await page.waitForSelector("[data-sla-step=periods]");
    assert.equal(ready.detail.units, Number(await page.getAttribute("[data-sla-entitlement]", "data-units")));
    await page.check('[data-sla-choose-month="2026-02"] input');
    await page.click("[data-sla-action=next]");
    await page.check(".slap-remedy-choice input[value=service_extension]");
    await page.click("[data-sla-action=next]");
    await page.waitForSelector("[data-sla-step=evidence]");
    await page.click("[data-sla-action=next]");
    await page.fill(".slap-contact input[name=name]", "Wang Min");
    await page.fill(".slap-contact input[name=email]", "wm@example.com");
    await page.fill(".slap-contact input[name=phone]", "+86 138-0000-0000");
    await page.click("[data-sla-action=next]");
    await page.waitForSelector("[data-sla-step=confirm]");
    const posted = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/v1/claims"));
    await page.click("[data-sla-action=submit]");
    assert.equal((await posted).status(), 201);
    await page.waitForFunction(() => window.__events.some((e) => e.type === "sla-portal:claim-filed"));
    // What the server stored, read back from its claims list rather than from the POST's
    // body: Playwright can lose a response body under load ("navigated away from").
    const stored = await page.evaluate(async () => {
      const { token } = await (await fetch("/demo/token")).json();
      const r = await fetch("/api/v1/claims", { headers: { Authorization: "Bearer " + token } });
      return (await r.json()).claims;
    }).then((claims) => {
      assert.equal(claims.length, 1, "exactly one claim stored");
      return claims[0];
    });
    assert.deepEqual(stored.periods, ["2026-02"]);
    const events = await page.evaluate(() => window.__events);
    const filed = events.find((e) => e.type === "sla-portal:claim-filed");
    assert.ok(events.findIndex((e) => e.type === "sla-portal:ready") < events.indexOf(filed), "ready came first");
    assert.equal(filed.target, "sla");
    assert.equal(filed.detail.claim_id, stored.claim_id);
    assert.deepEqual(filed.detail.periods, ["2026-02"]);
    assert.equal(filed.detail.remedy, "service_extension");
    assert.equal(filed.detail.status, "submitted");
    assert.equal(filed.detail.granted.units, stored.granted.units);
    assert.deepEqual(events.filter((e) => e.type === "sla-portal:error"), []);
    assert.deepEqual(errors, []);
  } finally { await b.close(); srv.close(); }
});

test("the custom element: attributes, update(), events on the element, a second registration", async () => {
  const page_html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Element host</title>
<script type="module" src="element.js"></script></head><body><main id="slot"></main></body></html>`;
  // Headers cannot be attributes: the element is created after init(), given its token with
  // update() before it connects, then appended.
  const js = `import init from "./node_modules/sla-portal/sla_portal.js";
window.__events = [];
const { token } = await (await fetch("/demo/token")).json();
await init();
const w = document.createElement("sla-portal");
w.id = "w";
for (const [k, v] of Object.entries({ "usage-src": "/api/v1/usage", "incidents-src": "/api/v1/incidents", locale: "en", shadow: "" })) w.setAttribute(k, v);
for (const t of ["sla-portal:ready", "sla-portal:error"]) w.addEventListener(t, (e) => window.__events.push({ type: e.type, detail: e.detail }));
w.update({ headers: { Authorization: "Bearer " + token }, theme: { "--slap-accent": "#6b21a8" } });
document.getElementById("slot").append(w);
// A second copy of the module (another URL) registers nothing and throws nothing.
const copy = await import("./node_modules/sla-portal/sla_portal.js?copy");
await copy.default();
window.__copied = true;`;
  fs.writeFileSync(path.join(host, "element.html"), page_html);
  fs.writeFileSync(path.join(host, "element.js"), js);
  const srv = await slaServer(host);
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${srv.base}/element.html`);
    await page.waitForFunction(() => window.__copied && window.__events.some((e) => e.type === "sla-portal:ready"), null, { timeout: 60000 });
    // Rendered in the element's shadow root, styled there, themed from update().
    const accent = await page.evaluate(() => {
      const root = document.getElementById("w").shadowRoot.querySelector(".slap");
      return getComputedStyle(root).getPropertyValue("--slap-accent").trim();
    });
    assert.equal(accent, "#6b21a8");
    assert.equal(await page.locator("sla-portal [part~=tabs]").count(), 1, "the tabs carry a part name");
    // An attribute change re-renders in place.
    await page.evaluate(() => document.getElementById("w").setAttribute("locale", "zh-CN"));
    await page.waitForSelector('sla-portal .slap[lang="zh-CN"]');
    // A bad document: the error event names the file.
    await page.evaluate(() => document.getElementById("w").setAttribute("usage-src", "/api/v1/nothing-here"));
    await page.waitForFunction(() => window.__events.some((e) => e.type === "sla-portal:error"));
    const err = (await page.evaluate(() => window.__events)).find((e) => e.type === "sla-portal:error");
    assert.equal(err.detail.code, "http");
    assert.equal(err.detail.file, "/api/v1/nothing-here");
    assert.equal(typeof err.detail.message, "string");
    assert.deepEqual(errors, []);
  } finally { await b.close(); srv.close(); }
});
