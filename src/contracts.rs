//! The contracts document (`contractsUrl`, docs/DATA_CONTRACT.md "contracts"): read with errors that name the JSON path, and the group summary's view model.
//!
//! Pure (no browser), so it is tested natively (tests/contracts.rs). The list is a few
//! kilobytes, so it is walked as a `serde_json::Value`: every refusal can then say exactly
//! where it is (`contracts[1].links.usage`), which a derived decoder cannot without the
//! path-tracking code the rules core keeps out of the widget. Only the full build links it.

use serde_json::Value;
use sla_rules::claims::ClaimStatus;
use sla_rules::InputError;

use crate::load::LoadError;

/// The `schema` tag of the contracts document.
pub const CONTRACTS_SCHEMA: &str = "sla-portal/contracts/v1";

/// The contracts a caller may see, in the server's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contracts {
    /// When the server computed the summaries (`as_of`), if it said.
    pub as_of: Option<String>,
    pub contracts: Vec<Contract>,
}

/// One contract of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: String,
    /// Free text from the server: shown as text, never as markup.
    pub name: String,
    pub service_start: String,
    pub service_end: String,
    pub timezone: String,
    pub links: Links,
    pub summary: Summary,
}

/// Where a contract's documents are, as the server wrote them (resolved by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    pub usage: String,
    pub incidents: String,
    pub policy: Option<String>,
    pub claims: Option<String>,
}

/// The last judged month of a contract's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// `YYYY-MM`.
    pub month: String,
    /// Five decimals, as in the report.
    pub availability: String,
    pub breached: bool,
}

/// A contract's figures as its own report (and claims list) gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub last_judged: Option<Judged>,
    pub breached_months: Vec<String>,
    pub claimable_units: u64,
    /// The claims per status, in workflow order ([`ClaimStatus::ALL`]); absent ones are 0.
    pub claims: [(ClaimStatus, u64); 5],
}

impl Contracts {
    /// The contract called `id`.
    pub fn get(&self, id: &str) -> Option<&Contract> {
        self.contracts.iter().find(|c| c.id == id)
    }

    /// The contract shown first: the one the host asked for (`contract`) if the list has it,
    /// else the first. `None` only for an empty list.
    pub fn initial(&self, wanted: Option<&str>) -> Option<&Contract> {
        wanted
            .and_then(|w| self.get(w))
            .or_else(|| self.contracts.first())
    }
}

/// Reads the contracts document. `file` names it in errors (the URL).
pub fn parse(bytes: &[u8], file: &str) -> Result<Contracts, LoadError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| LoadError::NotJson {
        file: file.to_string(),
        detail: e.to_string(),
    })?;
    read(&doc, file).map_err(LoadError::Contract)
}

/// A reader of one document: every error names `file` and the path it was at.
struct At<'a> {
    file: &'a str,
}

impl At<'_> {
    fn err(&self, path: &str, message: impl Into<String>) -> InputError {
        InputError::new(self.file, path, message)
    }

    fn object<'v>(
        &self,
        v: &'v Value,
        path: &str,
    ) -> Result<&'v serde_json::Map<String, Value>, InputError> {
        v.as_object()
            .ok_or_else(|| self.err(path, "expected an object"))
    }

    fn string(
        &self,
        o: &serde_json::Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<String, InputError> {
        let p = join(path, key);
        match o.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(self.err(&p, "must not be empty")),
            None | Some(Value::Null) => Err(self.err(&p, "required")),
            Some(_) => Err(self.err(&p, "expected a string")),
        }
    }

    fn opt_string(
        &self,
        o: &serde_json::Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Option<String>, InputError> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.string(o, path, key).map(Some),
        }
    }

    fn count(&self, v: &Value, path: &str) -> Result<u64, InputError> {
        v.as_u64()
            .ok_or_else(|| self.err(path, "expected a whole number, 0 or more"))
    }

    fn month(&self, v: &Value, path: &str) -> Result<String, InputError> {
        match v.as_str() {
            Some(m) if is_month(m) => Ok(m.to_string()),
            _ => Err(self.err(path, "expected a month, YYYY-MM")),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `YYYY-MM` with a month from 01 to 12.
fn is_month(m: &str) -> bool {
    let b = m.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(m[5..].parse::<u8>(), Ok(1..=12))
}

/// A contract id is a path segment: letters, digits, `-` and `_`.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Five decimals at most, digits only: what the report writes for an availability.
fn is_percent(s: &str) -> bool {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 5
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (s.contains('.') != frac.is_empty())
}

fn read(doc: &Value, file: &str) -> Result<Contracts, InputError> {
    let at = At { file };
    let root = doc
        .as_object()
        .ok_or_else(|| at.err("$", "expected an object"))?;
    match root.get("schema") {
        Some(Value::String(s)) if s == CONTRACTS_SCHEMA => {}
        Some(Value::String(s)) => {
            return Err(at.err(
                "schema",
                format!("unknown schema \"{s}\" (expected \"{CONTRACTS_SCHEMA}\")"),
            ))
        }
        Some(_) => return Err(at.err("schema", "must be a string")),
        None => {
            return Err(at.err(
                "schema",
                format!("missing (expected \"{CONTRACTS_SCHEMA}\")"),
            ))
        }
    }
    let as_of = at.opt_string(root, "", "as_of")?;
    let list = match root.get("contracts") {
        Some(Value::Array(a)) => a,
        None => return Err(at.err("contracts", "required")),
        Some(_) => return Err(at.err("contracts", "expected an array")),
    };
    let mut contracts: Vec<Contract> = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let path = format!("contracts[{i}]");
        let contract = read_contract(&at, c, &path)?;
        if contracts.iter().any(|x| x.id == contract.id) {
            return Err(at.err(
                &join(&path, "id"),
                format!("\"{}\" is listed twice", contract.id),
            ));
        }
        contracts.push(contract);
    }
    Ok(Contracts { as_of, contracts })
}

fn read_contract(at: &At, v: &Value, path: &str) -> Result<Contract, InputError> {
    let o = at.object(v, path)?;
    let id = at.string(o, path, "id")?;
    if !is_id(&id) {
        return Err(at.err(&join(path, "id"), "expected letters, digits, - and _ only"));
    }
    let links_path = join(path, "links");
    let links = at.object(o.get("links").unwrap_or(&Value::Null), &links_path)?;
    let summary_path = join(path, "summary");
    Ok(Contract {
        name: at
            .opt_string(o, path, "name")?
            .unwrap_or_else(|| id.clone()),
        id,
        service_start: at.string(o, path, "service_start")?,
        service_end: at.string(o, path, "service_end")?,
        timezone: at.opt_string(o, path, "timezone")?.unwrap_or_default(),
        links: Links {
            usage: at.string(links, &links_path, "usage")?,
            incidents: at.string(links, &links_path, "incidents")?,
            policy: at.opt_string(links, &links_path, "policy")?,
            claims: at.opt_string(links, &links_path, "claims")?,
        },
        summary: read_summary(at, o.get("summary").unwrap_or(&Value::Null), &summary_path)?,
    })
}

fn read_summary(at: &At, v: &Value, path: &str) -> Result<Summary, InputError> {
    let o = at.object(v, path)?;
    let judged_path = join(path, "last_judged");
    let last_judged = match o.get("last_judged") {
        None | Some(Value::Null) => None,
        Some(j) => {
            let j = at.object(j, &judged_path)?;
            let month = at.month(
                j.get("month").unwrap_or(&Value::Null),
                &join(&judged_path, "month"),
            )?;
            let availability = at.string(j, &judged_path, "availability")?;
            if !is_percent(&availability) {
                return Err(at.err(
                    &join(&judged_path, "availability"),
                    "expected a percentage as a decimal string, e.g. \"99.95000\"",
                ));
            }
            let breached = j
                .get("breached")
                .and_then(Value::as_bool)
                .ok_or_else(|| at.err(&join(&judged_path, "breached"), "expected true or false"))?;
            Some(Judged {
                month,
                availability,
                breached,
            })
        }
    };
    let months_path = join(path, "breached_months");
    let breached_months = match o.get("breached_months") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, m)| at.month(m, &format!("{months_path}[{i}]")))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(at.err(&months_path, "expected an array of months")),
    };
    let units_path = join(path, "claimable_units");
    let claimable_units = at.count(
        o.get("claimable_units").unwrap_or(&Value::Null),
        &units_path,
    )?;
    let claims_path = join(path, "claims");
    let mut claims = ClaimStatus::ALL.map(|s| (s, 0));
    match o.get("claims") {
        None | Some(Value::Null) => {}
        Some(Value::Object(by)) => {
            for (name, n) in by {
                // A status a later server adds is not one this widget can label: skipped.
                if let Some(slot) = claims.iter_mut().find(|(s, _)| s.as_str() == name) {
                    slot.1 = at.count(n, &join(&claims_path, name))?;
                }
            }
        }
        Some(_) => return Err(at.err(&claims_path, "expected an object of counts")),
    }
    Ok(Summary {
        last_judged,
        breached_months,
        claimable_units,
        claims,
    })
}

/// One row of the group summary, as the view draws it and its hooks carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub name: String,
    /// `data-breached-months`: the months below target, space-separated (`""`: none).
    pub breached_months: String,
    /// `data-claimable-units`.
    pub claimable_units: String,
    /// All claims, whatever their status.
    pub claims_total: u64,
    /// The statuses with at least one claim, in workflow order.
    pub claims_by_status: Vec<(ClaimStatus, u64)>,
    /// Whether this is the contract on screen.
    pub selected: bool,
}

/// The group summary's rows, in the list's order.
pub fn rows(list: &Contracts, selected: Option<&str>) -> Vec<Row> {
    list.contracts
        .iter()
        .map(|c| {
            let s = &c.summary;
            Row {
                id: c.id.clone(),
                name: c.name.clone(),
                breached_months: s.breached_months.join(" "),
                claimable_units: s.claimable_units.to_string(),
                claims_total: s.claims.iter().map(|(_, n)| n).sum(),
                claims_by_status: s.claims.iter().copied().filter(|(_, n)| *n > 0).collect(),
                selected: selected == Some(c.id.as_str()),
            }
        })
        .collect()
}

/// The group's totals over every contract: months below target and units claimable now.
pub fn totals(list: &Contracts) -> (usize, u64) {
    list.contracts.iter().fold((0, 0), |(m, u), c| {
        (
            m + c.summary.breached_months.len(),
            u + c.summary.claimable_units,
        )
    })
}

/// The webhook subscriptions' URL in a group: they are per client, beside the contracts
/// list (`…/contracts` → `…/subscriptions`), not under one contract.
pub fn subscriptions_beside(contracts_url: &str) -> Option<String> {
    crate::options::with_path(contracts_url, |path| {
        let base = path.trim_end_matches('/').strip_suffix("/contracts")?;
        Some(format!("{base}/subscriptions"))
    })
}
