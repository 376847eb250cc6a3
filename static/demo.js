// demo.js: the demo page's embedding, exactly as DATA_CONTRACT.md shows, with a demo token.
import init, { mount } from "./sla_portal.js";

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
