// frameworks.test.mjs: the widget in the hosts it meets in practice: React 19 under
// StrictMode (mount/unmount in an effect, and <sla-portal> in JSX with the event prop), Vue 3
// (the element in a template, moved by a keyed v-for), and plain pages that mount and unmount
// in one tick or in random interleavings, with the full module held back. The React and Vue
// pages are built here, from the pinned npm packages, into a temporary directory.
// Assumes dist/ is built (scripts/build-widget).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { serve, browser, ROOT } from "./serve.mjs";

const WORKED = path.join(ROOT, "crates", "sla-rules", "tests", "fixtures", "worked");
const AS_OF = fs.readFileSync(path.join(WORKED, "as_of.txt"), "utf8").trim();
const OPTS = `{ usageUrl: "/data/usage.json", incidentsUrl: "/data/incidents.json", asOf: "${AS_OF}", locale: "en" }`;
const ATTRS = `usage-src="/data/usage.json" incidents-src="/data/incidents.json" as-of="${AS_OF}"`;
const page = (script) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${script}"></script></head><body><div id="app"></div><div id="a"></div><div id="b"></div></body></html>`;

// Installed before any page script: every widget root ever added or removed, in mutation
// order, so a second root is seen even if it lived for one task only.
const WATCH = `(() => {
  // Each root with the element it was added to, as each record says (at callback time a root
  // that a later record removes has no parent any more).
  window.__roots = { now: new Map(), max: 0, perElement: 0, stages: [] };
  const walk = (n, f) => { if (n.nodeType !== 1) return; if (n.hasAttribute("data-sla-portal")) f(n, true); n.querySelectorAll("[data-sla-portal]").forEach((x) => f(x, false)); };
  new MutationObserver((records) => {
    const r = window.__roots;
    for (const m of records) {
      m.removedNodes.forEach((n) => walk(n, (x) => r.now.delete(x)));
      m.addedNodes.forEach((n) => walk(n, (x, top) => { r.now.set(x, top ? m.target : x.parentNode); r.stages.push(x.dataset.slaStage); }));
      r.max = Math.max(r.max, r.now.size);
      const parents = new Map();
      for (const e of r.now.values()) parents.set(e, (parents.get(e) || 0) + 1);
      r.perElement = Math.max(r.perElement, ...parents.values(), 0);
    }
  }).observe(document, { childList: true, subtree: true });
  window.__events = [];
  for (const t of ["sla-portal:ready", "sla-portal:error"]) document.addEventListener(t, (e) => window.__events.push([t, e.target.id || e.target.localName, ...(e.detail && e.detail.code ? [e.detail.code] : [])]));
})();`;

const REACT = `import { StrictMode, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import init, { mount } from "/sla-portal/sla_portal.js";
const q = new URLSearchParams(location.search);
window.elementReady = 0;
function Effect() {
  const ref = useRef(null);
  useEffect(() => {
    const h = mount(ref.current, ${OPTS});
    return () => h.unmount();
  }, []);
  return <div id="effect-host" ref={ref} />;
}
function Element() {
  return <sla-portal id="element-host" ${ATTRS} locale="en" ref={(el) => { if (el) window.lastElement = el; }}
    onsla-portal:ready={() => window.elementReady++} />;
}
function App() {
  const [show, setShow] = useState(q.get("show"));
  window.setShow = setShow;
  return <main>{show === "effect" ? <Effect /> : show === "element" ? <Element /> : null}</main>;
}
// ?late: mount before the wasm is ready (init() is not awaited), else after.
const ready = init();
if (!q.has("late")) await ready;
createRoot(document.getElementById("app")).render(<StrictMode><App /></StrictMode>);`;

// The template is compiled here, as a Vue app's build does (the page's CSP allows no eval,
// so no compiling in the browser), with <sla-portal> declared a custom element.
const VUE_TEMPLATE = `<div v-for="id in order" :key="id" :id="'slot-' + id">
  <sla-portal v-if="id === 'w'" id="vue-host" ${ATTRS} :locale="locale"></sla-portal>
  <p v-else>{{ id }}</p>
</div>`;
const VUE_JS = `import { createApp, ref } from "vue";
import { render } from "./template.js";
import init from "/sla-portal/sla_portal.js";
createApp({
  setup() {
    const order = ref(["w", "x", "y"]);
    const locale = ref("en");
    window.vue = { order, locale };
    return { order, locale };
  },
  render,
}).mount("#app");
await init();`;

// A plain page with a script per case (?case=…); window.done once its part is over.
const PLAIN = `import init, { mount } from "/sla-portal/sla_portal.js";
const q = new URLSearchParams(location.search);
const el = (id) => document.getElementById(id);
const opts = ${OPTS};
const tick = () => new Promise((r) => setTimeout(r, 0));
const element = () => {
  const e = document.createElement("sla-portal");
  for (const [k, v] of Object.entries({ "usage-src": "/data/usage.json", "incidents-src": "/data/incidents.json", "as-of": "${AS_OF}" })) e.setAttribute(k, v);
  return e;
};
window.mount = mount;
switch (q.get("case")) {
  case "bad-early": {
    // Bad options before the wasm exists: nothing can throw, the element hears it.
    window.early = mount(el("a"), { usageUrl: "/data/usage.json" });
    await init();
    break;
  }
  case "ready": {
    await init();
    break;
  }
  case "one-tick": {
    // Before the wasm exists, and once it does.
    mount(el("a"), opts).unmount();
    await init();
    mount(el("b"), opts).unmount();
    break;
  }
  case "element-one-tick": {
    const e1 = element(); document.body.append(e1); e1.remove(); window.detached = [e1];
    await init();
    const e2 = element(); document.body.append(e2); e2.remove(); window.detached.push(e2);
    break;
  }
  case "interleave": {
    // A seeded generator: a failing run can be replayed (?seed=).
    let s = Number(q.get("seed") || 1) >>> 0;
    const rand = (n) => { s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return s % n; };
    if (q.has("early")) init(); else await init();
    window.round = async () => {
      const live = { a: null, b: null };
      const log = [];
      for (let i = 0, n = 3 + rand(6); i < n; i++) {
        const id = rand(2) ? "a" : "b";
        if (live[id] && rand(2)) { live[id].unmount(); live[id] = null; log.push("u" + id); }
        // A second mount on a live element replaces its widget.
        else { live[id] = mount(el(id), opts); log.push("m" + id); }
        const pause = rand(3);
        if (pause === 1) await Promise.resolve();
        else if (pause === 2) await tick();
      }
      return { live: Object.keys(live).filter((k) => live[k]), log, handles: live };
    };
    break;
  }
}
window.done = true;`;

let server, chrome, tmp;
const hits = (url) => server.hits[url] || 0;
const docHits = () => hits("/data/usage.json") + hits("/data/incidents.json");
function resetHits() { for (const k of Object.keys(server.hits)) delete server.hits[k]; }
const settle = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_full.js")), "dist/ missing: run scripts/build-widget");
  // The React host, bundled as its developers would in development (StrictMode's double
  // effects are a development behaviour), with the widget's module left to the server.
  const esbuild = await import("esbuild");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slap-fw-"));
  await esbuild.build({
    stdin: { contents: REACT, loader: "jsx", resolveDir: ROOT, sourcefile: "react-host.jsx" },
    bundle: true, format: "esm", jsx: "automatic", outfile: path.join(tmp, "react.js"),
    external: ["/sla-portal/*"], define: { "process.env.NODE_ENV": '"development"' }, logLevel: "warning",
  });
  const { compileTemplate } = await import("vue/compiler-sfc");
  const compiled = compileTemplate({ source: VUE_TEMPLATE, id: "host", filename: "host.vue",
    compilerOptions: { isCustomElement: (tag) => tag === "sla-portal" } });
  assert.deepEqual(compiled.errors, []);
  fs.writeFileSync(path.join(tmp, "template.js"), compiled.code);
  fs.writeFileSync(path.join(tmp, "vue-host.js"), VUE_JS);
  await esbuild.build({
    entryPoints: [path.join(tmp, "vue-host.js")], bundle: true, format: "esm", outfile: path.join(tmp, "vue.js"),
    nodePaths: [path.join(ROOT, "node_modules")], external: ["/sla-portal/*"], logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"', __VUE_OPTIONS_API__: "true", __VUE_PROD_DEVTOOLS__: "false",
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false" },
  });
  const built = (f) => ({ body: fs.readFileSync(path.join(tmp, f)), type: "text/javascript" });
  server = await serve({
    routes: {
      "/react.html": { body: page("/react.js") }, "/react.js": built("react.js"),
      "/vue.html": { body: page("/vue-host.js") }, "/vue-host.js": built("vue.js"),
      "/plain.html": { body: page("/plain.js") }, "/plain.js": { body: PLAIN, type: "text/javascript" },
    },
    files: {
      "/data/usage.json": path.join(WORKED, "usage.json"),
      "/data/incidents.json": path.join(WORKED, "incidents.json"),
    },
  });
  chrome = await browser();
});

after(async () => {
  await chrome?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function open(url, { holdFull = false } = {}) {
  const p = await chrome.ctx.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.stack || e.message));
  // The favicon's 404 is the browser's, not the widget's.
  p.on("console", (m) => { if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) errors.push(m.text()); });
  await p.addInitScript(WATCH);
  let release = () => {};
  if (holdFull) {
    const gate = new Promise((r) => { release = r; });
    await p.route("**/sla-portal/sla_portal_full.js", async (route) => { await gate; await route.continue(); });
  }
  await p.goto(`${server.base}${url}`);
  return { p, errors, release };
}
const roots = (p) => p.evaluate(() => ({ now: document.querySelectorAll("[data-sla-portal]").length,
  max: window.__roots.max, perElement: window.__roots.perElement }));
const events = (p) => p.evaluate(() => window.__events.map((e) => e.join("@")));

for (const late of [false, true]) {
  test(`React 19 StrictMode, mount/unmount in an effect${late ? ", mounted before init() resolved" : ""}: one root, one load, ready once; unmount leaves nothing; remount works`, async () => {
    resetHits();
    const { p, errors } = await open(`/react.html?show=effect${late ? "&late" : ""}`);
    await p.waitForSelector("#effect-host > .slap[data-sla-stage=full] [data-sla-breached-count]");
    await settle(300);
    // The worked example: two months below target.
    assert.equal(await p.getAttribute("[data-sla-breached-count]", "data-sla-breached-count"), "2");
    assert.deepEqual(await roots(p), { now: 1, max: 1, perElement: 1 });
    assert.equal(hits("/data/usage.json"), 1);
    assert.equal(hits("/data/incidents.json"), 1);
    assert.deepEqual(await events(p), ["sla-portal:ready@effect-host"]);

    await p.evaluate(() => window.setShow(null));
    await p.waitForFunction(() => !document.querySelector("[data-sla-portal]"));
    await settle(1000);
    assert.equal(docHits(), 2, "nothing fetched after the unmount");
    assert.deepEqual(await events(p), ["sla-portal:ready@effect-host"]);

    await p.evaluate(() => window.setShow("effect"));
    await p.waitForSelector("#effect-host > .slap[data-sla-stage=full] [data-sla-breached-count]");
    await settle(300);
    assert.deepEqual(await roots(p), { now: 1, max: 1, perElement: 1 });
    assert.equal(hits("/data/usage.json"), 2, "a remount is a new load, once");
    assert.deepEqual(await events(p), ["sla-portal:ready@effect-host", "sla-portal:ready@effect-host"]);
    assert.deepEqual(errors, []);
    await p.close();
  });
}

test("React 19 StrictMode, <sla-portal> in JSX with onsla-portal:ready: one root, one load, the event prop once; unmount tears it down", async () => {
  resetHits();
  const { p, errors } = await open("/react.html?show=element");
  await p.waitForSelector("#element-host > .slap[data-sla-stage=full] [data-sla-breached-count]");
  await settle(300);
  assert.deepEqual(await roots(p), { now: 1, max: 1, perElement: 1 });
  assert.equal(hits("/data/usage.json"), 1);
  assert.equal(hits("/data/incidents.json"), 1);
  assert.equal(await p.evaluate(() => window.elementReady), 1, "React's event prop heard ready once");
  await p.evaluate(() => window.setShow(null));
  // The element is out of the document; the widget in it goes too.
  await p.waitForFunction(() => !window.lastElement.querySelector("[data-sla-portal]"));
  await settle(1000);
  assert.equal(docHits(), 2);
  assert.deepEqual(await events(p), ["sla-portal:ready@element-host"]);
  await p.evaluate(() => window.setShow("element"));
  await p.waitForSelector("#element-host > .slap[data-sla-stage=full]");
  await p.waitForFunction(() => window.elementReady === 2);
  assert.equal(hits("/data/usage.json"), 2);
  assert.deepEqual(errors, []);
  await p.close();
});

test("React 19 StrictMode with the full module held back: never a second widget, and the unmounted one is not taken over", async () => {
  resetHits();
  const { p, errors, release } = await open("/react.html?show=effect&late", { holdFull: true });
  await p.waitForSelector("#effect-host > .slap[data-sla-stage=first-paint] [data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  await settle(1500);
  assert.deepEqual(await roots(p), { now: 1, max: 1, perElement: 1 });
  release();
  await p.waitForSelector("#effect-host > .slap[data-sla-stage=full]");
  await settle(500);
  assert.deepEqual(await roots(p), { now: 1, max: 1, perElement: 1 }, "observed over the whole run");
  assert.equal(docHits(), 2, "the full widget reads what the first paint fetched");
  assert.deepEqual(await events(p), ["sla-portal:ready@effect-host"]);
  assert.deepEqual(errors, []);
  await p.close();
});

test("a widget unmounted while the full module loads is not taken over, and leaves nothing", async () => {
  resetHits();
  const { p, errors, release } = await open("/plain.html?case=ready", { holdFull: true });
  await p.waitForFunction(() => window.done);
  await p.evaluate((o) => { window.h = window.mount(document.getElementById("a"), o); }, { usageUrl: "/data/usage.json", incidentsUrl: "/data/incidents.json", asOf: AS_OF, locale: "en" });
  await p.waitForSelector("#a > .slap[data-sla-stage=first-paint] [data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  await p.evaluate(() => window.h.unmount());
  release();
  await settle(1500);
  assert.deepEqual(await roots(p), { now: 0, max: 1, perElement: 1 });
  assert.deepEqual(await p.evaluate(() => window.__roots.stages), ["first-paint"], "no full widget was ever drawn");
  assert.equal(docHits(), 2);
  assert.deepEqual(await events(p), ["sla-portal:ready@a"]);
  assert.deepEqual(errors, []);
  await p.close();
});

test("the hand-over removes only the first paint's root from the element", async () => {
  resetHits();
  const { p, errors, release } = await open("/plain.html?case=ready", { holdFull: true });
  await p.waitForFunction(() => window.done);
  await p.evaluate((o) => { window.h = window.mount(document.getElementById("a"), o); }, { usageUrl: "/data/usage.json", incidentsUrl: "/data/incidents.json", asOf: AS_OF, locale: "en" });
  await p.waitForSelector("#a > .slap[data-sla-stage=first-paint] [data-sla-chart=monthly] canvas[data-sla-drawn=true]");
  // The host put something of its own beside the widget meanwhile.
  await p.evaluate(() => { const n = document.createElement("p"); n.id = "host-note"; document.getElementById("a").append(n); });
  release();
  await p.waitForSelector("#a > .slap[data-sla-stage=full]");
  assert.equal(await p.evaluate(() => document.querySelectorAll("#a > #host-note").length), 1, "the host's node stays");
  assert.deepEqual(await roots(p), { now: 1, max: 1, perElement: 1 });
  assert.deepEqual(await p.evaluate(() => window.__roots.stages), ["first-paint", "full"]);
  assert.deepEqual(errors, []);
  await p.close();
});

test("bad options: mount() throws once the wasm is ready, and before it the element hears sla-portal:error", async () => {
  resetHits();
  const { p, errors } = await open("/plain.html?case=bad-early");
  await p.waitForFunction(() => window.done);
  await p.waitForFunction(() => window.__events.length > 0);
  assert.deepEqual(await events(p), ["sla-portal:error@a@options"]);
  const thrown = await p.evaluate(() => { try { window.mount(document.getElementById("b"), { usageUrl: "/data/usage.json" }); return null; } catch (e) { return e.message; } });
  assert.match(thrown, /incidentsUrl: required/);
  await settle(300);
  assert.deepEqual(await roots(p), { now: 0, max: 0, perElement: 0 });
  // The one before the wasm asked for the one document it named, nothing after.
  assert.equal(hits("/data/usage.json"), 1);
  assert.equal(hits("/data/incidents.json"), 0);
  // What the page logged is the widget's own report of the bad options, nothing else.
  assert.ok(errors.length === 1 && /incidentsUrl: required/.test(errors[0]), errors.join("\n"));
  await p.close();
});

test("Vue 3: the element in a template, an attribute bound to a reactive value, moved by a keyed v-for: same widget, same tab, nothing refetched", async () => {
  resetHits();
  const { p, errors } = await open("/vue.html");
  await p.waitForSelector("#vue-host > .slap[data-sla-stage=full] [data-sla-breached-count]");
  const root = await p.evaluateHandle(() => document.querySelector("#vue-host > .slap"));
  await p.click('#vue-host [role=tab][aria-controls$="-panel-periods"]');
  await p.waitForSelector('#vue-host [data-sla-tab=periods] [data-sla-month="2026-03"]');
  const before = docHits();
  assert.equal(before, 2);
  // The locale through the bound attribute: in place.
  await p.evaluate(() => { window.vue.locale.value = "zh-CN"; });
  await p.waitForSelector('#vue-host > .slap[lang="zh-CN"]');
  // A scrolled region inside the widget (a host's max-height on the panel): leaving the
  // document resets a scroll offset, the element puts it back.
  await p.evaluate(async () => {
    const panel = document.querySelector("#vue-host .slap-panel");
    panel.style.cssText = "max-height: 120px; overflow: auto";
    panel.scrollTop = 60;
    await new Promise((r) => panel.addEventListener("scroll", r, { once: true }));
  });
  // w moves from first to last: Vue keeps x and y and moves w's node (checked below).
  await p.evaluate(() => {
    window.moved = [];
    new MutationObserver((rs) => rs.forEach((r) => r.removedNodes.forEach((n) => n.id && window.moved.push(n.id))))
      .observe(document.getElementById("app"), { childList: true });
    window.vue.order.value = ["x", "y", "w"];
  });
  await p.waitForFunction(() => document.getElementById("app").lastElementChild.id === "slot-w");
  assert.deepEqual(await p.evaluate(() => window.moved), ["slot-w"], "the element's node was moved");
  await settle(800);
  assert.ok(await root.evaluate((r) => r.isConnected && r === document.querySelector("#vue-host > .slap")), "the same widget root");
  assert.equal(await p.getAttribute("#vue-host [data-sla-tab]", "data-sla-tab"), "periods", "the tab stays");
  assert.equal(await p.evaluate(() => document.querySelector("#vue-host .slap-panel").scrollTop), 60, "the scroll offset stays");
  assert.equal(docHits(), before, "nothing refetched");
  assert.deepEqual(await events(p), ["sla-portal:ready@vue-host"]);
  assert.deepEqual(await roots(p), { now: 1, max: 1, perElement: 1 });
  assert.deepEqual(errors, []);
  await p.close();
});

test("plain page: mount + unmount in one tick, before and after init(): no root, no request, no event after 3 s", async () => {
  resetHits();
  const { p, errors } = await open("/plain.html?case=one-tick");
  await p.waitForFunction(() => window.done);
  await settle(3000);
  assert.equal(docHits(), 0);
  assert.deepEqual(await roots(p), { now: 0, max: 0, perElement: 0 });
  assert.deepEqual(await events(p), []);
  // The same element mounts again afterwards.
  await p.evaluate((o) => { window.h = window.mount(document.getElementById("a"), o); }, { usageUrl: "/data/usage.json", incidentsUrl: "/data/incidents.json", asOf: AS_OF, locale: "en" });
  await p.waitForSelector("#a > .slap[data-sla-stage=full] [data-sla-breached-count]");
  assert.equal(hits("/data/usage.json"), 1);
  assert.deepEqual(errors, []);
  await p.close();
});

test("plain page: <sla-portal> appended and removed in one tick, before and after init(): no request, no widget", async () => {
  resetHits();
  const { p, errors } = await open("/plain.html?case=element-one-tick");
  await p.waitForFunction(() => window.done);
  await settle(3000);
  assert.equal(docHits(), 0);
  assert.equal(await p.evaluate(() => window.detached.filter((e) => e.querySelector("[data-sla-portal]")).length), 0);
  assert.deepEqual(await events(p), []);
  assert.deepEqual(errors, []);
  await p.close();
});

for (const early of [false, true]) {
  test(`plain page: 100 random interleavings of two widgets${early ? ", starting before init() resolved" : ""}: each behaves, none leaks`, async () => {
    resetHits();
    const { p, errors } = await open(`/plain.html?case=interleave&seed=${early ? 23 : 7}${early ? "&early" : ""}`);
    await p.waitForFunction(() => window.done);
    for (let i = 0; i < 100; i++) {
      const before = docHits();
      const { live, log } = await p.evaluate(async () => { const r = await window.round(); window.handles = r.handles; return r; });
      const ctx = `round ${i}: ${log.join(" ")}`;
      for (const id of live) await p.waitForSelector(`#${id} > .slap[data-sla-stage=full] [data-sla-breached-count="2"]`);
      // Every mount still to be torn down has a chance to show itself.
      await settle(20);
      const now = await p.evaluate(() => ({ a: document.querySelectorAll("#a [data-sla-portal]").length,
        b: document.querySelectorAll("#b [data-sla-portal]").length, all: document.querySelectorAll("[data-sla-portal]").length }));
      assert.deepEqual(now, { a: live.includes("a") ? 1 : 0, b: live.includes("b") ? 1 : 0, all: live.length }, ctx);
      // A live widget fetched each document once; a mount undone in its tick fetched nothing,
      // one undone later at most once.
      assert.ok(docHits() - before >= 2 * live.length, ctx);
      await p.evaluate(() => { for (const h of Object.values(window.handles)) h?.unmount(); });
      await p.waitForFunction(() => !document.querySelector("[data-sla-portal]"));
    }
    const quiet = docHits();
    const heard = (await events(p)).length;
    await settle(1500);
    assert.equal(docHits(), quiet, "nothing fetches after its unmount");
    assert.equal((await events(p)).length, heard, "nothing announces after its unmount");
    const r = await roots(p);
    assert.equal(r.perElement, 1, "never two widgets in one element, at any time");
    assert.ok(r.max <= 2, JSON.stringify(r));
    assert.deepEqual(errors, []);
    await p.close();
  });
}
