// operator-demo.js: the console's demo page (/operator.html), as package/README.md shows the
// embedding, with the demo operator's token (`GET /demo/token?role=operator`, `--demo` only).
// `?locale=en` for English.
const q = new URLSearchParams(location.search);
const token = fetch("/demo/token?role=operator").then((r) => r.json()).then(({ token }) => token);
const { default: init, mountOperator } = await import("./sla_portal_full.js");
const [t] = await Promise.all([token, init()]);
mountOperator(document.getElementById("op"), {
  apiBase: "/api/v1", locale: q.get("locale") || "zh-CN", headers: { Authorization: "Bearer " + t } });
