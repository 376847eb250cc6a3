//! The widget's one HTTP path. Every call (the three documents, the claims list, a claim, a
//! subscription) goes through [`request`], which sets credentials and headers from the
//! options, aborts on its timeout and when its [`Cancel`] fires (unmount, retry), and reads
//! the body as bytes chunk by chunk (no JS string is made; a 5 MB usage file reports progress).
//! The errors every API shares are [`ApiError`]'s.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::{Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use sla_rules::wire::ErrorCode;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestInit, Response};

use crate::options::{Credentials, Options};

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

    pub(crate) fn watch(&self, c: &AbortController) {
        if self.is_cancelled() {
            c.abort();
        } else {
            self.controllers.borrow_mut().push(c.clone());
        }
    }

    /// A finished request is no longer aborted by this switch: aborting a completed
    /// fetch changes nothing for the page, but the browser then discards its response
    /// (and a host's or a test's view of it) as cancelled.
    pub(crate) fn forget(&self, c: &AbortController) {
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
export function cancel_quietly(reader) {
  // The stream failed already (aborted): its cancel() rejects, and that is nobody's error.
  reader.cancel().catch(() => {});
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
    fn cancel_quietly(reader: &ReadableStreamDefaultReader);
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
                cancel_quietly(&reader);
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

pub(crate) fn js_message(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// What went wrong with a call to the claims or subscriptions API, in the terms they share:
/// the transport's failures and the statuses that mean the same on every endpoint. Each API
/// adds its own refusals on top (`ClaimError`, `SubsError`), so a webhook's error cannot be a
/// claim's (`claim_id_reused`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiError {
    /// 429: too many requests; `retry_after` seconds from `Retry-After` or
    /// `details.retry_after`.
    RateLimited { retry_after: Option<u64> },
    /// 401.
    Unauthorized,
    /// 403 `forbidden` / `contract_mismatch`.
    Forbidden,
    /// Another refusal; `message` is the server's text.
    Rejected { status: u16, message: String },
    /// 5xx other than a timeout.
    Server { status: u16 },
    /// No answer in time (the widget's timeout, or the server's 503 `timeout`).
    Timeout,
    /// The network failed (offline, connection reset).
    Offline,
    /// The request was cancelled (its component went away): whether it arrived is unknown.
    Cancelled,
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> ApiError {
        match f {
            Failure::Timeout => ApiError::Timeout,
            Failure::Network(_) => ApiError::Offline,
            Failure::Cancelled => ApiError::Cancelled,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct ErrorDoc {
    pub(crate) error: ErrorBody,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    // A body without a code still has a message to show.
    #[serde(default = "other_code")]
    pub(crate) code: ErrorCode,
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) details: serde_json::Value,
}

fn other_code() -> ErrorCode {
    ErrorCode::Other
}

/// The `{"error":{code,message,details}}` body of an answer, if it is one.
pub(crate) fn error_body(body: &[u8]) -> Option<ErrorBody> {
    serde_json::from_slice::<ErrorDoc>(body)
        .ok()
        .map(|d| d.error)
}

impl ApiError {
    /// The meaning every endpoint gives a non-2xx answer: 429 (with its wait from
    /// `Retry-After`, else `details.retry_after`), 401, 403, a timeout, 5xx; anything else is
    /// a refusal with the server's message. A body that is not the error document (a proxy's
    /// HTML page) still yields the status's meaning.
    pub fn of_answer(a: &Answer) -> ApiError {
        ApiError::of(a.status, &a.body, a.retry_after)
    }

    /// [`ApiError::of_answer`] from its parts; `retry_after`: the `Retry-After` header's.
    pub fn of(status: u16, body: &[u8], retry_after: Option<u64>) -> ApiError {
        let e = error_body(body);
        let code = e.as_ref().map(|e| e.code).unwrap_or(ErrorCode::Other);
        match (status, code) {
            (429, _) => ApiError::RateLimited {
                retry_after: retry_after.or_else(|| {
                    e.as_ref()
                        .and_then(|e| e.details.get("retry_after"))
                        .and_then(|v| v.as_u64())
                }),
            },
            (401, _) => ApiError::Unauthorized,
            (403, _) => ApiError::Forbidden,
            (503, ErrorCode::Timeout) | (504, _) | (408, _) => ApiError::Timeout,
            (s, _) if s >= 500 => ApiError::Server { status: s },
            (s, _) => ApiError::Rejected {
                status: s,
                message: e.map(|e| e.message).unwrap_or_default(),
            },
        }
    }
}
