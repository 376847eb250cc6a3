// serve.mjs: a tiny loopback HTTP server for the e2e tests and the bench: dist/ under
// /sla-portal/, fixtures under /data/, host pages under /, and scripted faults.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".html": "text/html; charset=utf-8", ".json": "application/json" };

/// routes: { "/path": { status, body, type } | (req, res) => void }; files: { "/url": absolutePath }.
export async function serve({ routes = {}, files = {} } = {}) {
  const hits = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x").pathname;
    hits[url] = (hits[url] || 0) + 1;
    const route = routes[url];
    if (typeof route === "function") return route(req, res, hits[url]);
    if (route) {
      res.writeHead(route.status || 200, { "Content-Type": route.type || "text/html; charset=utf-8",
        "Content-Security-Policy": "script-src 'self' 'wasm-unsafe-eval'" });
      return res.end(route.body);
    }
    let file = files[url];
    if (!file && url.startsWith("/sla-portal/")) file = path.join(ROOT, "dist", url.slice("/sla-portal/".length));
    if (!file || !file.startsWith(ROOT) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404); return res.end("not found");
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
      "Content-Length": body.length });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, hits, close: () => new Promise((r) => server.close(r)) };
}

/// A fresh headless Chromium (Debian's /usr/bin/chromium: Playwright downloads no browser).
export async function browser() {
  const { chromium } = await import("playwright-core");
  const os = await import("node:os");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-e2e-"));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium", headless: true, viewport: { width: 1200, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return { ctx, close: async () => { await ctx.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/// Waits until the full build has taken over from the first paint (src/stage/): only
/// then is everything beyond the overview on the page, and no element is swapped any more.
export function fullWidget(page, scope = "") {
  return page.waitForSelector(`${scope} .slap[data-sla-stage=full]`.trim(), { timeout: 60000 });
}
