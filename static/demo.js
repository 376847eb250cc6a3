// demo.js: the demo page's embedding, as docs/DATA_CONTRACT.md shows, with a demo token.
// Built by scripts/build-widget the module is sla_portal.js; under `trunk serve` (development)
// trunk names it after the crate, sla-portal.js, and has initialised it already (init is idempotent).
//
// A cold first visit in three overlapping parts: the wasm (index.html preloads it), the token,
// and, as soon as the token is known, the three documents. The widget reads those responses
// (`responses`) instead of asking again, so the documents stream while the wasm compiles.
//
// `?client=globex` shows the demo's group of three contracts instead (`contractsUrl`; its list
// names each contract's documents, so there is nothing to request ahead), `&contract=ID` the
// one shown first.
const q = new URLSearchParams(location.search);
const group = q.get("client") === "globex";
const docs = { usageUrl: "/api/v1/usage", incidentsUrl: "/api/v1/incidents", policyUrl: "/api/v1/policy" };
const headers = fetch(group ? "/demo/token?client=globex" : "/demo/token")
  .then((r) => r.json()).then(({ token }) => ({ Authorization: "Bearer " + token }));
const responses = group ? null : headers.then((h) => {
  const get = (url) => fetch(url, { headers: { ...h, Accept: "application/json" } });
  return { usage: get(docs.usageUrl), incidents: get(docs.incidentsUrl), policy: get(docs.policyUrl) };
});
const m = await import("./sla_portal.js").catch(() => import("./sla-portal.js"));
// trunk's glue has no host front (static/host.js): its mount is the wasm's own.
const { default: init, mount = m.__mount } = m;
const [h, r] = await Promise.all([headers, responses, init()]);
const locale = q.get("locale") || "zh-CN";
mount(document.getElementById("sla"), group
  ? { contractsUrl: "/api/v1/contracts", contract: q.get("contract"), locale, headers: h }
  : { ...docs, claimsUrl: "/api/v1/claims", locale, headers: h, responses: r });
