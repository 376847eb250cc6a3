//! front.cjs: puts static/host.js, the hosts' `init()`, `mount()` and `<sla-portal>`, at the end of a wasm-bindgen glue module (scripts/build-widget), in place of the glue's own `default` and `mount` exports; the full module also gets static/operator.js (`mountOperator()`, `<sla-operator>`).
// Appended, not imported: a second module would cost a cold visit another round trip
// before the first chart. Each textual change is checked, so a wasm-bindgen release that
// writes its glue differently stops the build instead of shipping a module without a front.
const fs = require("fs");
const path = require("path");
const file = process.argv[2];
let js = fs.readFileSync(file, "utf8");
const swap = (from, to) => {
  if (js.split(from).length !== 2) throw new Error(`${file}: expected exactly one ${JSON.stringify(from)}`);
  js = js.replace(from, to);
};
swap("export { initSync, __wbg_init as default };", "");
// The wasm's own entry points stay private to the module: host.js calls them.
swap("export function __mount(", "function __mount(");
swap("export function __mountElement(", "function __mountElement(");
// What mount() returns is host.js's handle, exported under the wasm's class name.
swap("export class WidgetHandle ", "class WidgetHandle ");
let front = fs.readFileSync(path.join(__dirname, "..", "static", "host.js"), "utf8");
// host.js requests the wasm early, at the URL the glue would use: this build's file name.
const wasmUrl = js.match(/new URL\('([\w.-]+_bg\.wasm)', import\.meta\.url\)/);
if (!wasmUrl) throw new Error(`${file}: expected the glue's default wasm URL`);
const early = 'new URL("sla_portal_bg.wasm", import.meta.url)';
if (front.split(early).length !== 2) throw new Error(`static/host.js: expected exactly one ${early}`);
front = front.replace(early, `new URL(${JSON.stringify(wasmUrl[1])}, import.meta.url)`);
// The operator console is the full build's (src/operator/ is cfg'd out of the first paint):
// its glue exports __mountOperator, the first paint's must not, and gets no operator front.
const full = path.basename(file).startsWith("sla_portal_full");
if (full) {
  swap("export function __mountOperator(", "function __mountOperator(");
  swap("export class OperatorHandle ", "class OperatorHandle ");
  front += fs.readFileSync(path.join(__dirname, "..", "static", "operator.js"), "utf8");
} else if (js.includes("__mountOperator")) {
  throw new Error(`${file}: the first paint carries the operator console`);
}
fs.writeFileSync(file, js + front);
