// demo.js: the demo page's embedding, exactly as docs/DATA_CONTRACT.md shows, with a demo token.
// Built by scripts/build-widget the module is sla_portal.js; under `trunk serve` (development)
// trunk names it after the crate, sla-portal.js, and has initialised it already (init is idempotent).
const { default: init, mount } = await import("./sla_portal.js").catch(() => import("./sla-portal.js"));

const res = await fetch("/demo/token");
const { token } = await res.json();
await init();
const locale = new URLSearchParams(location.search).get("locale") || "zh-CN";
mount(document.getElementById("sla"), {
  usageUrl: "/api/v1/usage",
  incidentsUrl: "/api/v1/incidents",
  claimsUrl: "/api/v1/claims",
  policyUrl: "/api/v1/policy",
  locale,
  headers: { Authorization: "Bearer " + token },
});
