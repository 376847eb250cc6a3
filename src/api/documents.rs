//! The three documents: asked for plainly, conditionally (re-checks), or read from a response
//! the host requested itself (`responses`).

use std::cell::RefCell;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use super::transport::{request, Call, Cancel, Failure};
use crate::options::Options;

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
