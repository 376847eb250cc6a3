//! host.js: the module's front for hosts, appended to each build's wasm-bindgen glue by scripts/build-widget (it shares the glue's scope: `wasm`, `__wbg_init`, `__mount`, `__mountElement`).
// Why it is JavaScript: `mount()` and `<sla-portal>` must work before the wasm exists, so
// the documents' requests start at once, in parallel with the wasm's download and compile;
// the wasm reads those responses (the `responses` option) when it mounts. See docs/DESIGN.md
// ("Framework hosts") and package/README.md ("Frameworks") for what `unmount()` promises.
const slaPage = (globalThis[Symbol.for("sla-portal")] ||= { live: new WeakMap() });
let slaWaiting = new Set();
let slaInit;

function slaFlush() {
  const q = slaWaiting;
  slaWaiting = new Set();
  for (const h of q) h._start();
}

// The wasm's request, made as this module is evaluated rather than when init() is called: a
// host that first awaits its token (the README's snippet) would otherwise leave the link idle
// for that round trip before the largest file of the first paint starts. `init()` without an
// argument reads it; `init(x)` and `initSync(x)` abort it (the host loads the wasm its own
// way). The URL is the glue's own default, written so that bundlers rewrite it alike
// (scripts/front.cjs puts in the full module's file name there).
let slaWasm = null;
try {
  const abort = new AbortController();
  const response = fetch(new URL("sla_portal_bg.wasm", import.meta.url), { signal: abort.signal });
  // Not the page's error: init() reports a failed load (and a second init() asks again).
  response.catch(() => {});
  slaWasm = { response, abort };
} catch {
  // No fetch here (a server rendering the host page): init() asks when it is called.
}

function slaWasmFor(arg) {
  const w = slaWasm;
  slaWasm = null;
  if (w && arg === undefined) return { module_or_path: w.response };
  w?.abort.abort();
  return arg;
}

export default function init(arg) {
  // One load per page however often it is called; queued mounts start when it is done.
  return (slaInit ||= __wbg_init(slaWasmFor(arg)).then((w) => (slaFlush(), w), (e) => { slaInit = null; throw e; }));
}

function slaInitSync(m) {
  slaWasmFor(m ?? null);
  const w = initSync(m);
  slaFlush();
  return w;
}
export { slaInitSync as initSync };

/// The requests the wasm would make for the documents, made now (headers and credentials
/// as the widget sends them), for the documents the host gave no response of its own.
function slaEarly(d, o, signal) {
  const given = o.responses || {};
  const r = { ...given };
  for (const k of ["usage", "incidents", "policy"]) {
    if (!d[k] || given[k]) continue;
    r[k] = fetch(d[k], { headers: d.headers, credentials: d.credentials, signal });
    // Aborted by an unmount, or read by the wasm: either way not the page's error.
    r[k].catch(() => {});
  }
  return r;
}

/// What `mount()` returns (and `<sla-portal>` holds): the wasm's handle once there is one,
/// the options and early requests until then.
class SlaHandle {
  constructor(el, opts, make, urls) {
    Object.assign(this, { el, o: opts, make, urls });
    const prev = slaPage.live.get(el);
    // One live widget per element: a second mount replaces the first.
    if (prev) prev.unmount();
    slaPage.live.set(el, this);
    if (wasm) return this._start(true);
    slaWaiting.add(this);
    // After the current task: a mount undone in the same tick (React's StrictMode) sends nothing.
    queueMicrotask(() => this._fetch());
  }
  _fetch() {
    if (this.gone || this.h !== undefined) return;
    const d = this.urls(this.o);
    d.headers = { Accept: "application/json", ...this.o.headers };
    d.credentials = this.o.credentials || d.credentials || "same-origin";
    const key = JSON.stringify(d);
    if (key === this.k) return;
    this.k = key;
    this.a?.abort();
    this.a = new AbortController();
    this.r = slaEarly(d, this.o, this.a.signal);
  }
  _start(now) {
    const r = this.r;
    this.r = this.a = null;
    this.h = null;
    try {
      this.h = this.make({ ...this.o, ...(r && { responses: r }) });
    } catch (e) {
      // Called by mount() itself: bad options throw, as they always did.
      if (now) { this.unmount(); throw e; }
      // No caller to throw to any more: the host hears it as a load would say it.
      console.error(e);
      this.el.dispatchEvent(new CustomEvent("sla-portal:error", { bubbles: true, composed: true,
        detail: { code: "options", file: "", path: "", message: String(e.message || e) } }));
    }
  }
  update(partial) {
    if (this.h) return this.h.update(partial);
    if (this.gone || this.h === null) return;
    Object.assign(this.o, partial);
    this._fetch();
  }
  updateFromAttributes(el) {
    if (this.h) this.h.updateFromAttributes(el);
    else this._fetch();
  }
  /** Removes the widget, or the mount still waiting for the wasm, and aborts its requests. */
  unmount() {
    if (this.gone) return;
    this.gone = true;
    slaWaiting.delete(this);
    if (slaPage.live.get(this.el) === this) slaPage.live.delete(this.el);
    this.a?.abort();
    if (this.h) { this.h.unmount(); this.h.free(); }
    this.h = this.r = this.a = this.o = this.make = null;
  }
  free() { this.unmount(); }
}
export { SlaHandle as WidgetHandle };

export function mount(element, options) {
  if (!(element instanceof Element)) throw new TypeError("sla-portal mount: expected an Element");
  if (!options || typeof options !== "object") throw new TypeError("sla-portal mount: options: expected an object");
  return new SlaHandle(element, { ...options }, (o) => __mount(element, o),
    (o) => ({ usage: o.usageUrl, incidents: o.incidentsUrl, policy: o.policyUrl }));
}

const slaAttrs = ["usage-src", "incidents-src", "claims-src", "subscriptions-src", "policy-src", "locale",
  "fallback-locale", "as-of", "credentials", "refresh-seconds", "contracts-src", "contract"];
if (globalThis.customElements && !customElements.get("sla-portal")) try {
  customElements.define("sla-portal", class extends HTMLElement {
    static get observedAttributes() { return slaAttrs; }
    // Mounted and unmounted only when the element is still (dis)connected after the current
    // task: a move (a keyed reorder) keeps the widget as it is, an element appended and removed
    // in one tick never mounts.
    connectedCallback() {
      queueMicrotask(() => {
        if (!this.isConnected) return;
        if (!this._h) this._mount();
        // A move drops the scroll offsets inside the widget: put them back.
        else for (const [n, [t, l]] of this._s) {
          if (n.isConnected) { n.scrollTop = t; n.scrollLeft = l; } else this._s.delete(n);
        }
      });
    }
    disconnectedCallback() {
      queueMicrotask(() => {
        if (this.isConnected || !this._h) return;
        this._h.unmount();
        this._h = null;
        this._s.clear();
      });
    }
    attributeChangedCallback(name, before, now) {
      if (before === now || !this._h) return;
      try { this._h.updateFromAttributes(this); } catch (e) { console.error(e); }
    }
    /** Changes options without remounting, like the handle `mount()` returns. */
    update(partial) {
      if (this._h) this._h.update(partial);
      else this._p = { ...this._p, ...partial };
    }
    _mount() {
      let target = this;
      if (this.hasAttribute("shadow")) {
        // Opt-in: render in an open shadow root, so hosts style it through ::part().
        const root = this.shadowRoot || this.attachShadow({ mode: "open" });
        target = document.createElement("div");
        root.replaceChildren(target);
      }
      if (!this._s) {
        // Scroll offsets as the user leaves them (scroll events do not bubble: captured).
        const s = (this._s = new Map());
        (this.shadowRoot || this).addEventListener("scroll", (e) => s.set(e.target, [e.target.scrollTop, e.target.scrollLeft]), true);
      }
      const a = (k) => this.getAttribute(k);
      const p = this._p || {};
      this._p = null;
      this._h = new SlaHandle(target, p, (o) => __mountElement(target, this, o),
        () => ({ usage: a("usage-src"), incidents: a("incidents-src"), policy: a("policy-src"), credentials: a("credentials") }));
    }
  });
} catch (e) {
  // Defined meanwhile by another copy of the widget: that copy serves the element.
  if (!customElements.get("sla-portal")) throw e;
}
