// full.d.ts: the types of `sla-portal/full`, the full widget module (sla_portal_full.js). The
// first-paint module (`sla-portal`) imports it by itself after the first chart; a host imports
// it directly only for `report()`, the numbers without the UI.

export { type InitInput, type MountOptions, type WidgetHandle, mount } from "./index.js";
import type { InitInput } from "./index.js";

/** Loads the full module's wasm (`sla_portal_full_bg.wasm` next to it). Harmless twice. */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;

/** Options of `report()`. */
export interface ReportOptions {
  /** RFC 3339 instant to evaluate at; default now. */
  asOf?: string;
  /** policy.json as text or bytes. */
  policy?: string | Uint8Array | null;
}

/**
 * The report JSON text (schema `sla-portal/report/v1`) for the documents, computed exactly
 * as the widget computes it, without UI. Bytes (`Uint8Array`) are cheaper than strings.
 * Throws an `Error` whose message is `FILE: JSON-PATH: message` on bad input.
 */
export function report(usage: string | Uint8Array, incidents: string | Uint8Array, options?: ReportOptions): string;
