// signatures.test.mjs: a receipt and a statement from the real server (`sla-server` with a key
// from `keys generate`) checked by the three verifiers of docs/SIGNATURES.md: `sla verify`, and
// the Python and Node blocks of that document, run as written. One changed byte in the header,
// the payload or the signature fails each; a key rotation keeps old receipts valid while the
// old key is published, and "unknown kid" once it is not.
//   SLA_SERVER_BIN, SLA_BIN (default $CARGO_TARGET_DIR/release/… or target/release/…)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./serve.mjs";

const target = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
const SERVER = process.env.SLA_SERVER_BIN || path.join(target, "release", "sla-server");
const SLA = process.env.SLA_BIN || path.join(target, "release", "sla");

/// The fenced blocks of docs/SIGNATURES.md in one language, so the tests run what a reader copies.
function snippet(lang) {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "SIGNATURES.md"), "utf8");
  const m = doc.match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"));
  assert.ok(m, `docs/SIGNATURES.md has a ${lang} block`);
  return m[1];
}

const sha256 = (s) => crypto.createHash("sha256").update(s).digest("hex");

/// A 2025 contract with a declared 30-minute outage on 10 March (+08:00), 300 contracts
/// signed every month. By hand: March has 44,640 minutes; 30 down give
/// 44,610 / 44,640 = 99.93279 % < 99.99 %, breached, one unit; the average of twelve 300s is
/// 300, so the month's contract credit is 300.
function data(dir) {
  const d = path.join(dir, "data", "acme");
  fs.mkdirSync(d, { recursive: true });
  const signing = Array.from({ length: 12 }, (_, i) => ({ month: `2025-${String(i + 1).padStart(2, "0")}`, signed: 300, failed: 1 }));
  fs.writeFileSync(path.join(d, "usage.json"), JSON.stringify({
    schema: "sla-portal/usage/v1", client: { id: "acme", name: "Acme" },
    contract: { id: "K-1", service_start: "2025-01-01", service_end: "2025-12-31", timezone: "+08:00" },
    telemetry: [], signing,
    outages: [{ id: "P-3", start: "2025-03-10T10:00:00+08:00", end: "2025-03-10T10:30:00+08:00" }],
  }));
  fs.writeFileSync(path.join(d, "incidents.json"), JSON.stringify({ schema: "sla-portal/incidents/v1", incidents: [] }));
  fs.writeFileSync(path.join(dir, "data", "tokens.json"), JSON.stringify({ tokens: [{ client: "acme", sha256: sha256("tok-acme") }] }));
}

function generate(dir) {
  const out = execFileSync(SERVER, ["keys", "generate", "--out", dir], { encoding: "utf8" });
  const kid = out.match(/^kid:\s+(\S+)/m)[1];
  return { key: path.join(dir, "signing-key.pem"), kid, jwk: path.join(dir, `${kid}.json`) };
}

async function start(dir, extra) {
  const proc = spawn(SERVER, ["serve", "--addr", "127.0.0.1:0", "--data", path.join(dir, "data"),
    "--db", path.join(dir, "claims.db"), ...extra], { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => { buf += d; const m = buf.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]); });
    proc.on("exit", (c) => reject(new Error(`sla-server exited ${c}`)));
  });
  const stop = () => new Promise((r) => { proc.once("exit", r); proc.kill(); });
  return { base, stop };
}

const auth = { Authorization: "Bearer tok-acme" };

/// Each verifier as [name, (jwksFileOrUrl, inputFile) => {code, out, err}]. The snippets read
/// a JWKS file; `sla verify` also gets the URL where the test has one.
function verifiers(dir) {
  const py = path.join(dir, "verify.py");
  const js = path.join(dir, "verify.mjs");
  fs.writeFileSync(py, snippet("python"));
  fs.writeFileSync(js, snippet("js"));
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return [
    ["sla verify", (jwks, input) => run(SLA, ["verify", "--jwks", jwks, input])],
    ["python", (jwks, input) => run("python3", [py, jwks, input])],
    ["node", (jwks, input) => run(process.execPath, [js, jwks, input])],
  ];
}

/// `jws` with the character in the middle of one part replaced by another.
function flip(jws, part) {
  const parts = jws.split(".");
  const p = parts[part];
  const i = Math.floor(p.length / 2);
  parts[part] = p.slice(0, i) + (p[i] === "A" ? "B" : "A") + p.slice(i + 1);
  return parts.join(".");
}

test("a real receipt and statement verify in all three verifiers, and a changed byte fails each", async () => {
  for (const bin of [SERVER, SLA]) assert.ok(fs.existsSync(bin), `${bin} missing (make native-bins)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-sig-"));
  data(dir);
  const k = generate(path.join(dir, "k1"));
  const s = await start(dir, ["--signing-key", k.key]);
  try {
    const claim = { schema: "sla-portal/claim/v1", claim_id: "5a1e0000-0000-4000-8000-000000000021",
      contract_id: "K-1", periods: ["2025-03"], remedy: "contract_credit",
      expected: { units: 1, contract_credit: 300 },
      contact: { name: "王敏", email: "wm@example.com", phone: "+86 138 0000 0000" }, note: "" };
    const r = await fetch(`${s.base}/api/v1/claims`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(claim) });
    assert.equal(r.status, 201);
    const answer = await r.text();
    const st = await fetch(`${s.base}/api/v1/statements/2025-03`, { headers: auth });
    assert.equal(st.status, 200);
    const statement = await st.text();
    const jwksText = await (await fetch(`${s.base}/.well-known/jwks.json`)).text();
    const jwks = path.join(dir, "jwks.json");
    fs.writeFileSync(jwks, jwksText);
    const files = { receipt: path.join(dir, "claim.json"), statement: path.join(dir, "statement.json") };
    fs.writeFileSync(files.receipt, answer);
    fs.writeFileSync(files.statement, statement);
    for (const [name, verify] of verifiers(dir)) {
      const a = verify(jwks, files.receipt);
      assert.equal(a.code, 0, `${name}: ${a.err}`);
      assert.match(a.out, new RegExp(`valid: sla-receipt\\+jws signed by key ${k.kid}`), name);
      assert.match(a.out, /"status": "submitted"/, name);
      assert.match(a.out, /"contract_credit": 300/, name);
      const b = verify(jwks, files.statement);
      assert.equal(b.code, 0, `${name}: ${b.err}`);
      assert.match(b.out, /valid: sla-statement\+jws/, name);
      assert.match(b.out, /"availability": "99.93279"/, name);
      assert.match(b.out, /"unavailable_minutes": 30/, name);
      for (const [what, jws] of [["receipt", JSON.parse(answer).receipt], ["statement", JSON.parse(statement).jws]]) {
        for (const part of [0, 1, 2]) {
          const f = path.join(dir, `tampered-${what}-${part}.txt`);
          fs.writeFileSync(f, flip(jws, part));
          const t = verify(jwks, f);
          assert.equal(t.code, 1, `${name}: ${what} with part ${part} changed: ${t.out}${t.err}`);
          assert.match(t.err, /not valid/, `${name}: ${t.err}`);
        }
      }
    }
  } finally {
    await s.stop();
  }
});

test("after a rotation an old receipt verifies while its key is published, then 'unknown kid'", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slap-rot-"));
  data(dir);
  const old = generate(path.join(dir, "old"));
  let s = await start(dir, ["--signing-key", old.key]);
  const claim = { schema: "sla-portal/claim/v1", claim_id: "5a1e0000-0000-4000-8000-000000000022",
    contract_id: "K-1", periods: ["2025-03"], remedy: "contract_credit",
    expected: { units: 1, contract_credit: 300 },
    contact: { name: "Li", email: "li@example.com", phone: "+86 138 0000 0000" }, note: "" };
  const r = await fetch(`${s.base}/api/v1/claims`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(claim) });
  assert.equal(r.status, 201);
  const held = path.join(dir, "held-receipt.json");
  fs.writeFileSync(held, await r.text());
  await s.stop();
  const fresh = generate(path.join(dir, "new"));
  const published = path.join(dir, "published");
  fs.mkdirSync(published);
  fs.copyFileSync(old.jwk, path.join(published, "old.json"));
  const all = verifiers(dir);
  s = await start(dir, ["--signing-key", fresh.key, "--published-keys", published]);
  try {
    const url = `${s.base}/.well-known/jwks.json`;
    const jwks = path.join(dir, "jwks-published.json");
    fs.writeFileSync(jwks, await (await fetch(url)).text());
    assert.deepEqual(JSON.parse(fs.readFileSync(jwks, "utf8")).keys.map((k) => k.kid), [fresh.kid, old.kid]);
    const viaUrl = all[0][1](url, held);
    assert.equal(viaUrl.code, 0, viaUrl.err);
    assert.match(viaUrl.out, new RegExp(`signed by key ${old.kid}`));
    for (const [name, verify] of all) assert.equal(verify(jwks, held).code, 0, name);
  } finally {
    await s.stop();
  }
  fs.rmSync(path.join(published, "old.json"));
  s = await start(dir, ["--signing-key", fresh.key, "--published-keys", published]);
  try {
    const url = `${s.base}/.well-known/jwks.json`;
    const jwks = path.join(dir, "jwks-current.json");
    fs.writeFileSync(jwks, await (await fetch(url)).text());
    const viaUrl = all[0][1](url, held);
    assert.equal(viaUrl.code, 1);
    assert.match(viaUrl.err, /unknown kid/);
    for (const [name, verify] of all) {
      const v = verify(jwks, held);
      assert.equal(v.code, 1, name);
      assert.match(v.err, /unknown kid/, name);
    }
  } finally {
    await s.stop();
  }
});
