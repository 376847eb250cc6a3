//! The provider's signatures in the widget (docs/SIGNATURES.md, "In the widget"): each claim's
//! receipt and the month's statement are checked with the browser's own WebCrypto Ed25519, so
//! the wasm carries no crypto code, and what was signed is compared with what is shown.
//!
//! Full build only: the first paint names nothing here, so none of it is linked there. The
//! pure steps (base64url, the compact form, the key's fingerprint, the 64-character lines, the
//! comparison of a payload with the claim or month shown) are plain functions, tested natively;
//! the browser's part is [`webcrypto_verify`] and the JWKS fetch, covered by the e2e tests.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use serde_json::Value;
use sla_rules::claims::ClaimRecord;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::api::{self, Call, Cancel};
use crate::env::Env;
use crate::i18n::Key;
use crate::options::{Credentials, Options};

/// `typ` of a claim receipt (docs/SIGNATURES.md).
pub const RECEIPT_TYP: &str = "sla-receipt+jws";
/// `typ` of a monthly statement.
pub const STATEMENT_TYP: &str = "sla-statement+jws";

/// Why a signature is not valid. Each says so in both languages ([`Problem::text`]) and in
/// English for the `sla-portal:error` event ([`Problem::message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not three base64url parts, or a header that is not a JSON object.
    Malformed(&'static str),
    /// `alg` is not EdDSA, or `typ` is not the one expected here.
    WrongType(String),
    /// No key of that `kid` in the JWKS, even after fetching it again.
    UnknownKid(String),
    /// WebCrypto says the signature is not the key's over these bytes.
    BadSignature,
    /// The payload is not RFC 8785 canonical JSON.
    NotCanonical,
    /// The payload is not what is shown: the member that differs.
    Mismatch(&'static str),
    /// The published key could not be imported (not an Ed25519 public key).
    KeyUnusable,
}

impl Problem {
    /// The message of the `sla-portal:error` event (English, like the other codes').
    pub fn message(&self) -> String {
        match self {
            Problem::Malformed(m) => format!("not a compact JWS: {m}"),
            Problem::WrongType(m) => format!("wrong signature type: {m}"),
            Problem::UnknownKid(k) => format!("unknown kid {k:?}: not in the JWKS"),
            Problem::BadSignature => "bad signature".into(),
            Problem::NotCanonical => "payload not canonical (RFC 8785)".into(),
            Problem::Mismatch(f) => format!("the signed {f} is not the one shown"),
            Problem::KeyUnusable => "the JWKS key is not a usable Ed25519 key".into(),
        }
    }

    /// The reason in the widget's language.
    pub fn text(&self, env: &Env) -> String {
        match self {
            Problem::Malformed(_) => env.t(Key::SigWhyMalformed).into(),
            Problem::WrongType(_) => env.t(Key::SigWhyType).into(),
            Problem::UnknownKid(_) => env.t(Key::SigWhyUnknownKey).into(),
            Problem::BadSignature => env.t(Key::SigWhyBad).into(),
            Problem::NotCanonical => env.t(Key::SigWhyNotCanonical).into(),
            Problem::Mismatch(f) => env.fill(Key::SigWhyMismatch, &[("field", f)]),
            Problem::KeyUnusable => env.t(Key::SigWhyKey).into(),
        }
    }
}

// Strings are cut with `split_at_checked`, not `&s[..n]`: the first paint indexes strings
// that way, and more callers of that shared function in the crate change how the compiler
// inlines it there (bytes of the first paint for code it never runs; measured).

/// Decodes base64url without padding (RFC 7515 §2). Strict: any other character, a length
/// no encoding has (1 mod 4) or non-zero bits after the last byte is `None`, so no two texts
/// decode to the same bytes and a changed last character is never ignored.
pub fn b64url(s: &str) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

/// A compact JWS taken apart: what was signed (`h64.p64`), and the decoded parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Compact<'a> {
    pub signing_input: &'a str,
    pub kid: String,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Splits and decodes a compact JWS and checks its header: `alg` EdDSA, `typ` as expected and
/// a `kid`. Nothing here is cryptography: that is WebCrypto's, after.
pub fn split<'a>(jws: &'a str, typ: &str) -> Result<Compact<'a>, Problem> {
    let mut parts = jws.split('.');
    let (Some(h64), Some(p64), Some(s64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Problem::Malformed("not three parts"));
    };
    let header = b64url(h64).ok_or(Problem::Malformed("the header is not base64url"))?;
    let header: Value = serde_json::from_slice(&header)
        .map_err(|_| Problem::Malformed("the header is not JSON"))?;
    if header["alg"] != "EdDSA" {
        return Err(Problem::WrongType(format!(
            "alg {} (EdDSA expected)",
            header["alg"]
        )));
    }
    if header["typ"] != typ {
        return Err(Problem::WrongType(format!(
            "typ {} ({typ} expected)",
            header["typ"]
        )));
    }
    let kid = match header["kid"].as_str() {
        Some(k) if !k.is_empty() => k.to_string(),
        _ => return Err(Problem::Malformed("the header has no kid")),
    };
    Ok(Compact {
        signing_input: jws
            .split_at_checked(h64.len() + 1 + p64.len())
            .map_or("", |(input, _)| input),
        kid,
        payload: b64url(p64).ok_or(Problem::Malformed("the payload is not base64url"))?,
        signature: b64url(s64).ok_or(Problem::Malformed("the signature is not base64url"))?,
    })
}

/// A key's short, human-checkable form: the first 8 bytes of its `kid` (the RFC 7638
/// thumbprint, base64url of a SHA-256) as four groups of four hex digits, which read aloud or
/// compare by eye without the case of base64. A `kid` that is not base64url of 8 bytes or
/// more: its first 16 characters.
pub fn fingerprint(kid: &str) -> String {
    match b64url(kid) {
        Some(b) if b.len() >= 8 => b[..8]
            .chunks(2)
            .map(|p| format!("{:02x}{:02x}", p[0], p[1]))
            .collect::<Vec<_>>()
            .join(" "),
        _ => kid.chars().take(16).collect(),
    }
}

/// `s` in lines of `width` characters (the last one shorter), so a printed JWS can be typed
/// back line by line.
pub fn lines(s: &str, width: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let cut = rest
            .char_indices()
            .nth(width)
            .map_or(rest.len(), |(i, _)| i);
        let (line, more) = rest.split_at_checked(cut).unwrap_or((rest, ""));
        out.push(line);
        rest = more;
    }
    out
}

/// The `x` of the Ed25519 key `kid` in a JWKS (`{"keys":[…]}`).
pub fn find_key<'a>(jwks: &'a Value, kid: &str) -> Option<&'a str> {
    jwks["keys"]
        .as_array()?
        .iter()
        .find(|k| k["kid"] == kid && k["kty"] == "OKP" && k["crv"] == "Ed25519")?
        .get("x")?
        .as_str()
}

/// Whether a receipt's payload is the claim shown: its id, contract, status, periods and
/// granted figures. Answers the signed `updated_at` (when that state was reached).
pub fn receipt_matches(payload: &Value, claim: &ClaimRecord) -> Result<String, Problem> {
    let same = |k: &'static str, v: Value| {
        if payload[k] == v {
            Ok(())
        } else {
            Err(Problem::Mismatch(k))
        }
    };
    same("claim_id", Value::from(claim.claim_id.as_str()))?;
    // A listing of an older server may leave the contract out; the signed one is then unchecked.
    if !claim.contract_id.is_empty() {
        same("contract", Value::from(claim.contract_id.as_str()))?;
    }
    same("status", Value::from(claim.status.as_str()))?;
    same("periods", Value::from(claim.periods.clone()))?;
    same(
        "granted",
        serde_json::to_value(&claim.granted).unwrap_or(Value::Null),
    )?;
    Ok(payload["updated_at"].as_str().unwrap_or("").to_string())
}

/// The figures of a month as the widget shows them, for [`statement_matches`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthShown {
    pub contract: String,
    pub month: String,
    pub availability: String,
    pub measured_minutes: u64,
    pub excluded_minutes: u64,
    pub unavailable_minutes: u64,
    pub breached: bool,
}

impl MonthShown {
    pub fn of(r: &sla_rules::report::Report, p: &sla_rules::report::Period) -> MonthShown {
        MonthShown {
            contract: r.contract_id.clone(),
            month: p.month.to_string(),
            availability: p.availability.clone(),
            measured_minutes: p.measured_minutes,
            excluded_minutes: p.excluded_minutes,
            unavailable_minutes: p.unavailable_minutes,
            breached: p.breached,
        }
    }
}

/// Whether a statement's payload holds the month shown: its contract, month and figures.
/// Answers the signed month.
pub fn statement_matches(payload: &Value, m: &MonthShown) -> Result<String, Problem> {
    let same = |k: &'static str, v: Value| {
        if payload[k] == v {
            Ok(())
        } else {
            Err(Problem::Mismatch(k))
        }
    };
    same("contract", Value::from(m.contract.as_str()))?;
    same("month", Value::from(m.month.as_str()))?;
    same("availability", Value::from(m.availability.as_str()))?;
    same("measured_minutes", Value::from(m.measured_minutes))?;
    same("excluded_minutes", Value::from(m.excluded_minutes))?;
    same("unavailable_minutes", Value::from(m.unavailable_minutes))?;
    same("breached", Value::from(m.breached))?;
    Ok(m.month.clone())
}

/// `jwksUrl`'s default: `/.well-known/jwks.json` on the origin of the claims URL (the
/// page's own origin when that URL is relative).
pub fn default_jwks_url(claims_url: &str) -> String {
    const WELL_KNOWN: &str = "/.well-known/jwks.json";
    let origin_end = |rest_start: usize| {
        claims_url
            .split_at_checked(rest_start)
            .and_then(|(_, rest)| rest.find(['/', '?', '#']))
            .map_or(claims_url.len(), |i| rest_start + i)
    };
    let end = if let Some(i) = claims_url.find("://") {
        let scheme = claims_url.split_at_checked(i).map_or("", |(s, _)| s);
        if !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
        {
            origin_end(i + 3)
        } else {
            0
        }
    } else if claims_url.starts_with("//") {
        origin_end(2)
    } else {
        0
    };
    let origin = claims_url.split_at_checked(end).map_or("", |(o, _)| o);
    format!("{origin}{WELL_KNOWN}")
}

/// The signed statement of `month` beside the claims: `…/claims` → `…/statements/{month}`
/// (`/api/v1/claims`, or a group contract's `/api/v1/contracts/{id}/claims`; the server's
/// routes, docs/SIGNATURES.md), the query kept. `None` for a claims URL not ending in `/claims`.
pub fn statement_url(claims_url: &str, month: &str) -> Option<String> {
    crate::options::with_path(claims_url, |path| {
        let base = path.trim_end_matches('/').strip_suffix("/claims")?;
        Some(format!("{base}/statements/{month}"))
    })
}

/// The `jws` of a statement answer (`{"statement":{…},"jws":"…"|null}`): `Ok(None)` from a
/// server that signs nothing, `Err` for an answer of another shape.
pub fn statement_jws(body: &[u8]) -> Result<Option<String>, &'static str> {
    let v: Value = serde_json::from_slice(body).map_err(|_| "not JSON")?;
    if !v["statement"].is_object() {
        return Err("no statement in the answer");
    }
    match &v["jws"] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err("jws is not a string"),
    }
}

/// Why a signature was not checked (never "valid", never "invalid").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unchecked {
    /// The browser has no WebCrypto Ed25519 (or no `crypto.subtle` at all).
    NoWebCrypto,
    /// The JWKS could not be read: its URL.
    NoKeys(String),
}

/// What the widget says about one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Checking,
    /// The server sent no signature (it has no signing key).
    Unsigned,
    /// Valid, by key `kid`; `at` is the signed time (a receipt) or month (a statement).
    Valid {
        kid: String,
        at: String,
    },
    NotChecked(Unchecked),
    Invalid(Problem),
}

/// What WebCrypto said: `Ok(valid)`, or why it could not say.
enum Crypto {
    Unsupported,
    KeyUnusable,
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn error_name(e: &JsValue) -> String {
    get(e, "name").as_string().unwrap_or_default()
}

/// `crypto.subtle.importKey("jwk", {kty:"OKP",crv:"Ed25519",x}, {name:"Ed25519"}, false,
/// ["verify"])`, then `crypto.subtle.verify("Ed25519", key, signature, input)`. Looked up
/// at call time: a browser without them (or a page that removed them) is "not checked".
async fn webcrypto_verify(x: &str, input: &[u8], signature: &[u8]) -> Result<bool, Crypto> {
    let subtle = get(&get(&js_sys::global(), "crypto"), "subtle");
    let method = |k: &str| get(&subtle, k).dyn_into::<Function>().ok();
    let (Some(import), Some(verify)) = (method("importKey"), method("verify")) else {
        return Err(Crypto::Unsupported);
    };
    let jwk = Object::new();
    for (k, v) in [("kty", "OKP"), ("crv", "Ed25519"), ("x", x)] {
        let _ = Reflect::set(&jwk, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    let alg = Object::new();
    let _ = Reflect::set(
        &alg,
        &JsValue::from_str("name"),
        &JsValue::from_str("Ed25519"),
    );
    let args = Array::of5(
        &JsValue::from_str("jwk"),
        &jwk,
        &alg,
        &JsValue::FALSE,
        &Array::of1(&JsValue::from_str("verify")),
    );
    // A DataError is a key that is no Ed25519 key; anything else (NotSupportedError, a
    // TypeError for an unknown name) is a browser that cannot check.
    let key = async {
        let p = import.apply(&subtle, &args)?;
        JsFuture::from(p.dyn_into::<js_sys::Promise>()?).await
    }
    .await
    .map_err(|e| match error_name(&e).as_str() {
        "DataError" => Crypto::KeyUnusable,
        _ => Crypto::Unsupported,
    })?;
    let args = Array::of4(
        &JsValue::from_str("Ed25519"),
        &key,
        &Uint8Array::from(signature),
        &Uint8Array::from(input),
    );
    let ok = async {
        let p = verify.apply(&subtle, &args)?;
        JsFuture::from(p.dyn_into::<js_sys::Promise>()?).await
    }
    .await
    .map_err(|_| Crypto::Unsupported)?;
    Ok(ok.as_bool() == Some(true))
}

type KeysFuture = Shared<LocalBoxFuture<'static, Result<Rc<Value>, String>>>;

/// A checked JWS: its `kid` and payload, or what to say instead.
type Outcome = Result<(String, Value), Verdict>;

/// One widget's signature checks: its JWKS, fetched once (in memory only, never stored) and
/// again once on an unknown `kid`; each JWS's outcome, so a receipt shown twice (history and
/// confirmation) is checked once; and which invalid ones the host was told of.
pub struct Signatures {
    root: NodeRef,
    options: RefCell<Rc<Options>>,
    url: RefCell<Option<Result<String, String>>>,
    keys: RefCell<Option<KeysFuture>>,
    refetched: Cell<bool>,
    outcomes: RefCell<HashMap<String, Outcome>>,
    reported: RefCell<HashSet<String>>,
}

/// The context the views read ([`Signature`]); equal while it is the same widget's.
#[derive(Clone)]
pub struct SignCtx(pub Rc<Signatures>);

impl PartialEq for SignCtx {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Signatures {
    pub fn new(root: NodeRef) -> Signatures {
        Signatures {
            root,
            options: RefCell::default(),
            url: RefCell::new(None),
            keys: RefCell::new(None),
            refetched: Cell::new(false),
            outcomes: RefCell::default(),
            reported: RefCell::default(),
        }
    }

    /// The options of the last render (their claims URL gives the JWKS default).
    pub fn set_options(&self, options: &Rc<Options>) {
        *self.options.borrow_mut() = options.clone();
    }

    /// The JWKS URL: the host's `jwksUrl` / `jwks-src` (read once, at the first check), else
    /// beside the claims URL.
    fn jwks_url(&self) -> Result<String, String> {
        if let Some(u) = self.url.borrow().clone() {
            return u;
        }
        let u = match host_jwks_url(&self.root) {
            Ok(Some(u)) => Ok(u),
            Ok(None) => Ok(default_jwks_url(
                self.options.borrow().claims_url.as_deref().unwrap_or(""),
            )),
            Err(e) => Err(e),
        };
        *self.url.borrow_mut() = Some(u.clone());
        u
    }

    fn fetch_keys(&self) -> KeysFuture {
        // The JWKS needs no token, and a host's Authorization must not go to a third party.
        let opts = Options {
            headers: Vec::new(),
            credentials: Credentials::Omit,
            ..(**self.options.borrow()).clone()
        };
        let url = self.jwks_url();
        async move {
            let url = url?;
            let a = api::request(&opts, Call::get(&url), &Cancel::new())
                .await
                .map_err(|_| url.clone())?;
            let v: Value = serde_json::from_slice(&a.body).map_err(|_| url.clone())?;
            if !a.ok() || !v["keys"].is_array() {
                return Err(url);
            }
            Ok(Rc::new(v))
        }
        .boxed_local()
        .shared()
    }

    fn keys(&self, again: bool) -> KeysFuture {
        let mut k = self.keys.borrow_mut();
        if again {
            // Once per widget: a key rotated in since the first fetch.
            if self.refetched.replace(true) {
                return k.clone().unwrap_or_else(|| self.fetch_keys());
            }
            *k = None;
        }
        k.get_or_insert_with(|| self.fetch_keys()).clone()
    }

    /// Checks `jws` of `typ`: its form, its key and its signature (WebCrypto) and that its
    /// payload is canonical; answers its `kid` and payload, or what to say instead.
    pub async fn check(&self, jws: &str, typ: &str) -> Outcome {
        if let Some(o) = self.outcomes.borrow().get(jws) {
            return o.clone();
        }
        let o = self.check_afresh(jws, typ).await;
        // "Not checked" is not kept: another try (a key that loads later) may check it.
        if !matches!(o, Err(Verdict::NotChecked(_))) {
            self.outcomes
                .borrow_mut()
                .insert(jws.to_string(), o.clone());
        }
        o
    }

    async fn check_afresh(&self, jws: &str, typ: &str) -> Outcome {
        let c = split(jws, typ).map_err(Verdict::Invalid)?;
        let keys = self.keys(false).await;
        let keys = match keys {
            Ok(k) if find_key(&k, &c.kid).is_none() => self.keys(true).await,
            other => other,
        }
        .map_err(|url| Verdict::NotChecked(Unchecked::NoKeys(url)))?;
        let x = find_key(&keys, &c.kid)
            .ok_or_else(|| Verdict::Invalid(Problem::UnknownKid(c.kid.clone())))?;
        match webcrypto_verify(x, c.signing_input.as_bytes(), &c.signature).await {
            Ok(true) => {}
            Ok(false) => return Err(Verdict::Invalid(Problem::BadSignature)),
            Err(Crypto::KeyUnusable) => return Err(Verdict::Invalid(Problem::KeyUnusable)),
            Err(Crypto::Unsupported) => return Err(Verdict::NotChecked(Unchecked::NoWebCrypto)),
        }
        if !sla_rules::jcs::is_canonical(&c.payload) {
            return Err(Verdict::Invalid(Problem::NotCanonical));
        }
        let payload = serde_json::from_slice(&c.payload)
            .map_err(|_| Verdict::Invalid(Problem::NotCanonical))?;
        Ok((c.kid, payload))
    }

    /// Tells the host of an invalid signature once per JWS (`sla-portal:error`,
    /// `signature_invalid`).
    fn report(&self, node: &NodeRef, jws: &str, file: &str, path: &str, p: &Problem) {
        if self.reported.borrow_mut().insert(jws.to_string()) {
            crate::host_events::signature_invalid(node, file, path, &p.message());
        }
    }
}

/// The host's JWKS URL, if it gave one: `jwksUrl` of the options it mounted with (kept by
/// static/host.js's handle, which the first paint hands over untouched, so the first paint
/// carries no code for it) or the `jwks-src` attribute of `<sla-portal>`, found on the way
/// up from the widget's root.
fn host_jwks_url(root: &NodeRef) -> Result<Option<String>, String> {
    let page = Reflect::get(
        &js_sys::global(),
        &js_sys::Symbol::for_("sla-portal").into(),
    )
    .unwrap_or(JsValue::UNDEFINED);
    let live = get(&page, "live").dyn_into::<js_sys::WeakMap>().ok();
    let mut node = root.cast::<web_sys::Node>();
    while let Some(n) = node {
        if let Some(el) = n.dyn_ref::<web_sys::Element>() {
            if el.tag_name().eq_ignore_ascii_case("sla-portal") {
                if let Some(u) = el
                    .get_attribute("jwks-src")
                    .filter(|u| !u.trim().is_empty())
                {
                    return Ok(Some(u));
                }
            }
            if let Some(handle) = live.as_ref().map(|l| l.get(el.as_ref())) {
                let v = get(&get(&handle, "o"), "jwksUrl");
                if let Some(u) = v.as_string().filter(|u| !u.trim().is_empty()) {
                    return Ok(Some(u));
                }
                if !(v.is_undefined() || v.is_null() || v.as_string().is_some()) {
                    return Err("jwksUrl: expected a string".into());
                }
            }
        }
        node = match n.dyn_ref::<web_sys::ShadowRoot>() {
            Some(s) => Some(s.host().into()),
            None => n.parent_node(),
        };
    }
    Ok(None)
}

/// What a signature must hold to be the one of what is shown.
// A claim is the larger variant (384 bytes natively), held once per signature line for as
// long as it is drawn: not worth an allocation per render to even out.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Claim(ClaimRecord),
    Month(MonthShown),
}

#[derive(Properties, PartialEq)]
pub struct SignatureProps {
    pub env: Rc<Env>,
    /// The compact JWS; `None`: the server signed nothing.
    pub jws: Option<AttrValue>,
    pub expect: Expect,
    /// Where the JWS came from, for the event: the URL and the JSON path in its answer.
    pub file: AttrValue,
    pub path: AttrValue,
}

/// The line under a claim or a statement: "Signed by the provider · key … · at …", "not
/// checked in this browser", or a warning (and `signature_invalid` for the host).
#[component]
pub fn Signature(props: &SignatureProps) -> Html {
    let env = &props.env;
    let ctx = use_context::<SignCtx>();
    let verdict = use_state(|| Verdict::Checking);
    let node = use_node_ref();
    {
        let (verdict, node) = (verdict.clone(), node.clone());
        let (file, path) = (props.file.clone(), props.path.clone());
        use_effect_with(
            (props.jws.clone(), props.expect.clone()),
            move |(jws, expect)| {
                let live = Rc::new(Cell::new(true));
                match (jws.clone(), ctx) {
                    (None, _) => verdict.set(Verdict::Unsigned),
                    (Some(_), None) => verdict.set(Verdict::Checking),
                    (Some(jws), Some(ctx)) => {
                        let (expect, live) = (expect.clone(), live.clone());
                        verdict.set(Verdict::Checking);
                        wasm_bindgen_futures::spawn_local(async move {
                            let typ = match expect {
                                Expect::Claim(_) => RECEIPT_TYP,
                                Expect::Month(_) => STATEMENT_TYP,
                            };
                            let v = match ctx.0.check(&jws, typ).await {
                                Ok((kid, payload)) => match &expect {
                                    Expect::Claim(c) => receipt_matches(&payload, c),
                                    Expect::Month(m) => statement_matches(&payload, m),
                                }
                                .map_or_else(Verdict::Invalid, |at| Verdict::Valid { kid, at }),
                                Err(v) => v,
                            };
                            if !live.get() {
                                return;
                            }
                            if let Verdict::Invalid(p) = &v {
                                ctx.0.report(&node, &jws, &file, &path, p);
                            }
                            verdict.set(v);
                        });
                    }
                }
                move || live.set(false)
            },
        );
    }
    let f = &env.fmt;
    let (state, class, text) = match &*verdict {
        Verdict::Checking => (
            "checking",
            "slap-muted",
            env.t(Key::SigChecking).to_string(),
        ),
        Verdict::Unsigned => ("none", "slap-muted", env.t(Key::SigUnsigned).to_string()),
        Verdict::Valid { kid, at } => (
            "valid",
            "slap-muted",
            match props.expect {
                Expect::Claim(_) => env.fill(
                    Key::SigValid,
                    &[
                        ("key", &fingerprint(kid)),
                        ("when", &f.datetime(at.as_str())),
                    ],
                ),
                Expect::Month(_) => env.fill(
                    Key::SigValidStatement,
                    &[("key", &fingerprint(kid)), ("month", &f.month(at.as_str()))],
                ),
            },
        ),
        Verdict::NotChecked(Unchecked::NoWebCrypto) => (
            "unchecked",
            "slap-muted",
            env.t(Key::SigNotChecked).to_string(),
        ),
        Verdict::NotChecked(Unchecked::NoKeys(url)) => (
            "unchecked",
            "slap-muted",
            env.fill(Key::SigNoKeys, &[("url", url)]),
        ),
        Verdict::Invalid(p) => (
            "invalid",
            "slap-claim-error",
            env.fill(Key::SigInvalid, &[("reason", &p.text(env))]),
        ),
    };
    let role = matches!(*verdict, Verdict::Invalid(_)).then_some("alert");
    let kid = match &*verdict {
        Verdict::Valid { kid, .. } => Some(kid.clone()),
        _ => None,
    };
    html! {
        <p class={class} role={role} ref={node} data-sla-signature={state} data-sla-kid={kid}>{ text }</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sla_rules::claims::{ClaimStatus, Granted, Remedy};

    #[test]
    fn base64url_decodes_strictly() {
        // "Man" is the RFC 4648 example: TWFu; "Ma" → TWE, "M" → TQ (no padding in a JWS).
        assert_eq!(b64url("TWFu").unwrap(), b"Man");
        assert_eq!(b64url("TWE").unwrap(), b"Ma");
        assert_eq!(b64url("TQ").unwrap(), b"M");
        assert_eq!(b64url("").unwrap(), b"");
        // '-' is 62, '_' 63, '8' 60: 111110 111111 111100 → 0xFB 0xFF and two zero bits
        // (standard base64 writes it "+/8=").
        assert_eq!(b64url("-_8").unwrap(), [0xfb, 0xff]);
        // The standard alphabet's + and /, padding, a lone character: not base64url.
        assert_eq!(b64url("+/8"), None);
        assert_eq!(b64url("TQ=="), None);
        assert_eq!(b64url("TWFuA"), None);
        // T R = 010011 010001: one byte 0x4d and four bits 0001 that are not zero, which
        // a lax decoder drops (so "TR" would pass for "TQ").
        assert_eq!(b64url("TR"), None);
    }

    /// The inverse of b64url, for the tests only.
    fn enc(s: &str) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for c in s.as_bytes().chunks(3) {
            let n = c
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &x)| n | (u32::from(x) << (16 - 8 * i)));
            for i in 0..=c.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    /// A JWS from hand-made parts: `header` . `payload` . "AAEC".
    fn jws_with(header: &str, payload: &str) -> String {
        format!("{}.{}.AAEC", enc(header), enc(payload))
    }

    fn jws(typ: &str, payload: &str) -> String {
        jws_with(
            &format!(r#"{{"alg":"EdDSA","kid":"k1","typ":"{typ}"}}"#),
            payload,
        )
    }

    #[test]
    fn a_compact_jws_is_taken_apart_and_its_header_checked() {
        let j = jws(RECEIPT_TYP, r#"{"a":1}"#);
        let c = split(&j, RECEIPT_TYP).unwrap();
        assert_eq!(c.kid, "k1");
        assert_eq!(c.payload, br#"{"a":1}"#);
        // "AAEC" is 000000 000000 000100 000010: bytes 0, 1, 2.
        assert_eq!(c.signature, [0, 1, 2]);
        // What was signed is the first two parts with their dot, exactly as sent.
        assert_eq!(c.signing_input, &j[..j.len() - 5]);
        assert!(matches!(
            split(&j, STATEMENT_TYP),
            Err(Problem::WrongType(_))
        ));
        assert_eq!(
            split("a.b", RECEIPT_TYP),
            Err(Problem::Malformed("not three parts"))
        );
        assert_eq!(
            split("a.b.c.d", RECEIPT_TYP),
            Err(Problem::Malformed("not three parts"))
        );
        // "none" is no signature at all; a header without a kid names no key.
        let none = jws_with(r#"{"alg":"none","kid":"k1","typ":"sla-receipt+jws"}"#, "{}");
        assert!(matches!(
            split(&none, RECEIPT_TYP),
            Err(Problem::WrongType(_))
        ));
        let nokid = jws_with(r#"{"alg":"EdDSA","typ":"sla-receipt+jws"}"#, "{}");
        assert_eq!(
            split(&nokid, RECEIPT_TYP),
            Err(Problem::Malformed("the header has no kid"))
        );
        // The encoder above, checked against the RFC example.
        assert_eq!(enc("Man"), "TWFu");
        assert_eq!(enc("M"), "TQ");
    }

    #[test]
    fn a_fingerprint_is_the_kids_first_eight_bytes_in_hex() {
        // AAEC AwQF BgcI CQ: the bytes 00 01 … 09.
        assert_eq!(fingerprint("AAECAwQFBgcICQ"), "0001 0203 0405 0607");
        // -_8: fb ff, too short for eight bytes: its text instead.
        assert_eq!(fingerprint("-_8"), "-_8");
        assert_eq!(fingerprint("not base64url at all!"), "not base64url at");
    }

    #[test]
    fn a_jws_prints_in_lines_of_64() {
        let s = "a".repeat(130);
        let l = lines(&s, 64);
        assert_eq!(l.iter().map(|x| x.len()).collect::<Vec<_>>(), [64, 64, 2]);
        assert_eq!(l.concat(), s);
        assert!(lines("", 64).is_empty());
        assert_eq!(lines("abc", 64), ["abc"]);
    }

    #[test]
    fn the_jwks_default_is_on_the_claims_origin() {
        assert_eq!(default_jwks_url("/api/v1/claims"), "/.well-known/jwks.json");
        assert_eq!(default_jwks_url("api/v1/claims"), "/.well-known/jwks.json");
        assert_eq!(
            default_jwks_url("https://api.example.com/v1/claims?client=a"),
            "https://api.example.com/.well-known/jwks.json"
        );
        assert_eq!(
            default_jwks_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/.well-known/jwks.json"
        );
        assert_eq!(
            default_jwks_url("//api.example.com/claims"),
            "//api.example.com/.well-known/jwks.json"
        );
        // A "://" inside the path or query is no scheme.
        assert_eq!(default_jwks_url("/r?u=http://x"), "/.well-known/jwks.json");
    }

    #[test]
    fn the_statement_sits_beside_the_claims() {
        assert_eq!(
            statement_url("/api/v1/claims", "2025-03").as_deref(),
            Some("/api/v1/statements/2025-03")
        );
        assert_eq!(
            statement_url(
                "https://x.example/api/v1/contracts/globex-eu/claims/?t=1",
                "2026-02"
            )
            .as_deref(),
            Some("https://x.example/api/v1/contracts/globex-eu/statements/2026-02?t=1")
        );
        assert_eq!(statement_url("/claims-api", "2026-02"), None);
        assert_eq!(
            statement_jws(br#"{"statement":{"month":"2025-03"},"jws":"h.p.s"}"#),
            Ok(Some("h.p.s".into()))
        );
        assert_eq!(statement_jws(br#"{"statement":{},"jws":null}"#), Ok(None));
        assert!(statement_jws(br#"{"jws":"h.p.s"}"#).is_err());
        assert!(statement_jws(br#"{"statement":{},"jws":1}"#).is_err());
    }

    #[test]
    fn keys_are_found_by_kid_and_kind() {
        let jwks = json!({"keys":[
            {"kty":"RSA","kid":"k1","n":"…"},
            {"kty":"OKP","crv":"Ed25519","kid":"k1","x":"XX"},
            {"kty":"OKP","crv":"Ed25519","kid":"k2","x":"YY"}]});
        assert_eq!(find_key(&jwks, "k1"), Some("XX"));
        assert_eq!(find_key(&jwks, "k2"), Some("YY"));
        assert_eq!(find_key(&jwks, "k3"), None);
        assert_eq!(find_key(&json!({"keys":{}}), "k1"), None);
    }

    fn claim() -> ClaimRecord {
        serde_json::from_value(json!({
            "claim_id": "c-1", "contract_id": "K-1", "periods": ["2025-03"],
            "remedy": "contract_credit", "status": "submitted",
            "granted": {"remedy": "contract_credit", "units": 1, "contract_credit": 300},
            "submitted_at": "2026-12-04T10:00:00Z", "updated_at": "2026-12-04T10:00:00Z"
        }))
        .unwrap()
    }

    /// The server's receipt payload for `claim()` (crates/sla-server/src/receipts.rs).
    fn signed() -> Value {
        json!({"claim_id":"c-1","client":"acme","contract":"K-1","evidence_sha256":"ab",
            "granted":{"contract_credit":300,"remedy":"contract_credit","units":1},
            "periods":["2025-03"],"remedy":"contract_credit","status":"submitted",
            "submitted_at":"2026-12-04T10:00:00Z","updated_at":"2026-12-04T10:00:00Z"})
    }

    #[test]
    fn a_receipt_must_be_the_claim_shown() {
        let c = claim();
        assert_eq!(
            receipt_matches(&signed(), &c).unwrap(),
            "2026-12-04T10:00:00Z"
        );
        // The claim shown moved on (approved) while the receipt is the submitted one's.
        let approved = ClaimRecord {
            status: ClaimStatus::Approved,
            ..c.clone()
        };
        assert_eq!(
            receipt_matches(&signed(), &approved),
            Err(Problem::Mismatch("status"))
        );
        // The shown figures say 400 contracts, the signed ones 300.
        let more = ClaimRecord {
            granted: Granted {
                remedy: Remedy::ContractCredit,
                units: 1,
                service_extension_months: None,
                service_end: None,
                contract_credit: Some(400),
            },
            ..c.clone()
        };
        assert_eq!(
            receipt_matches(&signed(), &more),
            Err(Problem::Mismatch("granted"))
        );
        let months = ClaimRecord {
            periods: vec!["2025-03".into(), "2025-04".into()],
            ..c.clone()
        };
        assert_eq!(
            receipt_matches(&signed(), &months),
            Err(Problem::Mismatch("periods"))
        );
        let other = ClaimRecord {
            claim_id: "c-2".into(),
            ..c
        };
        assert_eq!(
            receipt_matches(&signed(), &other),
            Err(Problem::Mismatch("claim_id"))
        );
    }

    #[test]
    fn a_statement_must_hold_the_month_shown() {
        // e2e/signatures.test.mjs's March 2025: 44,640 minutes, 30 down, 99.93279 %.
        let m = MonthShown {
            contract: "K-1".into(),
            month: "2025-03".into(),
            availability: "99.93279".into(),
            measured_minutes: 44_640,
            excluded_minutes: 0,
            unavailable_minutes: 30,
            breached: true,
        };
        let st = json!({"contract":"K-1","month":"2025-03","availability":"99.93279",
            "measured_minutes":44640,"excluded_minutes":0,"unavailable_minutes":30,"breached":true});
        assert_eq!(statement_matches(&st, &m).unwrap(), "2025-03");
        let fewer = MonthShown {
            unavailable_minutes: 29,
            ..m.clone()
        };
        assert_eq!(
            statement_matches(&st, &fewer),
            Err(Problem::Mismatch("unavailable_minutes"))
        );
        let april = MonthShown {
            month: "2025-04".into(),
            ..m
        };
        assert_eq!(
            statement_matches(&st, &april),
            Err(Problem::Mismatch("month"))
        );
    }
}
