//! `sla`: the rules core on the command line, for operators and scripts.
//!
//! `sla report --usage FILE --incidents FILE [--policy FILE] [--as-of INSTANT]`
//! prints the report JSON; bad input exits 2 with `FILE: PATH: message`.

use std::process::ExitCode;

const USAGE: &str = "usage: sla report --usage FILE --incidents FILE [--policy FILE] [--as-of INSTANT]
       sla timeline --usage FILE --incidents FILE --month YYYY-MM [--policy FILE] [--as-of INSTANT]";

#[derive(Default)]
struct Args {
    usage: Option<String>,
    incidents: Option<String>,
    policy: Option<String>,
    as_of: Option<String>,
    month: Option<String>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args::default();
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "--usage" => &mut a.usage,
            "--incidents" => &mut a.incidents,
            "--policy" => &mut a.policy,
            "--as-of" => &mut a.as_of,
            "--month" => &mut a.month,
            other => return Err(format!("unknown argument {other}")),
        };
        *slot = Some(it.next().ok_or_else(|| format!("{flag} needs a value"))?);
    }
    Ok(a)
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: $: cannot read: {e}"))
}

fn run(cmd: &str, a: Args) -> Result<String, (u8, String)> {
    let usage_path = a
        .usage
        .ok_or((64, format!("--usage is required\n{USAGE}")))?;
    let incidents_path = a
        .incidents
        .ok_or((64, format!("--incidents is required\n{USAGE}")))?;
    let usage = read(&usage_path).map_err(|m| (2, m))?;
    let incidents = read(&incidents_path).map_err(|m| (2, m))?;
    let policy = a
        .policy
        .as_deref()
        .map(read)
        .transpose()
        .map_err(|m| (2, m))?;
    // The shell owns the clock; the core is given its instant.
    let as_of = a
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let inputs = sla_rules::Inputs {
        usage: &usage,
        incidents: &incidents,
        policy: policy.as_deref(),
    };
    let names = [
        usage_path.as_str(),
        incidents_path.as_str(),
        a.policy.as_deref().unwrap_or("policy.json"),
    ];
    let ev = sla_rules::evaluate_bytes(&inputs, &as_of, names).map_err(|e| (2, e.to_string()))?;
    let json = match cmd {
        "report" => serde_json::to_string_pretty(&ev.report),
        _ => {
            let month = a
                .month
                .ok_or((64, format!("--month is required\n{USAGE}")))?;
            sla_rules::time::Month::parse(&month).map_err(|m| (2, format!("--month: $: {m}")))?;
            serde_json::to_string_pretty(&sla_rules::timeline::month_timeline(&ev, &month))
        }
    };
    json.map_err(|e| (1, e.to_string()))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let cmd = args.next().unwrap_or_default();
    if cmd != "report" && cmd != "timeline" {
        eprintln!("{USAGE}");
        return ExitCode::from(64);
    }
    let result = parse_args(args)
        .map_err(|m| (64, format!("{m}\n{USAGE}")))
        .and_then(|a| run(&cmd, a));
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err((code, msg)) => {
            eprintln!("{msg}");
            ExitCode::from(code)
        }
    }
}
