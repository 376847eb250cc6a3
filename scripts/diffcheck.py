#!/usr/bin/env python3
"""Differential check: `sla report` against a second, independent implementation of the rules.

docs/RULES.md is implemented here again, minute by minute and as plainly as possible, in
Python (standard library only), without reading the Rust code. Random scenarios (minute
telemetry, declared outages, maintenance windows announced early, late, at the start or
never, exclusions, signing data, a random `as_of` and policy) go through both; every
period's minutes and judgement, the data horizon and each period's minutes after it, every
outage, every excluded-time record's source, applied and excluded minutes, and the
entitlement must agree exactly.

    scripts/diffcheck.py SLA_BIN [SCENARIOS] [SEED]

Exits 1 on the first disagreement, printing the scenario file it wrote and the field.
"""

import calendar
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction


# ---------------------------------------------------------------- time helpers

def parse_instant(s):
    return datetime.fromisoformat(s)


def epoch(dt):
    return int(dt.timestamp())


def tz_of(label):
    sign = -1 if label[0] == "-" else 1
    h, m = int(label[1:3]), int(label[4:6])
    return timezone(sign * timedelta(hours=h, minutes=m))


def month_start_minute(y, m, tz):
    return epoch(datetime(y, m, 1, tzinfo=tz)) // 60


def next_month(y, m):
    return (y + 1, 1) if m == 12 else (y, m + 1)


def add_months(d, n):
    y, m = d.year, d.month + n
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def minute_label(minute, tz):
    return datetime.fromtimestamp(minute * 60, tz).strftime("%Y%m%dT%H%M")


def widen(start, end):
    """[start, end) as whole minutes: start floored, end ceiled."""
    s = epoch(parse_instant(start))
    e = epoch(parse_instant(end))
    return s // 60, -((-e) // 60)


# ---------------------------------------------------------------- the rules, again

DEFAULTS = {
    "availability_target": "99.99", "minute_ok_ratio": "0.90", "min_outage_minutes": 5,
    "missing_data": "up", "zero_traffic": "up", "min_notice_minutes": 0,
    "excluded_causes": ["maintenance", "external_network", "force_majeure", "customer_cause"],
    "compensation_unit": "per_breached_month", "average_window": "calendar_year_to_date",
    "rounding": "half_up",
}


def evaluate(usage, policy, as_of_text):
    pol = dict(DEFAULTS)
    pol.update({k: v for k, v in policy.items() if k != "schema"})
    c = usage["contract"]
    tz = tz_of(c.get("timezone") or "+08:00")
    start_d = date.fromisoformat(c["service_start"])
    end_d = date.fromisoformat(c["service_end"])
    as_of = epoch(parse_instant(as_of_text))
    term0 = epoch(datetime(start_d.year, start_d.month, start_d.day, tzinfo=tz)) // 60
    after = end_d + timedelta(days=1)
    term1 = epoch(datetime(after.year, after.month, after.day, tzinfo=tz)) // 60
    w0, w1 = term0, max(term0, min(term1, as_of // 60))

    ratio = Fraction(pol["minute_ok_ratio"])
    target = Fraction(pol["availability_target"])
    state = {}  # minute -> "up" | "down" (covered minutes only)
    # The data horizon: one past the last minute of [w0, w1) a telemetry minute covers.
    tele = set()
    for seg in usage.get("telemetry", []):
        m0 = epoch(parse_instant(seg["start"])) // 60
        tele.update(m for m in range(m0, m0 + len(seg["total"])) if w0 <= m < w1)
    horizon = max(tele) + 1 if tele else None
    for seg in usage.get("telemetry", []):
        m0 = epoch(parse_instant(seg["start"])) // 60
        for i, (t, o) in enumerate(zip(seg["total"], seg["ok"])):
            if t == 0:
                s = pol["zero_traffic"]
            else:
                s = "down" if Fraction(o, t) < ratio else "up"
            state[m0 + i] = s
    for o in usage.get("outages", []):
        a, b = widen(o["start"], o["end"])
        for m in range(a, b):
            state[m] = "down"

    excluded = set()
    records = []
    for mw in usage.get("maintenance", []):
        a, b = widen(mw["start"], mw["end"])
        ann = mw.get("announced_at")
        if "maintenance" not in pol["excluded_causes"]:
            applied = False
        elif ann is None:
            applied = False
        else:
            lead = epoch(parse_instant(mw["start"])) - epoch(parse_instant(ann))
            applied = lead >= max(pol["min_notice_minutes"] * 60, 1)
        records.append((mw.get("id", ""), "maintenance", a, b, applied))
    for x in usage.get("exclusions", []):
        a, b = widen(x["start"], x["end"])
        records.append((x.get("id", ""), "exclusion", a, b, x["cause"] in pol["excluded_causes"]))
    for _, _, a, b, applied in records:
        if applied:
            excluded.update(range(a, b))

    def down(m):
        s = state.get(m)
        if s is None:
            return pol["missing_data"] == "down"
        return s == "down"

    # Raw runs inside the evaluation window; those long enough are outages.
    outages = []
    m = w0
    while m < w1:
        if not down(m):
            m += 1
            continue
        s = m
        while m < w1 and down(m):
            m += 1
        if m - s >= pol["min_outage_minutes"]:
            outages.append((s, m))
    outage_minute = set()
    for s, e in outages:
        outage_minute.update(range(s, e))

    periods = []
    y, mo = start_d.year, start_d.month
    last = min((datetime.fromtimestamp(as_of, tz).year, datetime.fromtimestamp(as_of, tz).month),
               (end_d.year, end_d.month))
    while (y, mo) <= last:
        ms = month_start_minute(y, mo, tz)
        me = month_start_minute(*next_month(y, mo), tz)
        a, b = max(ms, w0), max(max(ms, w0), min(me, w1))
        if me * 60 > as_of:
            status = "in_progress"
        elif ms < term0 or me > term1:
            status = "partial"
        else:
            status = "judged"
        minutes = b - a
        exc = sum(1 for x in range(a, b) if x in excluded)
        unav = sum(1 for x in range(a, b) if x in outage_minute and x not in excluded)
        nodata = sum(1 for x in range(a, b) if x not in excluded and x not in state)
        measured = minutes - exc
        if measured == 0:
            avail = "100.00000"
        else:
            q = (measured - unav) * 100 * 10 ** 5 // measured
            avail = f"{q // 10 ** 5}.{q % 10 ** 5:05d}"
        breached = status == "judged" and Fraction(measured - unav, 1) * 100 < measured * target
        periods.append({"month": f"{y:04d}-{mo:02d}", "status": status, "minutes": minutes,
                        "excluded_minutes": exc, "measured_minutes": measured,
                        "unavailable_minutes": unav, "no_data_minutes": nodata,
                        "availability": avail, "breached": breached,
                        "minutes_after_data_horizon": sum(
                            1 for x in range(a, b) if horizon is None or x >= horizon),
                        "range": (a, b)})
        y, mo = next_month(y, mo)

    out_reports = []
    for s, e in outages:
        per = []
        for i, p in enumerate(periods):
            a, b = p["range"]
            cnt = sum(1 for x in range(max(s, a), min(e, b)) if x not in excluded)
            per.append((i, cnt))
        cands = [(cnt, -i) for i, cnt in per if cnt > 0 and periods[i]["breached"]]
        to = None
        if cands:
            to = -max(cands)[1]
        exc = sum(1 for x in range(s, e) if x in excluded)
        out_reports.append({"id": "OUT-" + minute_label(s, tz), "minutes": e - s,
                            "counted_minutes": e - s - exc, "excluded_minutes": exc,
                            "compensable": to is not None,
                            "attributed_to": periods[to]["month"] if to is not None else None,
                            "_to": to})

    rec_reports = [{"id": rid, "source": src, "applied": ap,
                    "excluded_minutes": (max(0, min(b, w1) - max(a, w0)) if ap else 0)}
                   for rid, src, a, b, ap in records]

    signing = {s["month"]: s["signed"] for s in usage.get("signing", [])}
    per_period = []
    for i, p in enumerate(periods):
        if not p["breached"]:
            continue
        if pol["compensation_unit"] == "per_breached_month":
            units = 1
        else:
            units = sum(1 for o in out_reports if o["_to"] == i)
        yy, mm = int(p["month"][:4]), int(p["month"][5:])
        vals = []
        for q in periods:
            if q["status"] != "judged" or q["month"] not in signing:
                continue
            qy, qm = int(q["month"][:4]), int(q["month"][5:])
            if pol["average_window"] == "calendar_year_to_date":
                inside = qy == yy and qm <= mm
            else:
                d = (yy * 12 + mm) - (qy * 12 + qm)
                inside = 0 <= d < 12
            if inside:
                vals.append(signing[q["month"]])
        if vals:
            mean = Fraction(sum(vals), len(vals))
            r = pol["rounding"]
            if r == "half_up":
                avg = int(mean + Fraction(1, 2)) if mean >= 0 else 0
            elif r == "ceil":
                avg = -((-mean.numerator) // mean.denominator)
            else:
                avg = mean.numerator // mean.denominator
        else:
            avg = 0
        per_period.append({"month": p["month"], "units": units, "monthly_average": avg,
                           "contracts": units * avg})
    units = sum(x["units"] for x in per_period)
    ent = {"breached_periods": [x["month"] for x in per_period], "units": units,
           "service_extension": {"months": units,
                                 "service_end": add_months(end_d, units).isoformat()},
           "contract_credit": {"contracts": sum(x["contracts"] for x in per_period),
                               "per_period": per_period}}
    for p in periods:
        del p["range"]
    for o in out_reports:
        del o["_to"]
    return {"data_horizon": (datetime.fromtimestamp(horizon * 60, tz).isoformat()
                             if horizon is not None else None),
            "periods": periods, "outages": out_reports, "exclusions": rec_reports,
            "entitlement": ent}


# ---------------------------------------------------------------- scenarios

def iso(dt):
    return dt.isoformat()


def scenario(rnd):
    tzl = rnd.choice(["+08:00", "+08:00", "+00:00", "-05:00", "+05:30"])
    tz = tz_of(tzl)
    start = date(2026, rnd.randint(1, 6), rnd.choice([1, 1, 1, rnd.randint(2, 28)]))
    end = add_months(start, rnd.randint(2, 5)) - timedelta(days=rnd.choice([1, 1, 0, 3]))
    base = datetime(start.year, start.month, 1, tzinfo=tz)
    horizon = (end - date(start.year, start.month, 1)).days + 20

    def t(day, minute, sec=0):
        return base + timedelta(days=day, minutes=minute, seconds=sec)

    telemetry = []
    for _ in range(rnd.randint(0, 3)):
        day = rnd.randint(0, horizon)
        n = rnd.randint(10, 400)
        total, ok = [], []
        for _ in range(n):
            tot = rnd.choice([0, 10, 100, 120])
            if rnd.random() < 0.3:
                o = rnd.randint(0, tot)
            else:
                o = tot
            total.append(tot)
            ok.append(o)
        # Down stretches long enough to be outages.
        for _ in range(rnd.randint(0, 3)):
            a = rnd.randint(0, n - 1)
            for i in range(a, min(n, a + rnd.randint(3, 40))):
                total[i], ok[i] = 100, rnd.randint(0, 89)
        telemetry.append({"start": iso(t(day, rnd.randint(0, 1400))), "total": total, "ok": ok})
    # Segments must not overlap: keep the first of any overlapping pair.
    telemetry.sort(key=lambda s: s["start"])
    kept, end_prev = [], None
    for s in telemetry:
        a = epoch(parse_instant(s["start"])) // 60
        if end_prev is None or a >= end_prev:
            kept.append(s)
            end_prev = a + len(s["total"])
    telemetry = kept

    outages, maintenance, exclusions = [], [], []
    for i in range(rnd.randint(0, 4)):
        day = rnd.randint(0, horizon)
        s = t(day, rnd.randint(0, 1439), rnd.choice([0, 0, 0, 30]))
        outages.append({"id": f"P-{i}", "start": iso(s),
                        "end": iso(s + timedelta(minutes=rnd.randint(1, 90)))})
    # An outage right across a month end.
    if rnd.random() < 0.5:
        y, m = next_month(start.year, start.month)
        me = datetime(y, m, 1, tzinfo=tz)
        outages.append({"id": "P-X", "start": iso(me - timedelta(minutes=rnd.randint(1, 8))),
                        "end": iso(me + timedelta(minutes=rnd.randint(1, 8)))})
    anchors = [o["start"] for o in outages] or [iso(t(rnd.randint(0, horizon), 600))]
    for i in range(rnd.randint(0, 4)):
        s = parse_instant(rnd.choice(anchors)) + timedelta(minutes=rnd.randint(-30, 30),
                                                           seconds=rnd.choice([0, 0, 0, 45]))
        e = s + timedelta(minutes=rnd.randint(1, 120))
        lead = rnd.choice([None, -600, -1, 0, 1, 59, 3599, 3600, 3601, 86400 * 2])
        w = {"id": f"MW-{i}", "kind": rnd.choice(["upgrade", "scale_out", "maintenance", "fault_drill"]),
             "title": "窗口", "start": iso(s), "end": iso(e)}
        if lead is not None:
            w["announced_at"] = iso(s - timedelta(seconds=lead))
        maintenance.append(w)
    for i in range(rnd.randint(0, 3)):
        s = parse_instant(rnd.choice(anchors)) + timedelta(minutes=rnd.randint(-30, 30))
        exclusions.append({"id": f"EX-{i}",
                           "cause": rnd.choice(["external_network", "force_majeure", "customer_cause"]),
                           "start": iso(s), "end": iso(s + timedelta(minutes=rnd.randint(1, 90)))})
    signing = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        if rnd.random() < 0.8:
            signing.append({"month": f"{y:04d}-{m:02d}", "signed": rnd.randint(0, 5000),
                            "failed": rnd.randint(0, 9)})
        y, m = next_month(y, m)
    usage = {"schema": "sla-portal/usage/v1", "client": {"id": "c", "name": "n"},
             "contract": {"id": "K", "service_start": start.isoformat(),
                          "service_end": end.isoformat(), "timezone": tzl},
             "telemetry": telemetry, "outages": outages, "maintenance": maintenance,
             "exclusions": exclusions, "signing": signing}
    policy = {"schema": "sla-portal/policy/v1"}
    if rnd.random() < 0.5:
        policy["min_notice_minutes"] = rnd.choice([0, 60, 1440])
    if rnd.random() < 0.3:
        causes = ["maintenance", "external_network", "force_majeure", "customer_cause"]
        policy["excluded_causes"] = rnd.sample(causes, rnd.randint(0, 4))
    if rnd.random() < 0.3:
        policy["compensation_unit"] = "per_outage"
    if rnd.random() < 0.2:
        policy["min_outage_minutes"] = rnd.choice([1, 3, 10])
    if rnd.random() < 0.2:
        policy["missing_data"] = "down"
    if rnd.random() < 0.2:
        policy["rounding"] = rnd.choice(["ceil", "floor"])
    if rnd.random() < 0.2:
        policy["average_window"] = "trailing_12_months"
    as_of = t(rnd.randint(20, horizon + 40), rnd.randint(0, 1439), rnd.choice([0, 17]))
    return usage, policy, iso(as_of)


# ---------------------------------------------------------------- comparison

def compare(expected, actual, path, problems):
    if isinstance(expected, dict):
        for k, v in expected.items():
            if k not in actual:
                problems.append(f"{path}.{k}: missing")
            else:
                compare(v, actual[k], f"{path}.{k}", problems)
    elif isinstance(expected, list):
        if len(expected) != len(actual):
            problems.append(f"{path}: {len(actual)} items, expected {len(expected)}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            compare(e, a, f"{path}[{i}]", problems)
    elif expected != actual:
        problems.append(f"{path}: {actual!r}, expected {expected!r}")


def main():
    sla = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261130
    rnd = random.Random(seed)
    work = tempfile.mkdtemp(prefix="sla-diffcheck-")
    for k in range(n):
        usage, policy, as_of = scenario(rnd)
        d = os.path.join(work, f"s{k:03d}")
        os.makedirs(d)
        for name, doc in [("usage.json", usage), ("policy.json", policy),
                          ("incidents.json", {"schema": "sla-portal/incidents/v1", "incidents": []})]:
            with open(os.path.join(d, name), "w") as f:
                json.dump(doc, f, ensure_ascii=False)
        out = subprocess.run([sla, "report", "--usage", "usage.json", "--incidents", "incidents.json",
                              "--policy", "policy.json", "--as-of", as_of],
                             cwd=d, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"diffcheck: {d}: sla exited {out.returncode}: {out.stderr.strip()}")
            sys.exit(1)
        actual = json.loads(out.stdout)
        expected = evaluate(usage, policy, as_of)
        problems = []
        compare(expected, actual, "report", problems)
        if problems:
            print(f"diffcheck: {d} (as of {as_of}) disagrees:")
            for p in problems[:15]:
                print("  " + p)
            sys.exit(1)
    print(f"diffcheck: {n} scenarios agree (seed {seed})")


if __name__ == "__main__":
    main()
