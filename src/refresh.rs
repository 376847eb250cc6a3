//! Keeping the month in progress current: the documents last read, re-checked with `If-None-Match`.
//!
//! The load keeps each document's bytes and `ETag` in [`Held`]; a re-check asks for each with
//! its tag, and only when one of them changed does the core evaluate again (with the held
//! bytes of the others). Failures of a re-check leave the shown report as it is: the
//! "updated N s ago" line then says how old it is, and the next tick tries again.

use std::cell::RefCell;
use std::rc::Rc;

use sla_rules::Evaluation;

use crate::api::{fetch_document, Cancel, FetchError, Fetched, Known};
use crate::load::{self, LoadError};
use crate::options::{FetchKey, Options};

/// One document as last read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeldDoc {
    pub bytes: Rc<Vec<u8>>,
    pub etag: Option<String>,
}

/// The documents behind the report on screen: usage, incidents and (optional) policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    pub usage: HeldDoc,
    pub incidents: HeldDoc,
    /// `None`: no policy URL, or the server had none (404).
    pub policy: Option<HeldDoc>,
    /// The options' [`FetchKey`] these were read for: a hand-over resumes from them only
    /// while the options still ask for the same documents.
    pub source: Option<FetchKey>,
}

impl Held {
    /// What a first load brought (no conditional header, so each answer is a body, or the
    /// policy's 404), read for `source`.
    pub fn loaded(u: Fetched, i: Fetched, p: Option<Fetched>, source: FetchKey) -> Held {
        let doc = |f: Fetched| match f {
            Fetched::Body { bytes, etag } => HeldDoc {
                bytes: Rc::new(bytes),
                etag,
            },
            Fetched::NotModified | Fetched::Missing => HeldDoc::default(),
        };
        Held {
            usage: doc(u),
            incidents: doc(i),
            policy: p.map(doc).filter(|d| !d.bytes.is_empty()),
            source: Some(source),
        }
    }

    /// Takes what a fetch brought; true when the held bytes changed. A 200 with the same
    /// bytes (a server without ETags) is no change, so nothing is evaluated again.
    fn take(doc: &mut HeldDoc, got: Fetched) -> bool {
        match got {
            Fetched::NotModified => false,
            Fetched::Missing => {
                let changed = !doc.bytes.is_empty();
                *doc = HeldDoc::default();
                changed
            }
            Fetched::Body { bytes, etag } => {
                doc.etag = etag;
                if *doc.bytes == bytes {
                    false
                } else {
                    doc.bytes = Rc::new(bytes);
                    true
                }
            }
        }
    }
}

/// The evaluation instant: the host's fixed `asOf`, else now.
pub fn as_of(opts: &Options) -> String {
    opts.as_of
        .clone()
        .unwrap_or_else(|| String::from(js_sys::Date::new_0().to_iso_string()))
}

/// Evaluates the held documents with the core.
pub fn evaluate(held: &Held, opts: &Options) -> Result<Evaluation, LoadError> {
    let policy_name = opts.policy_url.as_deref().unwrap_or("policy");
    load::evaluate(
        &held.usage.bytes,
        &held.incidents.bytes,
        held.policy.as_ref().map(|p| p.bytes.as_slice()),
        &as_of(opts),
        [&opts.usage_url, &opts.incidents_url, policy_name],
    )
}

/// The documents asked for together (usage, incidents, and the policy when there is a policy
/// URL, where a 404 is allowed), each with what is known of it and its progress callback. The
/// first failure, in that order, is the answer.
pub async fn fetch_all(
    opts: &Options,
    cancel: &Cancel,
    known: [Known<'_>; 3],
    progress: [&dyn Fn(u64, Option<u64>); 3],
) -> Result<(Fetched, Fetched, Option<Fetched>), FetchError> {
    let [ku, ki, kp] = known;
    let [pu, pi, pp] = progress;
    let policy = async {
        match &opts.policy_url {
            Some(url) => fetch_document(url, opts, cancel, true, kp, pp)
                .await
                .map(Some),
            None => Ok(None),
        }
    };
    let (u, i, p) = futures::join!(
        fetch_document(&opts.usage_url, opts, cancel, false, ku, pu),
        fetch_document(&opts.incidents_url, opts, cancel, false, ki, pi),
        policy
    );
    Ok((u?, i?, p?))
}

/// Asks for each document with its `ETag`. `Ok(None)`: nothing changed (all 304, or the
/// same bytes); `Ok(Some(ev))`: a document changed and this is the new evaluation.
pub async fn recheck(
    opts: &Options,
    held: &RefCell<Held>,
    cancel: &Cancel,
) -> Result<Option<Evaluation>, LoadError> {
    let tags = {
        let h = held.borrow();
        (
            h.usage.etag.clone(),
            h.incidents.etag.clone(),
            h.policy.as_ref().and_then(|p| p.etag.clone()),
        )
    };
    let none = |_: u64, _: Option<u64>| {};
    let (u, i, p) = fetch_all(
        opts,
        cancel,
        [
            Known::etag(tags.0.as_deref()),
            Known::etag(tags.1.as_deref()),
            Known::etag(tags.2.as_deref()),
        ],
        [&none; 3],
    )
    .await
    .map_err(LoadError::Fetch)?;
    if cancel.is_cancelled() {
        return Err(LoadError::Fetch(FetchError::Cancelled));
    }
    let mut h = held.borrow_mut();
    let mut changed = Held::take(&mut h.usage, u);
    changed |= Held::take(&mut h.incidents, i);
    if let Some(p) = p {
        let mut doc = h.policy.take().unwrap_or_default();
        changed |= Held::take(&mut doc, p);
        h.policy = (!doc.bytes.is_empty()).then_some(doc);
    }
    if !changed {
        return Ok(None);
    }
    evaluate(&h, opts).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(b: &[u8], tag: &str) -> Fetched {
        Fetched::Body {
            bytes: b.to_vec(),
            etag: Some(tag.into()),
        }
    }

    #[test]
    fn only_new_bytes_count_as_a_change() {
        let mut d = HeldDoc::default();
        assert!(Held::take(&mut d, body(b"{}", "\"a\"")));
        assert!(!Held::take(&mut d, Fetched::NotModified));
        // A server without validators answers 200 with the same bytes: no re-evaluation.
        assert!(!Held::take(&mut d, body(b"{}", "\"a\"")));
        assert!(Held::take(&mut d, body(b"{\"x\":1}", "\"b\"")));
        assert_eq!(d.etag.as_deref(), Some("\"b\""));
        assert!(Held::take(&mut d, Fetched::Missing), "a policy removed");
        assert!(!Held::take(&mut d, Fetched::Missing));
    }
}
