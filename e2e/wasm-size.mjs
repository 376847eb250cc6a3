// wasm-size.mjs: where the widget's bytes go, twiggy-style, without another tool to install.
// Reads a wasm that still has its name section (wasm-opt -g), sums function body sizes per
// crate (from the demangled names) plus the data segments, and prints the top entries.
//   node e2e/wasm-size.mjs FILE.wasm [top-N]
// Also exported as `breakdown(bytes)` for e2e/bench.mjs.
import fs from "node:fs";
import { fileURLToPath } from "node:url";

function leb(buf, pos) {
  let result = 0, shift = 0, b;
  do { b = buf[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return [result, pos];
}

/// Rust legacy mangling `_ZN3std2io5Write9write_all17h…E` → `std::io::Write::write_all`.
export function demangle(name) {
  const m = /^_?_ZN(.*)E$/.exec(name);
  if (!m) return name;
  const parts = [];
  let s = m[1];
  while (s.length) {
    const d = /^(\d+)/.exec(s);
    if (!d) break;
    const n = Number(d[1]);
    parts.push(s.slice(d[1].length, d[1].length + n));
    s = s.slice(d[1].length + n);
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts.join("::").replace(/\$LT\$/g, "<").replace(/\$GT\$/g, ">").replace(/\$u20\$/g, " ")
    .replace(/\$RF\$/g, "&").replace(/\$C\$/g, ",").replace(/\$u7b\$/g, "{").replace(/\$u7d\$/g, "}")
    .replace(/\.\./g, "::").replace(/\$u5b\$/g, "[").replace(/\$u5d\$/g, "]").replace(/\$BP\$/g, "*");
}

/// The crate a function's code belongs to: for `<a::X as b::Y>::f` the implementing type's crate.
export function crateOf(name) {
  const d = demangle(name).replace(/^<+/, "").replace(/^&(mut )?/, "").replace(/^(dyn |\[)/, "");
  const c = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(d);
  return c ? c[1] : "?";
}

export function breakdown(buf) {
  let pos = 8, imported = 0;
  const bodies = [], names = new Map(), sections = {};
  let data = 0;
  while (pos < buf.length) {
    const id = buf[pos++];
    let size; [size, pos] = leb(buf, pos);
    const end = pos + size;
    if (id === 2) { // imports: functions count first in the function index space
      let [n, p] = leb(buf, pos);
      for (let i = 0; i < n; i++) {
        let len; [len, p] = leb(buf, p); p += len; [len, p] = leb(buf, p); p += len;
        const kind = buf[p++];
        if (kind === 0) { [, p] = leb(buf, p); imported++; }
        else if (kind === 1) { p++; const f = buf[p++]; [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
        else if (kind === 2) { const f = buf[p++]; [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p++; [, p] = leb(buf, p); }
      }
    } else if (id === 10) {
      let [n, p] = leb(buf, pos);
      for (let i = 0; i < n; i++) { let len; [len, p] = leb(buf, p); bodies.push(len); p += len; }
    } else if (id === 11) {
      data += size;
    } else if (id === 0) {
      let [nlen, p] = leb(buf, pos);
      const sname = buf.subarray(p, p + nlen).toString("utf8"); p += nlen;
      sections[`custom:${sname}`] = size;
      if (sname === "name") {
        while (p < end) {
          const sub = buf[p++]; let slen; [slen, p] = leb(buf, p);
          const send = p + slen;
          if (sub === 1) {
            let [n, q] = leb(buf, p);
            for (let i = 0; i < n; i++) {
              let idx, len; [idx, q] = leb(buf, q); [len, q] = leb(buf, q);
              names.set(idx, buf.subarray(q, q + len).toString("utf8")); q += len;
            }
          }
          p = send;
        }
      }
    }
    sections[id] = (sections[id] || 0) + size;
    pos = end;
  }
  const byCrate = new Map(), byFn = [];
  bodies.forEach((len, i) => {
    const name = names.get(i + imported) || `func[${i + imported}]`;
    const c = crateOf(name);
    byCrate.set(c, (byCrate.get(c) || 0) + len);
    byFn.push([demangle(name), len]);
  });
  const code = bodies.reduce((a, b) => a + b, 0);
  return { total: buf.length, code, data, functions: bodies.length, named: names.size,
    byCrate: [...byCrate].sort((a, b) => b[1] - a[1]), byFn: byFn.sort((a, b) => b[1] - a[1]), sections };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  const top = Number(process.argv[3] || 25);
  const b = breakdown(fs.readFileSync(file));
  const kb = (n) => (n / 1024).toFixed(1).padStart(7) + " KB";
  console.log(`${file}: ${kb(b.total)} total, code ${kb(b.code)} in ${b.functions} functions (${b.named} named), data ${kb(b.data)}`);
  console.log("by crate:");
  for (const [c, n] of b.byCrate.slice(0, top)) console.log(`  ${kb(n)} ${(100 * n / b.code).toFixed(1).padStart(5)} %  ${c}`);
  console.log("largest functions:");
  for (const [f, n] of b.byFn.slice(0, top)) console.log(`  ${kb(n)}  ${f.slice(0, 140)}`);
}
