//! The subscriptions API (webhooks): list, create, delete. Its refusals are [`ApiError`]'s
//! only: its 4xx codes are not the claims' (a 422 there is a bad URL, not other figures).

use super::transport::{request, Answer, ApiError, Call, Cancel, Method};
use crate::options::Options;

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
    Failed(ApiError),
}

/// A refusal of the subscriptions API: what its status means everywhere, with the server's
/// own message for the rest.
fn subs_refusal(a: &Answer) -> SubsError {
    SubsError::Failed(ApiError::of_answer(a))
}

fn subs_failure(f: super::transport::Failure) -> SubsError {
    SubsError::Failed(f.into())
}

fn subs_body<T: serde::de::DeserializeOwned>(a: &Answer) -> Result<T, SubsError> {
    serde_json::from_slice(&a.body).map_err(|e| {
        SubsError::Failed(ApiError::Rejected {
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
        SubsError::Failed(ApiError::Rejected {
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
        // A 409 with the claims' code is a refusal like any other here, never `IdReused`.
        let reused = r#"{"error":{"code":"claim_id_reused","message":"in use","details":{}}}"#;
        assert_eq!(
            subs_refusal(&answer(409, reused)),
            SubsError::Failed(ApiError::Rejected {
                status: 409,
                message: "in use".into()
            })
        );
        let bad = r#"{"error":{"code":"invalid_url","message":"only https:// URLs","details":{}}}"#;
        assert_eq!(
            subs_refusal(&answer(422, bad)),
            SubsError::Failed(ApiError::Rejected {
                status: 422,
                message: "only https:// URLs".into()
            })
        );
        assert_eq!(
            subs_refusal(&answer(401, "")),
            SubsError::Failed(ApiError::Unauthorized)
        );
        let mut limited = answer(429, "{}");
        limited.retry_after = Some(7);
        assert_eq!(
            subs_refusal(&limited),
            SubsError::Failed(ApiError::RateLimited {
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
