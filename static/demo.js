// demo.js: the demo page's embedding, exactly as docs/DATA_CONTRACT.md shows, with a demo token.
// Built by scripts/build-widget the module is sla_portal.js; under `trunk serve` (development)
// trunk names it after the crate, sla-portal.js, and has initialised it already (init is idempotent).
const { default: init, mount } = await import("./sla_portal.js").catch(() => import("./sla-portal.js"));

// The token and the wasm load at the same time (index.html also preloads the wasm).
const [{ token }] = await Promise.all([fetch("/demo/token").then((r) => r.json()), init()]);
const locale = new URLSearchParams(location.search).get("locale") || "zh-CN";
mount(document.getElementById("sla"), {
  usageUrl: "/api/v1/usage",
  incidentsUrl: "/api/v1/incidents",
  claimsUrl: "/api/v1/claims",
  policyUrl: "/api/v1/policy",
  locale,
  headers: { Authorization: "Bearer " + token },
});
