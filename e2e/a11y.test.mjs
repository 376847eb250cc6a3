// a11y.test.mjs: axe-core (pinned in package.json) on every tab of the widget, in zh-CN and
// en, at 1280 px and 360 px wide, against the demo data on the real sla-server: no serious or
// critical violation. Also: at 360 px the tab list scrolls sideways instead of breaking a
// label across lines, and every scrollable region can be reached with the keyboard.
//   SLA_SERVER_BIN as in claims.test.mjs; dist/ must be built (scripts/build-widget).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { browser, ROOT, fullWidget } from "./serve.mjs";

const BIN = process.env.SLA_SERVER_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, "target"), "release", "sla-server");
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
// Every tab the widget shows, read from its tab list (a new tab is checked without editing this file).
const tabsOf = (page) => page.$$eval("[role=tab]", (ts) => ts.map((t) => t.getAttribute("aria-controls").replace(/^.*-panel-/, "")));

// The demo page of `make demo` (dist/index.html + demo.js), served by sla-server with its CSP.
async function server() {
  assert.ok(fs.existsSync(BIN), `sla-server binary not found at ${BIN}`);
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "sla_portal_bg.wasm")), "dist/ missing: bash scripts/build-widget");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-a11y-"));
  execFileSync(BIN, ["demo-data", "--out", path.join(dir, "data")]);
  const proc = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--data", path.join(dir, "data"),
    "--db", path.join(dir, "claims.db"), "--dist", path.join(ROOT, "dist"), "--demo"], { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => { buf += d; const m = buf.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
    proc.on("exit", (c) => reject(new Error(`sla-server exited ${c}`)));
  });
  return { base, close: () => { proc.kill("SIGTERM"); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/// axe on the whole document (it walks open shadow roots); serious and critical only.
async function axe(page) {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') does not apply.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(" | ")}`);
}

for (const width of [1280, 360]) {
  test(`axe: every tab in zh-CN and en at ${width} px has no serious or critical violation`, async () => {
    const srv = await server();
    const b = await browser();
    const found = [];
    try {
      const page = await b.ctx.newPage();
      await page.setViewportSize({ width, height: 900 });
      for (const locale of ["zh-CN", "en"]) {
        await page.goto(`${srv.base}/?locale=${locale}`);
        await page.waitForSelector("[role=tab]", { timeout: 60000 });
        await fullWidget(page);
        const tabs = await tabsOf(page);
        assert.ok(tabs.length >= 5, tabs.join());
        for (const id of tabs) {
          await page.click(`[role=tab][aria-controls$="-panel-${id}"]`);
          await page.waitForSelector(`[data-sla-tab=${id}]`);
          for (const v of await axe(page)) found.push(`${locale} ${width}px ${id}: ${v}`);
        }
      }
      assert.deepEqual(found, []);
    } finally { await b.close(); srv.close(); }
  });
}

test("at 360 px the tabs scroll sideways, no label breaks, scrollable regions take focus", async () => {
  const srv = await server();
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    await page.setViewportSize({ width: 360, height: 800 });
    for (const locale of ["zh-CN", "en"]) {
      await page.goto(`${srv.base}/?locale=${locale}`);
      await page.waitForSelector("[role=tab]", { timeout: 60000 });
      await fullWidget(page);
      const tabs = await page.evaluate(() => {
        const list = document.querySelector("[role=tablist]");
        // One client rect per line box the label's text occupies.
        const lines = [...list.querySelectorAll("[role=tab]")].map((t) => {
          const r = document.createRange();
          r.selectNodeContents(t);
          return { text: t.textContent, lines: new Set([...r.getClientRects()].map((c) => Math.round(c.top))).size };
        });
        return { lines, overflowX: getComputedStyle(list).overflowX, wide: list.scrollWidth > list.clientWidth,
          pageWide: document.documentElement.scrollWidth > window.innerWidth };
      });
      for (const t of tabs.lines) assert.equal(t.lines, 1, `${locale}: tab "${t.text}" is on one line`);
      assert.equal(tabs.overflowX, "auto", "the tab list scrolls sideways");
      assert.equal(tabs.pageWide, false, `${locale}: the page itself does not scroll sideways`);
      // The last tab can be reached and scrolled into view with the keyboard (arrow keys).
      await page.focus("[role=tab][aria-selected=true]");
      await page.keyboard.press("End");
      const ids = await tabsOf(page);
      const last = page.locator(`[role=tab][aria-controls$="-panel-${ids[ids.length - 1]}"]`);
      assert.equal(await last.getAttribute("aria-selected"), "true");
      assert.ok(await last.evaluate((el) => { const r = el.getBoundingClientRect(); return r.right <= window.innerWidth + 1 && r.left >= -1; }),
        "the selected tab is scrolled into view");
      // Every region that scrolls is focusable, so keyboard users can scroll it.
      for (const id of ids) {
        await page.click(`[role=tab][aria-controls$="-panel-${id}"]`);
        await page.waitForSelector(`[data-sla-tab=${id}]`);
        const unreachable = await page.evaluate(() => [...document.querySelectorAll(".slap *")]
          .filter((el) => { const s = getComputedStyle(el);
            return /(auto|scroll)/.test(s.overflowX + s.overflowY) && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
              && el.tabIndex < 0 && !el.querySelector("a[href],button,input,select,textarea,[tabindex]:not([tabindex='-1'])"); })
          .map((el) => el.className));
        assert.deepEqual(unreachable, [], `${locale} ${id}: scrollable regions without keyboard access`);
      }
    }
  } finally { await b.close(); srv.close(); }
});
