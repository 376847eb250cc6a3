//! operator.js: the operator console's front (`mountOperator()`, `<sla-operator>`), appended by scripts/front.cjs to the FULL module only (sla_portal_full.js), never to the first paint a client loads; it shares the glue's scope (`wasm`, `__mountOperator`) and host.js's (`init`).
// Why it is JavaScript: like `<sla-portal>`, the element must exist before the wasm does,
// and the console must mount in any order and timing (React, Vue) with an exact unmount.
// The console loads the wasm itself (`init()`, one load per page) when a host mounts it
// before calling init(): an operator's page has nothing to draw before it anyway.
const slaOpLive = new WeakMap();

/// What `mountOperator()` returns (and `<sla-operator>` holds): the wasm's handle once
/// there is one, the options until then.
class SlaOperatorHandle {
  constructor(el, opts, onError) {
    Object.assign(this, { el, o: opts, onError });
    const prev = slaOpLive.get(el);
    // One console per element: a second mount replaces the first.
    if (prev) prev.unmount();
    slaOpLive.set(el, this);
    if (wasm) this._start(true);
    else init().then(() => this._start(false), (e) => this._fail(e));
  }
  _start(now) {
    if (this.gone || this.h) return;
    try {
      this.h = __mountOperator(this.el, this.o);
    } catch (e) {
      // Called by mountOperator() itself: bad options throw, as the widget's mount() does.
      if (now) { this.unmount(); throw e; }
      this._fail(e);
    }
  }
  _fail(e) {
    if (this.gone) return;
    console.error(e);
    (this.onError || this.el).dispatchEvent(new CustomEvent("sla-operator:error", { bubbles: true, composed: true,
      detail: { code: "options", message: String((e && e.message) || e) } }));
  }
  /** Changes options without remounting (a refreshed token, the locale, the theme). */
  update(partial) {
    if (this.gone) return;
    if (this.h) return this.h.update(partial);
    Object.assign(this.o, partial);
  }
  /** Removes the console, or the mount still waiting for the wasm. */
  unmount() {
    if (this.gone) return;
    this.gone = true;
    if (slaOpLive.get(this.el) === this) slaOpLive.delete(this.el);
    if (this.h) { this.h.unmount(); this.h.free(); }
    this.h = this.o = null;
  }
  free() { this.unmount(); }
}
export { SlaOperatorHandle as OperatorHandle };

export function mountOperator(element, options) {
  if (!(element instanceof Element)) throw new TypeError("sla-operator mount: expected an Element");
  if (!options || typeof options !== "object") throw new TypeError("sla-operator mount: options: expected an object");
  return new SlaOperatorHandle(element, { ...options });
}

const slaOpAttrs = ["api-base", "locale", "credentials"];
if (globalThis.customElements && !customElements.get("sla-operator")) try {
  customElements.define("sla-operator", class extends HTMLElement {
    static get observedAttributes() { return slaOpAttrs; }
    // Objects are properties, never attributes: `el.headers = { Authorization }`, `el.theme`.
    get headers() { return this._o?.headers; }
    set headers(v) { this.update({ headers: v }); }
    get theme() { return this._o?.theme; }
    set theme(v) { this.update({ theme: v }); }
    _opts() {
      const o = { ...this._o };
      const a = (k) => this.getAttribute(k);
      if (a("api-base")) o.apiBase = a("api-base");
      if (a("locale")) o.locale = a("locale");
      if (a("credentials")) o.credentials = a("credentials");
      return o;
    }
    // Mounted and unmounted only when still (dis)connected after the current task: a move
    // keeps the console as it is (its filters, an open claim, a note being written).
    connectedCallback() {
      queueMicrotask(() => {
        if (!this.isConnected || this._h) return;
        let target = this;
        if (this.hasAttribute("shadow")) {
          const root = this.shadowRoot || this.attachShadow({ mode: "open" });
          target = document.createElement("div");
          root.replaceChildren(target);
        }
        try { this._h = new SlaOperatorHandle(target, this._opts(), this); }
        catch (e) {
          console.error(e);
          this.dispatchEvent(new CustomEvent("sla-operator:error", { bubbles: true, composed: true,
            detail: { code: "options", message: String(e.message || e) } }));
        }
      });
    }
    disconnectedCallback() {
      queueMicrotask(() => {
        if (this.isConnected || !this._h) return;
        this._h.unmount();
        this._h = null;
      });
    }
    attributeChangedCallback(name, before, now) {
      if (before === now || !this._h) return;
      const k = { "api-base": "apiBase", locale: "locale", credentials: "credentials" }[name];
      try { this._h.update({ [k]: now ?? undefined }); } catch (e) { console.error(e); }
    }
    /** Changes options without remounting, like the handle `mountOperator()` returns. */
    update(partial) {
      this._o = { ...this._o, ...partial };
      if (this._h) this._h.update(partial);
    }
  });
} catch (e) {
  // Defined meanwhile by another copy of the package: that copy serves the element.
  if (!customElements.get("sla-operator")) throw e;
}
