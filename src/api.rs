//! The widget's one HTTP path. Every call (the three documents, the claims list, a claim)
//! goes through [`request`], which sets credentials and headers from the options, aborts
//! on its timeout and when its [`Cancel`] fires (unmount, retry), and reads the body as
//! bytes chunk by chunk (no JS string is made; a 5 MB usage file reports progress).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::{Object, Reflect, Uint8Array};
use sla_rules::claims::{parse_claims_list, ClaimRecord, ClaimRequest};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestInit, Response};

use crate::claims_api::{classify, server_message, ClaimError};
use crate::options::{Credentials, Options};

/// Responses the host requested for the documents before the widget could (`responses` in
/// the mount options: `{ usage?, incidents?, policy? }`, each a `Response` or a promise of
/// one). Each is read at most once, by the first load; re-checks and retries fetch.
#[derive(Debug, Default)]
pub struct Responses(RefCell<Vec<(&'static str, JsValue)>>);

impl PartialEq for Responses {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Responses {
    /// Reads `options.responses`; `None` when absent.
    pub fn from_options(options: &JsValue) -> Result<Option<Responses>, String> {
        let all = Reflect::get(options, &"responses".into()).unwrap_or(JsValue::UNDEFINED);
        if all.is_undefined() || all.is_null() {
            return Ok(None);
        }
        if !all.is_object() {
            return Err("responses: expected an object".into());
        }
        let mut docs = Vec::new();
        for doc in ["usage", "incidents", "policy"] {
            let v = Reflect::get(&all, &doc.into()).unwrap_or(JsValue::UNDEFINED);
            if v.is_undefined() || v.is_null() {
                continue;
            }
            if !v.is_object() {
                return Err(format!(
                    "responses.{doc}: expected a Response or a promise of one"
                ));
            }
            docs.push((doc, v));
        }
        Ok(Some(Responses(RefCell::new(docs))))
    }

    /// The response given for `doc`, once.
    pub fn take(&self, doc: &str) -> Option<JsValue> {
        let mut docs = self.0.borrow_mut();
        let i = docs.iter().position(|(d, _)| *d == doc)?;
        Some(docs.swap_remove(i).1)
    }
}

/// Aborts every request made with it: a widget's load on unmount or retry, the claims
/// list and a claim when their component goes away. Clones share one switch.
#[derive(Clone, Default)]
pub struct Cancel {
    cancelled: Rc<Cell<bool>>,
    controllers: Rc<RefCell<Vec<AbortController>>>,
}

impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cancelled, &other.cancelled)
    }
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Stops every request of this switch, running or still to come; their results are dropped.
    pub fn abort(&self) {
        self.cancelled.set(true);
        for c in self.controllers.borrow_mut().drain(..) {
            c.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }

    fn watch(&self, c: &AbortController) {
        if self.is_cancelled() {
            c.abort();
        } else {
            self.controllers.borrow_mut().push(c.clone());
        }
    }

    /// A finished request is no longer aborted by this switch: aborting a completed
    /// fetch changes nothing for the page, but the browser then discards its response
    /// (and a host's or a test's view of it) as cancelled.
    fn forget(&self, c: &AbortController) {
        self.controllers
            .borrow_mut()
            .retain(|x| !Object::is(x.as_ref(), c.as_ref()));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

/// One HTTP call.
pub struct Call<'a> {
    pub method: Method,
    pub url: &'a str,
    /// A JSON body (sent with `Content-Type: application/json`).
    pub body: Option<&'a str>,
    /// Called with (bytes received, `Content-Length`) as the body streams in.
    pub on_progress: Option<&'a dyn Fn(u64, Option<u64>)>,
    /// An `ETag` from an earlier answer: an unchanged document then costs a 304. (A
    /// conditional header makes the browser bypass its HTTP cache, so the 304 reaches us.)
    pub if_none_match: Option<&'a str>,
    /// A response (or a promise of one) the host requested itself before the widget could
    /// (the `responses` option): read instead of fetching when it is for this URL.
    pub adopt: Option<&'a JsValue>,
}

#[wasm_bindgen(inline_js = r#"
export function adopt_response(p, url, signal) {
  // Only a response for this very URL (after redirects, none) stands in for the widget's
  // own request; anything else, or a failed request, is ignored and the widget fetches.
  const want = new URL(url, document.baseURI).href;
  return until_abort(Promise.resolve(p).then(
    (r) => (r instanceof Response && r.url === want && !r.bodyUsed ? r : null),
    () => null), signal);
}
export function until_abort(p, signal) {
  // The host's request does not follow the widget's AbortSignal: the wait for it does.
  return new Promise((resolve, reject) => {
    const abort = () => reject(new DOMException("The operation was aborted.", "AbortError"));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    p.then(resolve, reject);
  });
}
"#)]
extern "C" {
    fn adopt_response(p: &JsValue, url: &str, signal: &web_sys::AbortSignal) -> js_sys::Promise;
    fn until_abort(p: &js_sys::Promise, signal: &web_sys::AbortSignal) -> js_sys::Promise;
}

impl<'a> Call<'a> {
    pub fn get(url: &'a str) -> Call<'a> {
        Call {
            method: Method::Get,
            url,
            body: None,
            on_progress: None,
            if_none_match: None,
            adopt: None,
        }
    }

    pub fn post_json(url: &'a str, body: &'a str) -> Call<'a> {
        Call {
            method: Method::Post,
            url,
            body: Some(body),
            on_progress: None,
            if_none_match: None,
            adopt: None,
        }
    }
}

/// Any answer at all: its status and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// `Retry-After` in whole seconds, when the server sent the delta-seconds form (429, 503).
    pub retry_after: Option<u64>,
    /// The `ETag` of the answer, for a later `If-None-Match`.
    pub etag: Option<String>,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No complete answer within `timeout_ms`.
    Timeout,
    /// The network failed (offline, CORS, DNS, connection reset).
    Network(String),
    /// Cancelled: nobody is waiting for the answer any more.
    Cancelled,
}

/// Sends `call` with the options' credentials and headers and reads the whole answer.
pub async fn request(opts: &Options, call: Call<'_>, cancel: &Cancel) -> Result<Answer, Failure> {
    if cancel.is_cancelled() {
        return Err(Failure::Cancelled);
    }
    let controller = AbortController::new().map_err(|e| Failure::Network(js_message(&e)))?;
    cancel.watch(&controller);
    let fired = Rc::new(Cell::new(false));
    // Dropped (and so cleared) when this function returns, whatever the outcome.
    let _deadline = {
        let (fired, controller) = (fired.clone(), controller.clone());
        Timeout::new(opts.timeout_ms, move || {
            fired.set(true);
            controller.abort();
        })
    };
    let result = send(opts, &call, &controller).await;
    cancel.forget(&controller);
    result.map_err(|e| {
        if fired.get() {
            Failure::Timeout
        } else if cancel.is_cancelled() {
            Failure::Cancelled
        } else {
            Failure::Network(js_message(&e))
        }
    })
}

async fn send(
    opts: &Options,
    call: &Call<'_>,
    controller: &AbortController,
) -> Result<Answer, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let init = RequestInit::new();
    init.set_method(match call.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    });
    init.set_credentials(match opts.credentials {
        Credentials::Omit => web_sys::RequestCredentials::Omit,
        Credentials::SameOrigin => web_sys::RequestCredentials::SameOrigin,
        Credentials::Include => web_sys::RequestCredentials::Include,
    });
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "application/json")?;
    for (k, v) in &opts.headers {
        headers.set(k, v)?;
    }
    if let Some(tag) = call.if_none_match {
        headers.set("If-None-Match", tag)?;
    }
    if let Some(b) = call.body {
        headers.set("Content-Type", "application/json")?;
        init.set_body(&JsValue::from_str(b));
    }
    init.set_headers(&headers);
    let signal = controller.signal();
    init.set_signal(Some(&signal));
    let adopted = match call.adopt {
        Some(p) => JsFuture::from(adopt_response(p, call.url, &signal)).await?,
        None => JsValue::NULL,
    };
    let (resp, abortable): (Response, bool) = if adopted.is_null() {
        let r = JsFuture::from(window.fetch_with_str_and_init(call.url, &init)).await?;
        (r.dyn_into()?, true)
    } else {
        (adopted.dyn_into()?, false)
    };
    let status = resp.status();
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    let retry_after = header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok());
    let etag = header("ETag");
    let body = read_body(&resp, call.on_progress, (!abortable).then_some(&signal)).await?;
    Ok(Answer {
        status,
        body,
        retry_after,
        etag,
    })
}

/// The body as bytes, read from its stream so that progress can be shown.
/// `watch`: for a response the host fetched, the signal that ends the wait for each chunk
/// (the widget's own fetch stops its body by itself when aborted).
async fn read_body(
    resp: &Response,
    on_progress: Option<&dyn Fn(u64, Option<u64>)>,
    watch: Option<&web_sys::AbortSignal>,
) -> Result<Vec<u8>, JsValue> {
    let total = resp
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    let Some(body) = resp.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut buf: Vec<u8> = Vec::with_capacity(total.unwrap_or(0).min(64 << 20) as usize);
    let progress = |n: u64| {
        if let Some(f) = on_progress {
            f(n, total)
        }
    };
    progress(0);
    loop {
        let read = match watch {
            Some(signal) => until_abort(&reader.read(), signal),
            None => reader.read(),
        };
        let chunk: Object = match JsFuture::from(read).await {
            Ok(c) => c.dyn_into()?,
            Err(e) => {
                // Give the host's connection back rather than leave it streaming.
                let _ = reader.cancel();
                return Err(e);
            }
        };
        if Reflect::get(&chunk, &"done".into())?
            .as_bool()
            .unwrap_or(true)
        {
            break;
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())?.dyn_into()?;
        let start = buf.len();
        buf.resize(start + bytes.length() as usize, 0);
        bytes.copy_to(&mut buf[start..]);
        progress(buf.len() as u64);
    }
    Ok(buf)
}

fn js_message(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Why a document could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The server answered with a status outside 200–299.
    Http { url: String, status: u16 },
    /// No complete answer within the timeout.
    Timeout { url: String, seconds: u32 },
    /// The network failed (offline, CORS, DNS, connection reset).
    Network { url: String, detail: String },
    /// The widget was unmounted or the load restarted: nobody is waiting.
    Cancelled,
}

/// What a (conditional) document request brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A new body, with the `ETag` to send next time.
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
    },
    /// 304: the copy we hold is current.
    NotModified,
    /// 404 where that is allowed (the optional policy).
    Missing,
}

/// What the widget already holds of a document when it asks for it.
#[derive(Clone, Copy)]
pub enum Known<'a> {
    /// Nothing: a plain request.
    Nothing,
    /// The `ETag` of the copy it holds (a re-check): an unchanged document costs a 304.
    ETag(&'a str),
    /// A response the host requested for it (`responses`, the first load only).
    Response(&'a JsValue),
}

impl<'a> Known<'a> {
    /// The tag of the copy held, if any.
    pub fn etag(tag: Option<&'a str>) -> Known<'a> {
        tag.map_or(Known::Nothing, Known::ETag)
    }

    /// The host's response for the document, if it gave one.
    pub fn response(r: Option<&'a JsValue>) -> Known<'a> {
        r.map_or(Known::Nothing, Known::Response)
    }
}

/// A document: asked for plainly, conditionally, or read from the host's response.
pub async fn fetch_document(
    url: &str,
    opts: &Options,
    cancel: &Cancel,
    allow_404: bool,
    known: Known<'_>,
    on_progress: &dyn Fn(u64, Option<u64>),
) -> Result<Fetched, FetchError> {
    let (etag, adopt) = match known {
        Known::Nothing => (None, None),
        Known::ETag(t) => (Some(t), None),
        Known::Response(r) => (None, Some(r)),
    };
    let call = Call {
        on_progress: Some(on_progress),
        if_none_match: etag,
        adopt,
        ..Call::get(url)
    };
    match request(opts, call, cancel).await {
        Ok(a) if allow_404 && a.status == 404 => Ok(Fetched::Missing),
        Ok(a) if etag.is_some() && a.status == 304 => Ok(Fetched::NotModified),
        Ok(a) if a.ok() => Ok(Fetched::Body {
            bytes: a.body,
            etag: a.etag,
        }),
        Ok(a) => Err(FetchError::Http {
            url: url.to_string(),
            status: a.status,
        }),
        Err(Failure::Timeout) => Err(FetchError::Timeout {
            url: url.to_string(),
            seconds: opts.timeout_ms.div_ceil(1000),
        }),
        Err(Failure::Network(detail)) => Err(FetchError::Network {
            url: url.to_string(),
            detail,
        }),
        Err(Failure::Cancelled) => Err(FetchError::Cancelled),
    }
}

thread_local! {
    /// Claims being sent by any widget on the page: the documents are not re-checked
    /// meanwhile, so a report never changes under a claim on its way.
    static CLAIMS_IN_FLIGHT: Cell<u32> = const { Cell::new(0) };
}

/// Whether a claim is on its way (see `CLAIMS_IN_FLIGHT`).
pub fn claim_in_flight() -> bool {
    CLAIMS_IN_FLIGHT.with(|n| n.get() > 0)
}

/// Counts one claim in flight for as long as it lives, whatever way the send ends.
struct InFlight;

impl InFlight {
    fn start() -> InFlight {
        CLAIMS_IN_FLIGHT.with(|n| n.set(n.get() + 1));
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        CLAIMS_IN_FLIGHT.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

fn claim_failure(f: Failure) -> ClaimError {
    match f {
        Failure::Timeout => ClaimError::Timeout,
        Failure::Network(_) => ClaimError::Offline,
        Failure::Cancelled => ClaimError::Cancelled,
    }
}

/// The claims list as read, with its tag for the next conditional read.
pub struct Listed {
    pub claims: Vec<ClaimRecord>,
    pub etag: Option<String>,
}

/// `GET claimsUrl`: the claims of the caller's contract. With the tag of the list held,
/// `Ok(None)` means it has not changed (304).
pub async fn list_claims(
    opts: &Options,
    url: &str,
    held: Option<&str>,
    cancel: &Cancel,
) -> Result<Option<Listed>, ClaimError> {
    let call = Call {
        if_none_match: held,
        ..Call::get(url)
    };
    let a = request(opts, call, cancel).await.map_err(claim_failure)?;
    if a.status == 304 && held.is_some() {
        return Ok(None);
    }
    if !a.ok() {
        return Err(refusal(&a));
    }
    let claims = parse_claims_list(&a.body).map_err(|message| ClaimError::Rejected {
        status: a.status,
        message,
    })?;
    Ok(Some(Listed {
        claims,
        etag: a.etag,
    }))
}

/// `POST claimsUrl`: the filed claim on 201 (new) or 200 (the same request again).
pub async fn file_claim(
    opts: &Options,
    url: &str,
    claim: &ClaimRequest,
    cancel: &Cancel,
) -> Result<ClaimRecord, ClaimError> {
    let body = serde_json::to_string(claim).map_err(|e| ClaimError::Rejected {
        status: 0,
        message: e.to_string(),
    })?;
    let _sending = InFlight::start();
    let a = request(opts, Call::post_json(url, &body), cancel)
        .await
        .map_err(claim_failure)?;
    if a.status == 200 || a.status == 201 {
        serde_json::from_slice(&a.body).map_err(|e| ClaimError::Rejected {
            status: a.status,
            message: e.to_string(),
        })
    } else {
        Err(refusal(&a))
    }
}

/// A webhook subscription as the server lists it (`GET/POST subscriptionsUrl`). Fields the
/// widget does not show are ignored, so a newer server's additions do no harm.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub created_at: String,
}

/// What the subscriptions API answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubsError {
    /// 404 on the collection: a server without subscriptions (older than #11).
    Unavailable,
    Failed(ClaimError),
}

/// A refusal of the subscriptions API. Its 4xx codes are not the claims' (a 422 there is
/// a bad URL, not other figures), so only the statuses that mean the same everywhere keep
/// their meaning; the rest show the server's own message.
fn subs_refusal(a: &Answer) -> SubsError {
    SubsError::Failed(match refusal(a) {
        e @ (ClaimError::Unauthorized
        | ClaimError::Forbidden
        | ClaimError::RateLimited { .. }
        | ClaimError::Timeout
        | ClaimError::Server { .. }) => e,
        _ => ClaimError::Rejected {
            status: a.status,
            message: server_message(&a.body),
        },
    })
}

fn subs_failure(f: Failure) -> SubsError {
    SubsError::Failed(claim_failure(f))
}

fn subs_body<T: serde::de::DeserializeOwned>(a: &Answer) -> Result<T, SubsError> {
    serde_json::from_slice(&a.body).map_err(|e| {
        SubsError::Failed(ClaimError::Rejected {
            status: a.status,
            message: e.to_string(),
        })
    })
}

/// `GET subscriptionsUrl` → `{"subscriptions": […]}`.
pub async fn list_subscriptions(
    opts: &Options,
    url: &str,
    cancel: &Cancel,
) -> Result<Vec<Subscription>, SubsError> {
    #[derive(serde::Deserialize)]
    struct List {
        subscriptions: Vec<Subscription>,
    }
    let a = request(opts, Call::get(url), cancel)
        .await
        .map_err(subs_failure)?;
    match a.status {
        404 => Err(SubsError::Unavailable),
        200 => subs_body::<List>(&a).map(|l| l.subscriptions),
        _ => Err(subs_refusal(&a)),
    }
}

/// The body of `POST subscriptionsUrl`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewSubscription {
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
}

/// `POST subscriptionsUrl` → 201 `{"subscription": {…}, "secret": "whsec_…"}`. The secret is
/// returned to the caller only, to be shown once and never stored.
pub async fn create_subscription(
    opts: &Options,
    url: &str,
    new: &NewSubscription,
    cancel: &Cancel,
) -> Result<(Subscription, String), SubsError> {
    #[derive(serde::Deserialize)]
    struct Created {
        subscription: Subscription,
        #[serde(default)]
        secret: String,
    }
    let body = serde_json::to_string(new).map_err(|e| {
        SubsError::Failed(ClaimError::Rejected {
            status: 0,
            message: e.to_string(),
        })
    })?;
    let a = request(opts, Call::post_json(url, &body), cancel)
        .await
        .map_err(subs_failure)?;
    match a.status {
        200 | 201 => subs_body::<Created>(&a).map(|c| (c.subscription, c.secret)),
        404 => Err(SubsError::Unavailable),
        _ => Err(subs_refusal(&a)),
    }
}

/// `DELETE subscriptionsUrl/{id}` → 204. A 404 means it is gone already: the same outcome.
pub async fn delete_subscription(
    opts: &Options,
    url: &str,
    id: &str,
    cancel: &Cancel,
) -> Result<(), SubsError> {
    let target = subscription_url(url, id);
    let call = Call {
        method: Method::Delete,
        ..Call::get(&target)
    };
    let a = request(opts, call, cancel).await.map_err(subs_failure)?;
    if a.ok() || a.status == 404 {
        Ok(())
    } else {
        Err(subs_refusal(&a))
    }
}

/// `{collection}/{id}`, the id percent-encoded (it comes from the server, but it is data),
/// and a query on the collection URL kept after the path.
pub fn subscription_url(collection: &str, id: &str) -> String {
    let id: String = id
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    crate::options::with_path(collection, |path| {
        Some(format!("{}/{id}", path.trim_end_matches('/')))
    })
    .unwrap_or_default()
}

/// The error for a non-2xx answer: the body's meaning, with a 429's wait taken from
/// `Retry-After` when the server sent it (the header is what proxies and servers agree on;
/// `details.retry_after` is the fallback).
fn refusal(a: &Answer) -> ClaimError {
    match classify(a.status, &a.body) {
        ClaimError::RateLimited { retry_after } => ClaimError::RateLimited {
            retry_after: a.retry_after.or(retry_after),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.as_bytes().to_vec(),
            retry_after: None,
            etag: None,
        }
    }

    #[test]
    fn subscription_refusals_show_the_servers_message() {
        let bad = r#"{"error":{"code":"invalid_url","message":"only https:// URLs","details":{}}}"#;
        assert_eq!(
            subs_refusal(&answer(422, bad)),
            SubsError::Failed(ClaimError::Rejected {
                status: 422,
                message: "only https:// URLs".into()
            })
        );
        assert_eq!(
            subs_refusal(&answer(401, "")),
            SubsError::Failed(ClaimError::Unauthorized)
        );
        let mut limited = answer(429, "{}");
        limited.retry_after = Some(7);
        assert_eq!(
            subs_refusal(&limited),
            SubsError::Failed(ClaimError::RateLimited {
                retry_after: Some(7)
            })
        );
    }

    #[test]
    fn a_subscription_is_under_its_collection() {
        assert_eq!(
            subscription_url("/api/v1/subscriptions", "sub_1"),
            "/api/v1/subscriptions/sub_1"
        );
        assert_eq!(
            subscription_url("/s/?client=a", "a/b c"),
            "/s/a%2Fb%20c?client=a"
        );
    }
}
