// index.d.ts: the types of the `sla-portal` npm package (the widget's JS API, its options,
// its events and the <sla-portal> element), written by hand to match src/lib.rs,
// src/options.rs and src/host_events.rs; e2e/package.test.mjs type-checks a host against it.

/** What `init()` accepts: nothing (the wasm next to the module), a URL, a Response or bytes. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the wasm (once per page: calling it again returns the same promise). Without an
 * argument the wasm is fetched from `sla_portal_bg.wasm` next to the module. `mount()` and
 * `<sla-portal>` (registered when the module is imported) may come before it has resolved:
 * they request their documents at once and draw when it has.
 *
 * This module is the widget's first paint: it draws the overview, then imports the full
 * widget (`sla_portal_full.js` and `sla_portal_full_bg.wasm`, next to it) and hands over.
 * `report()` is exported by that full module: `import initFull, { report } from "sla-portal/full"`.
 */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;

/** Synchronous `init()` for an already compiled module or bytes. */
export function initSync(module: { module: WebAssembly.Module | BufferSource } | WebAssembly.Module | BufferSource): unknown;

/** The widget's languages. Other tags fall back to `zh-CN`. */
export type Locale = "zh-CN" | "en";

/** The `--slap-*` custom properties a host may set (see the package README). */
export type ThemeProperty =
  | "--slap-font" | "--slap-bg" | "--slap-surface" | "--slap-fg" | "--slap-muted"
  | "--slap-border" | "--slap-accent" | "--slap-focus" | "--slap-ok" | "--slap-ok-bg"
  | "--slap-bad" | "--slap-bad-bg" | "--slap-open" | "--slap-open-bg" | "--slap-excluded"
  | "--slap-nodata" | "--slap-radius";

/** Theme: `--slap-*` custom property → CSS value, set on the widget's root. */
export type Theme = Partial<Record<ThemeProperty, string>>;

/** The options of `mount()`. */
export interface MountOptions {
  /** `GET` → usage.json (telemetry, maintenance, exclusions, signing, durability). */
  usageUrl: string;
  /** `GET` → incidents.json. */
  incidentsUrl: string;
  /** `GET`/`POST` claims; without it the widget shows the entitlement but files nothing. */
  claimsUrl?: string | null;
  /**
   * `GET`/`POST` webhook subscriptions and `DELETE {subscriptionsUrl}/{id}` (the Notifications
   * panel of the Claims tab). Default: beside `claimsUrl`, a trailing `/claims` replaced by
   * `/subscriptions` (`/api/v1/claims` → `/api/v1/subscriptions`). A 404 there shows the panel
   * as unavailable.
   */
  subscriptionsUrl?: string | null;
  /**
   * Seconds between re-checks of the documents while the widget is mounted and the page is
   * visible (`If-None-Match`: an unchanged document costs a 304); 0 turns it off. Whole
   * number, 0 to 86400; default 60. No re-check while a claim is being sent.
   */
  refreshSeconds?: number | null;
  /**
   * The provider's public keys (a JWKS) for the signed claim receipts and statements, checked
   * with WebCrypto Ed25519. Default: `/.well-known/jwks.json` on the origin of `claimsUrl`.
   * Fetched without `headers`, kept in memory only; read at mount (`update()` does not change it).
   */
  jwksUrl?: string | null;
  /** `GET` → policy.json; `null`, absent or a 404 there means the agreement's defaults. */
  policyUrl?: string | null;
  /**
   * A BCP 47 tag, negotiated: `zh`, `zh-CN`, `zh-Hans…` → zh-CN; `en`, `en-…` → en (any case,
   * `_` or `-`). Any other tag (`zh-TW`, `ja`, garbage) gets `fallbackLocale`, without a
   * `sla-portal:error`. Default `"zh-CN"`.
   */
  locale?: Locale | (string & {}) | null;
  /**
   * The language for a `locale` the widget does not speak: one it speaks (a tag negotiated
   * like `locale`, such as `"en-US"`, is accepted too; one it does not speak throws).
   * Default `"zh-CN"`.
   */
  fallbackLocale?: Locale | null;
  /** Extra request headers for every request, e.g. `{ Authorization: "Bearer …" }`. Never stored. */
  headers?: Record<string, string> | null;
  /** fetch `credentials` mode; default `"same-origin"`. */
  credentials?: RequestCredentials;
  /** RFC 3339 instant to evaluate at (reproducible views); default now. */
  asOf?: string | null;
  /** Per-request timeout in milliseconds, 1 to 600000; default 60000. */
  timeoutMs?: number | null;
  /** `--slap-*` custom properties for this widget. */
  theme?: Theme | null;
  /**
   * `mount()` only: responses the host already requested for the documents (for a cold
   * visit, start them while `init()` runs). Each is read instead of the widget's own first
   * request when its URL is the option's URL; a failed or different one is ignored.
   * Re-checks and retries fetch as usual.
   */
  responses?: DocumentResponses | null;
  /**
   * A group's contracts list (`GET` → `{"schema":"sla-portal/contracts/v1","contracts":[…]}`,
   * docs/DATA_CONTRACT.md "contracts"). With it the widget shows the group summary and, with
   * more than one contract, a contract switcher; the shown contract's documents and claims
   * are read through its `links`, and `usageUrl`/`incidentsUrl` are not needed
   * ([`GroupMountOptions`]).
   */
  contractsUrl?: string | null;
  /** With `contractsUrl`: the id of the contract shown first; default the list's first. */
  contract?: string | null;
}

/**
 * The options of `mount()` for a group: the contracts list names each contract's documents
 * and claims, so there is no `usageUrl`, `incidentsUrl`, `policyUrl` or `claimsUrl`.
 */
export interface GroupMountOptions
  extends Omit<MountOptions, "usageUrl" | "incidentsUrl" | "policyUrl" | "claimsUrl" | "contractsUrl" | "responses"> {
  contractsUrl: string;
}

/** A response, or a promise of one, per document (`MountOptions.responses`). */
export interface DocumentResponses {
  usage?: Response | Promise<Response>;
  incidents?: Response | Promise<Response>;
  policy?: Response | Promise<Response>;
}

/** A mounted widget. */
export class WidgetHandle {
  private constructor();
  /**
   * Changes options without remounting. Locale, headers (a refreshed token) and theme apply
   * at once; the documents are fetched again only when a URL or `asOf` changes, or when
   * new headers or credentials follow a failed load (the claims list likewise).
   * Throws on bad options and then changes nothing.
   */
  update(partial: Partial<MountOptions> | Partial<GroupMountOptions>): void;
  /**
   * Removes the widget and aborts its requests, whenever it is called (even in the same tick
   * as `mount()`): from then on it renders nothing, fetches nothing, dispatches no event and
   * holds no document. Calling it twice is harmless; the element can be mounted again.
   */
  unmount(): void;
  /** The same as `unmount()`. */
  free(): void;
}

/**
 * Mounts the widget into `element` (its content is replaced; a live widget in it is
 * unmounted first). Throws on bad options, or, called before `init()` has resolved, requests
 * the documents at once and reports bad options as `sla-portal:error` (`code: "options"`).
 */
export function mount(element: Element, options: MountOptions | GroupMountOptions): WidgetHandle;

/** `sla-portal:ready`: a summary of the computed report (once per report). */
export interface ReadyDetail {
  clientId: string;
  contractId: string;
  /** The evaluation instant, RFC 3339. */
  asOf: string;
  /** Every month shown, `YYYY-MM`, oldest first. */
  months: string[];
  /** The months that are service periods (judged). */
  judgedMonths: string[];
  /** Judged months below the availability target. */
  breachedMonths: string[];
  /** Compensation units for the breached months. */
  units: number;
  serviceExtensionMonths: number;
  /** `service_end` after the extension, `YYYY-MM-DD`. */
  serviceEnd: string;
  contractCredit: number;
  openIncidents: number;
  /** The rules core's warnings (English). */
  warnings: string[];
}

/** `sla-portal:error`: the report cannot be shown, or a provider's signature does not check out. */
export interface ErrorDetail {
  /**
   * `http` | `timeout` | `network` (fetching), `not_json`, `contract` (a document breaks the data contract), `options`;
   * `signature_invalid`: a claim receipt or statement whose signature is bad (the report stays on screen; `file` is the
   * claims or statement URL, `path` the JWS's JSON path in that answer, e.g. `claims[0].receipt`).
   */
  code: "http" | "timeout" | "network" | "not_json" | "contract" | "options" | "signature_invalid";
  /** The URL or document name. Empty for `options`. */
  file: string;
  /** JSON path for `contract` errors (`telemetry[2].ok[17]`), else empty. */
  path: string;
  message: string;
}

/** `sla-portal:month-selected`. */
export interface MonthSelectedDetail {
  /** `YYYY-MM`. */
  month: string;
}

export type Remedy = "service_extension" | "contract_credit";

/** `sla-portal:claim-filed`: the claim as the server stored it (`201`, or `200` for a retry). */
export interface ClaimFiledDetail {
  claim_id: string;
  contract_id: string;
  periods: string[];
  remedy: Remedy;
  expected: { units: number; service_extension_months?: number; contract_credit?: number };
  contact: { name: string; email: string; phone: string };
  note: string;
  status: "submitted" | "under_review" | "approved" | "rejected" | "fulfilled";
  /** The server's figures. */
  granted: { remedy: Remedy; units: number; service_extension_months?: number; service_end?: string; contract_credit?: number };
  submitted_at: string;
  updated_at: string;
}

/**
 * `sla-portal:contract-selected`: a group (`contractsUrl`) shows this contract now: the first
 * one once the list is read, then each switch (the switcher, a summary row, `update({ contract })`).
 */
export interface ContractSelectedDetail {
  /** The contract's `id` in the contracts list. */
  contract: string;
}

/** Every event the widget dispatches (bubbling, composed) on its mount element. */
export interface SlaPortalEventMap {
  "sla-portal:ready": CustomEvent<ReadyDetail>;
  "sla-portal:error": CustomEvent<ErrorDetail>;
  "sla-portal:month-selected": CustomEvent<MonthSelectedDetail>;
  "sla-portal:claim-filed": CustomEvent<ClaimFiledDetail>;
  "sla-portal:contract-selected": CustomEvent<ContractSelectedDetail>;
}

/** `<sla-portal usage-src incidents-src claims-src jwks-src policy-src contracts-src contract locale fallback-locale as-of credentials shadow>`. */
export interface SlaPortalElement extends HTMLElement {
  /** Like `WidgetHandle.update`; before the element is connected the options wait for it. */
  update(partial: Partial<MountOptions> | Partial<GroupMountOptions>): void;
  addEventListener<K extends keyof SlaPortalEventMap>(
    type: K, listener: (this: SlaPortalElement, ev: SlaPortalEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K, listener: (this: SlaPortalElement, ev: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SlaPortalEventMap>(
    type: K, listener: (this: SlaPortalElement, ev: SlaPortalEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "sla-portal": SlaPortalElement;
  }
  // The events bubble and are composed: any ancestor, the document and the window hear them.
  interface HTMLElementEventMap extends SlaPortalEventMap {}
  interface DocumentEventMap extends SlaPortalEventMap {}
  interface WindowEventMap extends SlaPortalEventMap {}
}
