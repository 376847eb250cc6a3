// first-paint-size.mjs (`make size`, part of `make test`): fails when what a host loads before
// the first chart is over its budget. A size, not a timing, so it is a test; bench.mjs prints it too.
//   node e2e/first-paint-size.mjs [DIST]   (default dist/; BUDGET=bytes overrides 200,000)
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

/// The first paint: the files a host fetches before the first chart (src/stage/).
export const FIRST_PAINT = ["sla_portal_bg.wasm", "sla_portal.js", "sla-portal.css"];
/// Bytes at brotli -q 11 the first paint may take on the wire (docs/DESIGN.md, "First paint").
export const BUDGET = 200_000;

/// Brotli at quality 11, one file at a time: each travels as its own response.
export const brotli = (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/// Each first-paint file's compressed size and their sum.
export function firstPaint(dist) {
  const files = FIRST_PAINT.map((f) => {
    const p = path.join(dist, f);
    if (!fs.existsSync(p)) throw new Error(`${p} is missing: run \`make dist\` first`);
    return [f, brotli(fs.readFileSync(p))];
  });
  return { files, total: files.reduce((a, [, n]) => a + n, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = path.resolve(process.argv[2] || "dist");
  const budget = Number(process.env.BUDGET || BUDGET);
  const { files, total } = firstPaint(dist);
  for (const [f, n] of files) console.log(`  ${String(n).padStart(9)} B  ${f}`);
  const left = budget - total;
  console.log(`first paint: ${total} B at brotli -q 11, budget ${budget} B: ${left >= 0 ? `${left} B left` : `${-left} B OVER`}`);
  if (left < 0) {
    console.error("first paint over budget: move what the overview does not need out of it (src/stage/, docs/DESIGN.md)");
    process.exit(1);
  }
}
