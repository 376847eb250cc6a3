//! Streamed fetches with progress, timeouts and cancellation: bytes in, typed errors out.
//!
//! Bodies are read chunk by chunk from the `ReadableStream` so a 5 MB usage file
//! shows progress, and kept as bytes (no JS string is made: copying strings into
//! wasm costs more than bytes). One `Cancel` aborts every request of one load.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestInit, Response};

use crate::options::{Credentials, Options};

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

/// Aborts the requests of one load: on unmount, on retry, on timeout.
#[derive(Clone)]
pub struct Cancel {
    controller: Option<AbortController>,
    cancelled: Rc<Cell<bool>>,
    timed_out: Rc<RefCell<Option<String>>>,
}

impl Default for Cancel {
    fn default() -> Self {
        Self::new()
    }
}

impl Cancel {
    pub fn new() -> Cancel {
        Cancel {
            controller: AbortController::new().ok(),
            cancelled: Rc::new(Cell::new(false)),
            timed_out: Rc::new(RefCell::new(None)),
        }
    }

    /// Stops every request of this load; later results are dropped.
    pub fn abort(&self) {
        self.cancelled.set(true);
        if let Some(c) = &self.controller {
            c.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }

    fn time_out(&self, url: &str) {
        self.timed_out.borrow_mut().get_or_insert(url.to_string());
        if let Some(c) = &self.controller {
            c.abort();
        }
    }
}

/// A `setTimeout` that is cleared when dropped (shared by every request with a deadline).
pub(crate) struct Timer {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timer {
    pub(crate) fn new(ms: u32, f: impl FnMut() + 'static) -> Option<Timer> {
        let closure = Closure::<dyn FnMut()>::new(f);
        let id = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                ms.min(i32::MAX as u32) as i32,
            )
            .ok()?;
        Some(Timer {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(self.id);
        }
    }
}

/// Resolves after the browser has had a turn (to paint the "computing" state).
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The body of a successful answer, or `None` for a 404 when `allow_404`.
pub async fn fetch_bytes(
    url: &str,
    opts: &Options,
    cancel: &Cancel,
    allow_404: bool,
    on_progress: &dyn Fn(u64, Option<u64>),
) -> Result<Option<Vec<u8>>, FetchError> {
    let c = cancel.clone();
    let u = url.to_string();
    let _timer = Timer::new(opts.timeout_ms, move || c.time_out(&u));
    let result = fetch_inner(url, opts, cancel, allow_404, on_progress).await;
    result.map_err(|e| match e {
        Inner::Status(status) => FetchError::Http {
            url: url.to_string(),
            status,
        },
        Inner::Js(v) => {
            if let Some(t) = cancel.timed_out.borrow().clone() {
                FetchError::Timeout {
                    url: t,
                    seconds: opts.timeout_ms.div_ceil(1000),
                }
            } else if cancel.is_cancelled() {
                FetchError::Cancelled
            } else {
                FetchError::Network {
                    url: url.to_string(),
                    detail: js_message(&v),
                }
            }
        }
    })
}

enum Inner {
    Status(u16),
    Js(JsValue),
}

impl From<JsValue> for Inner {
    fn from(v: JsValue) -> Inner {
        Inner::Js(v)
    }
}

fn js_message(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

async fn fetch_inner(
    url: &str,
    opts: &Options,
    cancel: &Cancel,
    allow_404: bool,
    on_progress: &dyn Fn(u64, Option<u64>),
) -> Result<Option<Vec<u8>>, Inner> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let init = RequestInit::new();
    init.set_method("GET");
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
    init.set_headers(&headers);
    if let Some(c) = &cancel.controller {
        init.set_signal(Some(&c.signal()));
    }
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await?
        .dyn_into()?;
    if allow_404 && resp.status() == 404 {
        return Ok(None);
    }
    if !resp.ok() {
        return Err(Inner::Status(resp.status()));
    }
    let total = resp
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    let Some(body) = resp.body() else {
        return Ok(Some(Vec::new()));
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut buf: Vec<u8> = Vec::with_capacity(total.unwrap_or(0).min(64 << 20) as usize);
    on_progress(0, total);
    loop {
        let chunk: Object = JsFuture::from(reader.read()).await?.dyn_into()?;
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
        on_progress(buf.len() as u64, total);
    }
    Ok(Some(buf))
}

/// A `performance.mark` for hosts and the bench (data received, first chart drawn).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}
