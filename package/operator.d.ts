// operator.d.ts: the types of `sla-portal/operator`, the operator console (`mountOperator()`
// and `<sla-operator>`), which lives in the full module (sla_portal_full.js): a client's first
// paint (`sla-portal`) carries none of it.

export { default } from "./full.js";

/** Options of `mountOperator()` and of the element's `update()`. Any other key throws. */
export interface OperatorOptions {
  /** The server's API root; the console reads `{apiBase}/operator/…`. Default `"/api/v1"`. */
  apiBase?: string;
  /** Request headers, e.g. `{ Authorization: "Bearer <operator token>" }`: a static operator
   * token, or a JWT with `sla_role: operator`. Never stored by the console. */
  headers?: Record<string, string> | null;
  /** fetch credentials mode. Default `"same-origin"`. */
  credentials?: "omit" | "same-origin" | "include";
  /** The console's language (zh-CN first, en); a BCP 47 tag as for the widget. */
  locale?: string;
  fallbackLocale?: "zh-CN" | "en";
  /** `--slap-*` custom properties set on the console's root, as for the widget. */
  theme?: Record<string, string> | null;
  /** Per-request timeout in ms (1–600000). Default 60000. */
  timeoutMs?: number | null;
}

/** What `mountOperator()` returns. */
export interface OperatorHandle {
  /** Changes options without remounting (a refreshed token, the locale, the theme). Throws
   * on bad options and then changes nothing. */
  update(partial: Partial<OperatorOptions>): void;
  /** Removes the console, or the mount still waiting for the wasm. Harmless twice. */
  unmount(): void;
  free(): void;
}

/**
 * Mounts the console into `element` (its content is replaced; a console already there is
 * unmounted). Loads the full module's wasm itself when `init()` has not run yet. Throws a
 * `TypeError` for a missing element or options, and an `Error` for bad options once the wasm
 * is ready (before, the element hears `sla-operator:error`).
 */
export function mountOperator(element: Element, options: OperatorOptions): OperatorHandle;

/** `sla-operator:decided`: a decision was stored by the server. */
export interface DecidedDetail {
  claimId: string;
  status: "submitted" | "under_review" | "approved" | "rejected" | "fulfilled";
  /** The claim's new version (its ETag, the next decision's If-Match). */
  version: string;
  client: string;
}

/** `sla-operator:error`: the console could not be mounted (bad options, the wasm failed). */
export interface OperatorErrorDetail {
  code: "options";
  message: string;
}

/** `<sla-operator api-base="/api/v1" locale="en">`: objects are properties. */
export interface SlaOperatorElement extends HTMLElement {
  headers: Record<string, string> | null | undefined;
  theme: Record<string, string> | null | undefined;
  update(partial: Partial<OperatorOptions>): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "sla-operator": SlaOperatorElement;
  }
  interface HTMLElementEventMap {
    "sla-operator:decided": CustomEvent<DecidedDetail>;
    "sla-operator:error": CustomEvent<OperatorErrorDetail>;
  }
}
