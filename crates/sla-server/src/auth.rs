//! Bearer tokens: `tokens.json` maps SHA-256 hashes of tokens to clients (or, with
//! `"role": "operator"`, to operators), so the file holds no usable secret, and a
//! token is looked up in constant time.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The `Authorization: Bearer` token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
}

/// Who sent a request, once its token is checked: a client (its staff or a service
/// account) or an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The client id for a client; the operator's name (a static token's entry, or
    /// a JWT's `sub`) for an operator.
    pub name: String,
    pub role: Role,
    /// A JWT's `sla_contracts`: the only contracts of the client this caller sees.
    /// `None`: all of them.
    pub contracts: Option<Vec<String>>,
    /// What the rate limit is keyed by: the static token's entry, or the JWT's
    /// issuer and subject, so a refreshed token keeps its holder's bucket.
    pub key: String,
}

impl Principal {
    /// Whether this caller may see contract `id` of its client.
    pub fn sees(&self, id: &str) -> bool {
        self.contracts
            .as_ref()
            .is_none_or(|c| c.iter().any(|x| x == id))
    }
}

/// What the token of a request proved.
#[derive(Debug, Clone)]
pub enum Identity {
    /// A valid static token or JWT.
    Known(Principal),
    /// No token, or one that failed a check (always the same 401; the reason is logged).
    Refused,
    /// A JWT while the identity provider's keys are not loaded yet: 503 with
    /// `Retry-After` (seconds).
    Unavailable(u64),
}

/// A request's identity, once looked up: the rate limiter stores it in the
/// request's extensions and the route extractors read it from there, so a token
/// is hashed, compared or verified once per request.
#[derive(Debug, Clone)]
pub struct Identified(pub Identity);

/// Who a request's token belongs to: the stored lookup when there is one, else a
/// lookup now.
pub async fn identify(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    tokens: &Tokens,
    jwt: Option<&crate::jwt::Verifier>,
) -> Identity {
    if let Some(Identified(id)) = extensions.get::<Identified>() {
        return id.clone();
    }
    let Some(token) = bearer(headers) else {
        return Identity::Refused;
    };
    if let Some((id, role)) = tokens.lookup(token) {
        return Identity::Known(Principal {
            name: id.to_string(),
            role,
            contracts: None,
            key: format!("token:{id}"),
        });
    }
    let verdict = match jwt {
        Some(v) if crate::jwt::looks_like_jwt(token) => v.verify(token).await,
        _ => return Identity::Refused,
    };
    match verdict {
        crate::jwt::Verdict::Valid(person) => match principal_of(person) {
            Ok(p) => Identity::Known(p),
            Err(reason) => refused(&reason),
        },
        crate::jwt::Verdict::Refused(reason) => refused(&reason),
        crate::jwt::Verdict::Unavailable(secs) => Identity::Unavailable(secs),
    }
}

/// Every refused JWT is the same answer; only the log says why.
fn refused(reason: &str) -> Identity {
    tracing::info!(reason = %reason, "jwt refused");
    Identity::Refused
}

/// The principal a verified JWT names: an operator (`sla_role: operator`) by its
/// `sub`, else the client `sla_client`, narrowed by `sla_contracts`.
fn principal_of(p: crate::jwt::Person) -> Result<Principal, String> {
    let key = format!("jwt:{} {}", p.iss, p.sub);
    if p.operator {
        return Ok(Principal {
            name: p.sub,
            role: Role::Operator,
            contracts: None,
            key,
        });
    }
    let client = p
        .client
        .filter(|id| valid_client_id(id))
        .ok_or("no valid sla_client")?;
    Ok(Principal {
        name: client,
        role: Role::Client,
        contracts: p.contracts,
        key,
    })
}

/// The error answer of an identity that is not `Known`.
pub fn refusal(id: &Identity) -> Option<crate::errors::ApiError> {
    match id {
        Identity::Known(_) => None,
        Identity::Refused => Some(crate::errors::ApiError::unauthorized()),
        Identity::Unavailable(secs) => Some(crate::errors::ApiError::identity_unavailable(*secs)),
    }
}

#[derive(Deserialize)]
struct TokensDoc {
    tokens: Vec<TokenDoc>,
}

#[derive(Deserialize)]
struct TokenDoc {
    /// The client id, or the operator's name for an operator token.
    client: String,
    /// Absent: a client known to the server (swept, webhooks) that signs in with
    /// JWTs only; such an entry matches no token.
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

/// What a token may do: a client reads its documents and files claims; an
/// operator reviews claims and can do nothing a client can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Client,
    Operator,
}

/// The token table.
#[derive(Debug, Clone)]
pub struct Tokens {
    entries: Vec<(String, Option<[u8; 32]>, Role)>,
}

/// Whether `id` can name a client directory: it becomes a path segment.
pub fn valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !id.starts_with('-')
}

pub fn sha256_hex(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks(2).enumerate() {
        let d = |c: u8| (c as char).to_digit(16);
        out[i] = (d(pair[0])? * 16 + d(pair[1])?) as u8;
    }
    Some(out)
}

impl Tokens {
    pub fn parse(bytes: &[u8], file: &str) -> Result<Tokens, String> {
        let doc: TokensDoc = serde_json::from_slice(bytes).map_err(|e| format!("{file}: {e}"))?;
        let mut entries = Vec::with_capacity(doc.tokens.len());
        for (i, t) in doc.tokens.into_iter().enumerate() {
            if !valid_client_id(&t.client) {
                return Err(format!(
                    "{file}: tokens[{i}].client: not a valid client id (letters, digits, - and _)"
                ));
            }
            let hash = match &t.sha256 {
                None => None,
                Some(h) => Some(
                    unhex32(h)
                        .ok_or_else(|| format!("{file}: tokens[{i}].sha256: not 64 hex digits"))?,
                ),
            };
            let role = match t.role.as_deref() {
                None | Some("client") => Role::Client,
                Some("operator") => Role::Operator,
                Some(other) => {
                    return Err(format!(
                        "{file}: tokens[{i}].role: {other:?} is neither \"client\" nor \"operator\""
                    ))
                }
            };
            entries.push((t.client, hash, role));
        }
        Ok(Tokens { entries })
    }

    /// Who a token belongs to and in which role. Every entry is compared, in
    /// constant time, so the answer's timing says nothing about which one matched.
    pub fn lookup(&self, token: &str) -> Option<(&str, Role)> {
        let h: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for (id, hash, role) in &self.entries {
            if let Some(hash) = hash {
                if bool::from(hash.ct_eq(&h)) {
                    found = Some((id.as_str(), *role));
                }
            }
        }
        found
    }

    /// The client a client token belongs to (`None` for operator tokens).
    pub fn client_for(&self, token: &str) -> Option<&str> {
        self.lookup(token)
            .filter(|(_, r)| *r == Role::Client)
            .map(|(id, _)| id)
    }

    pub fn clients(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|(_, _, r)| *r == Role::Client)
            .map(|(c, _, _)| c.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_maps_to_its_client_by_hash() {
        // sha256("abc") is the FIPS 180-2 test vector ba7816bf…f20015ad.
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let doc = format!(
            r#"{{"tokens":[{{"client":"acme","sha256":"{}"}},{{"client":"globex","sha256":"{}"}}]}}"#,
            sha256_hex("abc"),
            sha256_hex("xyz")
        );
        let t = Tokens::parse(doc.as_bytes(), "tokens.json").expect("parse");
        assert_eq!(t.client_for("abc"), Some("acme"));
        assert_eq!(t.client_for("xyz"), Some("globex"));
        assert_eq!(t.client_for("abd"), None);
        assert_eq!(t.client_for(""), None);
    }

    #[test]
    fn an_entry_without_a_hash_names_a_client_and_matches_no_token() {
        let doc = format!(
            r#"{{"tokens":[{{"client":"acme","sha256":"{}"}},{{"client":"globex"}}]}}"#,
            sha256_hex("abc")
        );
        let t = Tokens::parse(doc.as_bytes(), "tokens.json").expect("parse");
        assert_eq!(t.clients().collect::<Vec<_>>(), vec!["acme", "globex"]);
        assert_eq!(t.client_for("abc"), Some("acme"));
        assert_eq!(t.client_for(""), None);
        assert_eq!(t.lookup("globex"), None);
    }

    #[test]
    fn a_client_id_that_could_leave_the_data_directory_is_refused() {
        for bad in ["../etc", "a/b", "", ".", "-x"] {
            let doc = format!(
                r#"{{"tokens":[{{"client":"{bad}","sha256":"{}"}}]}}"#,
                sha256_hex("t")
            );
            assert!(Tokens::parse(doc.as_bytes(), "t.json").is_err(), "{bad}");
        }
        let short = r#"{"tokens":[{"client":"a","sha256":"abcd"}]}"#;
        assert!(Tokens::parse(short.as_bytes(), "t.json").is_err());
    }

    #[test]
    fn an_operator_token_is_no_client_token() {
        let doc = format!(
            r#"{{"tokens":[{{"client":"acme","sha256":"{}"}},{{"client":"alice","role":"operator","sha256":"{}"}}]}}"#,
            sha256_hex("c"),
            sha256_hex("o")
        );
        let t = Tokens::parse(doc.as_bytes(), "tokens.json").expect("parse");
        assert_eq!(t.lookup("c"), Some(("acme", Role::Client)));
        assert_eq!(t.lookup("o"), Some(("alice", Role::Operator)));
        assert_eq!(t.client_for("o"), None);
        assert_eq!(t.clients().collect::<Vec<_>>(), vec!["acme"]);
        let bad = format!(
            r#"{{"tokens":[{{"client":"x","role":"admin","sha256":"{}"}}]}}"#,
            sha256_hex("t")
        );
        assert!(Tokens::parse(bad.as_bytes(), "t.json").is_err());
    }
}
