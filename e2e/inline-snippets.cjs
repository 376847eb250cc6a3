// inline-snippets.cjs: folds wasm-bindgen's inline_js snippet modules into sla_portal.js so the
// embeddable build is exactly two stable files (sla_portal.js + sla_portal_bg.wasm), with no
// snippets/ directory a host server would also have to serve. Used by scripts/build-widget.
// It also drops the glue's comments and indentation: a host downloads the module before the
// first chart, and its comments (the Rust doc comments, wasm-bindgen's notes) are a tenth of
// it. Only whole-line comments go (`//` lines and `/** … */` blocks), never code.
const fs = require("fs");
const path = require("path");
const file = process.argv[2];
const dir = path.dirname(file);
let js = fs.readFileSync(file, "utf8");
const re = /^import (\{[^}]*\}|\* as (\w+)) from ['"](\.\/snippets\/[^'"]+)['"];?\s*$/gm;
const modules = new Map();
const aliases = [];
js = js.replace(re, (_, what, ns, rel) => {
  if (!modules.has(rel)) modules.set(rel, null);
  if (ns) aliases.push([ns, rel]);
  return "";
});
let prelude = "";
let n = 0;
for (const rel of modules.keys()) {
  let code = fs.readFileSync(path.join(dir, rel), "utf8");
  const names = [];
  code = code.replace(/^export (function|const|let|class) (\w+)/gm, (_, kind, name) => { names.push(name); return `${kind} ${name}`; });
  if (/^\s*export\b/m.test(code) || /^\s*import\b/m.test(code)) throw new Error(`${rel}: cannot inline this module form`);
  const id = `__sla_snippet${n++}`;
  prelude += `${code}\nconst ${id} = { ${names.join(", ")} };\n`;
  modules.set(rel, id);
}
for (const [ns, rel] of aliases) prelude += `const ${ns} = ${modules.get(rel)};\n`;
fs.writeFileSync(file, strip(prelude + js));
fs.rmSync(path.join(dir, "snippets"), { recursive: true, force: true });

/// Whole-line comments and leading white space removed. The glue has no multi-line strings
/// or template literals (checked: a line with an unclosed backtick stops the build), so a
/// line that starts a comment is one.
function strip(code) {
  const out = [];
  let inDoc = false;
  for (const raw of code.split("\n")) {
    const line = raw.trim();
    if (inDoc) { if (line.includes("*/")) inDoc = false; continue; }
    if (line.startsWith("/*")) { if (!line.includes("*/")) inDoc = true; continue; }
    if (line.startsWith("//") || line === "") continue;
    if ((line.match(/`/g) || []).length % 2) throw new Error(`${file}: a template literal spans lines; the comment stripper cannot tell them apart: ${line}`);
    out.push(line);
  }
  return out.join("\n") + "\n";
}
