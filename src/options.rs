//! What a host passes to `mount` (or writes as `<sla-portal>` attributes), read defensively.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::Locale;

/// Fetch `credentials` mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Credentials {
    Omit,
    #[default]
    SameOrigin,
    Include,
}

impl Credentials {
    pub fn parse(s: &str) -> Result<Credentials, String> {
        match s {
            "omit" => Ok(Credentials::Omit),
            "same-origin" => Ok(Credentials::SameOrigin),
            "include" => Ok(Credentials::Include),
            other => Err(format!(
                "credentials: \"{other}\" is not omit, same-origin or include"
            )),
        }
    }
}

/// What decides which documents are read: usage URL, incidents URL, policy URL, `asOf`.
pub type FetchKey = (String, String, Option<String>, Option<String>);

/// The widget's options; see docs/DATA_CONTRACT.md, "Embedding".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    pub usage_url: String,
    pub incidents_url: String,
    pub claims_url: Option<String>,
    /// Webhook subscriptions (`GET/POST/DELETE`); `None` with claims: beside `claims_url`.
    pub subscriptions_url: Option<String>,
    /// `None`: the default policy. A 404 at this URL also means the default policy.
    pub policy_url: Option<String>,
    /// The display language: `locale_tag` if the widget speaks it, else `fallback_locale`
    /// (always through [`Options::negotiate`]).
    pub locale: Locale,
    /// The BCP 47 tag the host asked for (`locale`), as given; `None`: not given.
    pub locale_tag: Option<String>,
    /// What a `locale_tag` the widget does not speak (`ja`, `zh-TW`) gets: the host's
    /// `fallbackLocale`, zh-CN by default. Not an error, so no `sla-portal:error`.
    pub fallback_locale: Locale,
    /// Extra request headers, e.g. `Authorization`.
    pub headers: Vec<(String, String)>,
    pub credentials: Credentials,
    /// RFC 3339 evaluation instant for reproducible views; `None` means now.
    pub as_of: Option<String>,
    /// Per-request timeout.
    pub timeout_ms: u32,
    /// `--slap-*` custom properties set on the widget's root (the host's theme).
    pub theme: Vec<(String, String)>,
    /// Seconds between re-checks of the documents while the page is visible; 0: never.
    pub refresh_seconds: u32,
    /// A group's contracts list (`crate::contracts`): with it the documents' URLs are the
    /// selected contract's links, and `usage_url`/`incidents_url` may be empty.
    pub contracts_url: Option<String>,
    /// The contract shown first (an id of the list); `None`: the list's first.
    pub contract: Option<String>,
}

/// The `fallbackLocale` option or `fallback-locale` attribute `name`: a locale the widget
/// speaks (it is what the widget falls back to), zh-CN when absent.
fn fallback_locale(name: &str, tag: Option<String>) -> Result<Locale, String> {
    match tag {
        None => Ok(Locale::default()),
        Some(t) => Locale::parse(&t).ok_or_else(|| {
            format!("{name}: \"{t}\" is not a locale the widget speaks (zh-CN, en)")
        }),
    }
}

/// A minute: the month in progress moves by the minute, and a 304 costs next to nothing.
pub const DEFAULT_REFRESH_SECONDS: u32 = 60;

/// At most a day between checks; anything longer is a typo for "off" (0).
const MAX_REFRESH_SECONDS: f64 = 86_400.0;

/// A whole number of seconds from 0 to a day, for the option or attribute `name`.
fn refresh_seconds(name: &str, n: Option<f64>) -> Result<u32, String> {
    match n {
        Some(t) if (0.0..=MAX_REFRESH_SECONDS).contains(&t) && t.fract() == 0.0 => Ok(t as u32),
        _ => Err(format!("{name}: expected a whole number from 0 to 86400")),
    }
}

/// `{path}{query}` with `path` changed by `f`: the query of a host's URL is kept.
pub fn with_path(url: &str, f: impl FnOnce(&str) -> Option<String>) -> Option<String> {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    let path = f(path)?;
    Some(match query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    })
}

/// `subscriptionsUrl` when the host gave none: beside the claims, `…/claims` → `…/subscriptions`.
/// Without a claims URL (or one not ending in `/claims`) there is nothing to derive from.
pub fn default_subscriptions_url(claims_url: &str) -> Option<String> {
    with_path(claims_url, |path| {
        let base = path.trim_end_matches('/').strip_suffix("/claims")?;
        Some(format!("{base}/subscriptions"))
    })
}

/// 60 s: a year of minute telemetry is ~5 MB, slow links need time, a hung server must not spin forever.
pub const DEFAULT_TIMEOUT_MS: u32 = 60_000;

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, String> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_string() {
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => Ok(Some(s)),
        None => Err(format!("{key}: expected a string")),
    }
}

/// `{ name: "value", … }` with string values (headers, theme); `null` is empty.
fn string_map(obj: &JsValue, key: &str) -> Result<Vec<(String, String)>, String> {
    let h = get(obj, key);
    let mut out = Vec::new();
    if h.is_undefined() || h.is_null() {
        return Ok(out);
    }
    let h: &Object = h
        .dyn_ref()
        .ok_or_else(|| format!("{key}: expected an object"))?;
    for entry in Object::entries(h).iter() {
        let pair = js_sys::Array::from(&entry);
        let name = pair.get(0).as_string().unwrap_or_default();
        let value = pair
            .get(1)
            .as_string()
            .ok_or_else(|| format!("{key}.{name}: expected a string"))?;
        out.push((name, value));
    }
    Ok(out)
}

/// A theme may set only the widget's own custom properties.
pub fn is_theme_property(name: &str) -> bool {
    name.strip_prefix("--slap-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

impl Options {
    /// Reads the options object given to `mount`.
    pub fn from_js(obj: &JsValue) -> Result<Options, String> {
        let mut o = Options {
            timeout_ms: DEFAULT_TIMEOUT_MS,
            refresh_seconds: DEFAULT_REFRESH_SECONDS,
            ..Options::default()
        };
        o.apply_js(obj)?;
        Ok(o)
    }

    /// Applies the keys present in `obj` (`handle.update(partialOptions)`); absent keys keep
    /// their value, `null` clears an optional one. On error nothing is changed.
    pub fn apply_js(&mut self, obj: &JsValue) -> Result<(), String> {
        if !obj.is_object() {
            return Err("options: expected an object".into());
        }
        let mut o = self.clone();
        let has = |k: &str| !get(obj, k).is_undefined();
        if has("contractsUrl") {
            o.contracts_url = opt_string(obj, "contractsUrl")?;
        }
        if has("contract") {
            o.contract = opt_string(obj, "contract")?;
        }
        if has("usageUrl") {
            o.usage_url = opt_string(obj, "usageUrl")?.unwrap_or_default();
        }
        if has("incidentsUrl") {
            o.incidents_url = opt_string(obj, "incidentsUrl")?.unwrap_or_default();
        }
        if has("claimsUrl") {
            o.claims_url = opt_string(obj, "claimsUrl")?;
        }
        if has("subscriptionsUrl") {
            o.subscriptions_url = opt_string(obj, "subscriptionsUrl")?;
        }
        if has("refreshSeconds") {
            let v = get(obj, "refreshSeconds");
            o.refresh_seconds = if v.is_null() {
                DEFAULT_REFRESH_SECONDS
            } else {
                refresh_seconds("refreshSeconds", v.as_f64())?
            };
        }
        if has("policyUrl") {
            o.policy_url = opt_string(obj, "policyUrl")?;
        }
        if has("locale") {
            o.locale_tag = opt_string(obj, "locale")?;
        }
        if has("fallbackLocale") {
            o.fallback_locale =
                fallback_locale("fallbackLocale", opt_string(obj, "fallbackLocale")?)?;
        }
        o.negotiate();
        if has("headers") {
            o.headers = string_map(obj, "headers")?;
        }
        if has("credentials") {
            o.credentials = match opt_string(obj, "credentials")? {
                Some(c) => Credentials::parse(&c)?,
                None => Credentials::default(),
            };
        }
        if has("asOf") {
            o.as_of = opt_string(obj, "asOf")?;
        }
        if has("timeoutMs") {
            o.timeout_ms = match get(obj, "timeoutMs").as_f64() {
                Some(t) if (1.0..=600_000.0).contains(&t) => t as u32,
                None if get(obj, "timeoutMs").is_null() => DEFAULT_TIMEOUT_MS,
                _ => return Err("timeoutMs: expected 1 to 600000".into()),
            };
        }
        if has("theme") {
            let theme = string_map(obj, "theme")?;
            if let Some((k, _)) = theme.iter().find(|(k, _)| !is_theme_property(k)) {
                return Err(format!(
                    "theme.{k}: expected a --slap-* custom property name"
                ));
            }
            o.theme = theme;
        }
        o.check(["usageUrl: required", "incidentsUrl: required"])?;
        *self = o;
        Ok(())
    }

    /// The subscriptions URL in use: the host's, else derived from `claims_url`.
    pub fn subscriptions(&self) -> Option<String> {
        self.subscriptions_url.clone().or_else(|| {
            self.claims_url
                .as_deref()
                .and_then(default_subscriptions_url)
        })
    }

    /// The options that decide what is fetched: a change here reloads the documents.
    pub fn fetch_key(&self) -> FetchKey {
        (
            self.usage_url.clone(),
            self.incidents_url.clone(),
            self.policy_url.clone(),
            self.as_of.clone(),
        )
    }

    /// Reads the attributes of an `<sla-portal>` element.
    pub fn from_attributes(get_attr: impl Fn(&str) -> Option<String>) -> Result<Options, String> {
        let non_empty = |k: &str| get_attr(k).filter(|v| !v.trim().is_empty());
        let mut o = Options {
            usage_url: non_empty("usage-src").unwrap_or_default(),
            incidents_url: non_empty("incidents-src").unwrap_or_default(),
            claims_url: non_empty("claims-src"),
            subscriptions_url: non_empty("subscriptions-src"),
            policy_url: non_empty("policy-src"),
            locale: Locale::default(),
            locale_tag: non_empty("locale"),
            fallback_locale: fallback_locale("fallback-locale", non_empty("fallback-locale"))?,
            headers: Vec::new(),
            credentials: match non_empty("credentials") {
                Some(c) => Credentials::parse(&c)?,
                None => Credentials::default(),
            },
            as_of: non_empty("as-of"),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            theme: Vec::new(),
            refresh_seconds: match non_empty("refresh-seconds") {
                Some(v) => refresh_seconds(
                    "refresh-seconds",
                    v.trim().parse::<u32>().ok().map(f64::from),
                )?,
                None => DEFAULT_REFRESH_SECONDS,
            },
            contract: non_empty("contract"),
            contracts_url: non_empty("contracts-src"),
        };
        o.check(["usage-src: required", "incidents-src: required"])?;
        o.negotiate();
        Ok(o)
    }

    /// The documents' URLs are required, unless a group's list names them (`contracts_url`);
    /// `missing`: what to say for each (the option's or the attribute's name).
    fn check(&self, missing: [&'static str; 2]) -> Result<(), String> {
        let absent = self.contracts_url.is_none();
        if absent && self.usage_url.is_empty() {
            return Err(missing[0].into());
        }
        if absent && self.incidents_url.is_empty() {
            return Err(missing[1].into());
        }
        Ok(())
    }

    /// Sets [`Options::locale`] from the tag asked for and the fallback.
    pub fn negotiate(&mut self) {
        self.locale = self
            .locale_tag
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or(self.fallback_locale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locale_the_widget_does_not_speak_gets_the_fallback() {
        let with = |locale: &'static str, fallback: Option<&'static str>| {
            Options::from_attributes(move |k| match k {
                "usage-src" => Some("/u.json".into()),
                "incidents-src" => Some("/i.json".into()),
                "locale" => Some(locale.into()),
                "fallback-locale" => fallback.map(String::from),
                _ => None,
            })
        };
        // No fallback given: zh-CN, as before.
        assert_eq!(with("ja", None).unwrap().locale, Locale::ZhCn);
        assert_eq!(with("zh-TW", None).unwrap().locale, Locale::ZhCn);
        // The host's fallback, for what the widget does not speak only.
        assert_eq!(with("ja", Some("en")).unwrap().locale, Locale::En);
        assert_eq!(with("zh-TW", Some("en-US")).unwrap().locale, Locale::En);
        assert_eq!(with("zh-Hans-CN", Some("en")).unwrap().locale, Locale::ZhCn);
        assert_eq!(with("EN", Some("zh-CN")).unwrap().locale, Locale::En);
        assert_eq!(with("!!", Some("en")).unwrap().locale, Locale::En);
        // The tag asked for is kept as given, so an update of the fallback decides again.
        assert_eq!(
            with("ja", Some("en")).unwrap().locale_tag.as_deref(),
            Some("ja")
        );
        // The fallback itself must be a locale the widget speaks.
        let e = with("ja", Some("fr")).unwrap_err();
        assert!(e.starts_with("fallback-locale: \"fr\""), "{e}");
    }

    #[test]
    fn attributes_with_defaults() {
        let attrs = |k: &str| match k {
            "usage-src" => Some("/u.json".to_string()),
            "incidents-src" => Some("/i.json".to_string()),
            "locale" => Some("en".to_string()),
            "policy-src" => Some("  ".to_string()),
            _ => None,
        };
        let o = Options::from_attributes(attrs).unwrap();
        assert_eq!(o.usage_url, "/u.json");
        assert_eq!(o.locale, Locale::En);
        assert_eq!(o.policy_url, None, "a blank attribute means absent");
        assert_eq!(o.credentials, Credentials::SameOrigin);
        assert_eq!(o.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert_eq!(o.refresh_seconds, DEFAULT_REFRESH_SECONDS);
    }

    #[test]
    fn refresh_seconds_attribute() {
        let with = |v: &'static str| {
            Options::from_attributes(move |k| match k {
                "usage-src" => Some("/u".to_string()),
                "incidents-src" => Some("/i".to_string()),
                "refresh-seconds" => Some(v.to_string()),
                _ => None,
            })
        };
        assert_eq!(with("0").unwrap().refresh_seconds, 0, "0 turns it off");
        assert_eq!(with("5").unwrap().refresh_seconds, 5);
        assert!(with("-1").is_err());
        assert!(with("1.5").is_err());
        assert!(with("86401").is_err());
    }

    #[test]
    fn subscriptions_sit_beside_the_claims() {
        assert_eq!(
            default_subscriptions_url("/api/v1/claims").as_deref(),
            Some("/api/v1/subscriptions")
        );
        assert_eq!(
            default_subscriptions_url("https://x.example/api/v1/claims/?client=a").as_deref(),
            Some("https://x.example/api/v1/subscriptions?client=a")
        );
        assert_eq!(default_subscriptions_url("/claims-api"), None);
        let o = Options {
            claims_url: Some("/api/v1/claims".into()),
            ..Options::default()
        };
        assert_eq!(o.subscriptions().as_deref(), Some("/api/v1/subscriptions"));
        let o = Options {
            subscriptions_url: Some("/hooks".into()),
            ..o
        };
        assert_eq!(o.subscriptions().as_deref(), Some("/hooks"));
    }

    #[test]
    fn a_group_needs_no_document_urls() {
        let attrs = |k: &str| match k {
            "contracts-src" => Some("/api/v1/contracts".to_string()),
            "contract" => Some("globex-de".to_string()),
            _ => None,
        };
        let o = Options::from_attributes(attrs).unwrap();
        assert_eq!(o.contracts_url.as_deref(), Some("/api/v1/contracts"));
        assert_eq!(o.contract.as_deref(), Some("globex-de"));
        assert_eq!(o.usage_url, "");
        // Without the list, the documents' URLs stay required.
        let e = Options::from_attributes(|k| (k == "contract").then(|| "x".into())).unwrap_err();
        assert!(e.contains("usage-src"), "{e}");
    }

    #[test]
    fn missing_usage_is_an_error() {
        let e = Options::from_attributes(|_| None).unwrap_err();
        assert!(e.contains("usage-src"), "{e}");
        assert!(Credentials::parse("all").is_err());
    }

    #[test]
    fn theme_names_are_the_widgets_own() {
        assert!(is_theme_property("--slap-accent"));
        assert!(is_theme_property("--slap-ok-bg"));
        assert!(!is_theme_property("--slap-"));
        assert!(!is_theme_property("color"));
        assert!(!is_theme_property("--slap-x;color"));
        assert!(!is_theme_property("--other"));
    }
}
