// demo.js: the demo page's embedding, as docs/DATA_CONTRACT.md shows, with a demo token.
// Built by scripts/build-widget the module is sla_portal.js; under `trunk serve` (development)
// trunk names it after the crate, sla-portal.js, and has initialised it already (init is idempotent).
//
// A cold first visit in three overlapping parts: the wasm (index.html preloads it), the token,
// and, as soon as the token is known, the three documents. The widget reads those responses
// (`responses`) instead of asking again, so the documents stream while the wasm compiles.
const docs = { usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents", policyUrl: "/api/v1/policy" };
const headers = fetch("/demo/token").then((r) => r.json()).then(({ token }) => ({ Authorization: "Bearer " + token }));
const responses = headers.then((h) => {
  const get = (url) => fetch(url, { headers: { ...h, Accept: "application/json" } });
  return { usage: get(docs.usageUrl), incidents: get(docs.incidentsUrl), policy: get(docs.policyUrl) };
});
const m = await import("./sla_portal.js").catch(() => import("./sla-portal.js"));
// trunk's glue has no host front (static/host.js): its mount is the wasm's own.
const { default: init, mount = m.__mount } = m;
const [h, r] = await Promise.all([headers, responses, init()]);
const locale = new URLSearchParams(location.search).get("locale") || "zh-CN";
mount(document.getElementById("sla"), {
  ...docs,
  claimsUrl: "/api/v1/claims",
  locale,
  headers: h,
  responses: r,
});
