//! Browser tests of the mounted widget: fixture data in, rendered text and `data-sla-*` hooks checked.

use js_sys::{Object, Reflect, Uint8Array};
use sla_portal::tab::Tab;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const USAGE: &str = include_str!("../crates/sla-rules/tests/fixtures/worked/usage.json");
const INCIDENTS: &str = include_str!("../crates/sla-rules/tests/fixtures/worked/incidents.json");
const AS_OF: &str = "2026-04-10T12:00:00+08:00";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A blob: URL serving `text`, so the real streamed fetch path runs.
fn blob_url(text: &str) -> String {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence(&parts).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

fn options(usage: &str, incidents: &str, locale: &str) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: &str| Reflect::set(&o, &k.into(), &v.into()).unwrap();
    set("usageUrl", &blob_url(usage));
    set("incidentsUrl", &blob_url(incidents));
    set("locale", locale);
    set("asOf", AS_OF);
    o.into()
}

fn host() -> Element {
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Waits (up to 5 s) until `selector` matches inside `root`.
async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..250 {
        yew::scheduler::flush().await;
        if let Some(e) = root.query_selector(selector).unwrap() {
            return e;
        }
        sleep(20).await;
    }
    panic!("{selector} never appeared; html: {}", root.inner_html());
}

async fn click(root: &Element, selector: &str) {
    let el: HtmlElement = wait_for(root, selector).await.dyn_into().unwrap();
    el.click();
    yew::scheduler::flush().await;
    sleep(10).await;
    yew::scheduler::flush().await;
}

fn attr(e: &Element, name: &str) -> String {
    e.get_attribute(name).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn periods_table_carries_the_contract_hooks() {
    let root = host();
    let mut handle = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    wait_for(&root, ".slap-header").await;
    click(&root, "[role=tab][aria-controls$=periods]").await;
    let rows = root.query_selector_all("[data-sla-month]").unwrap();
    // January (partial, term starts the 15th), February, March, April (in progress).
    assert_eq!(rows.length(), 4);
    let row = |m: &str| {
        root.query_selector(&format!("[data-sla-month=\"{m}\"]"))
            .unwrap()
            .unwrap()
    };
    // Worked example README: Feb (40,300 − 8) / 40,300 = 99.98014 %, breached;
    // Mar 44,635 / 44,640 = 99.98879 %, breached; the 4-minute January dip is no outage.
    let feb = row("2026-02");
    assert_eq!(attr(&feb, "data-availability"), "99.98014");
    assert_eq!(attr(&feb, "data-breached"), "true");
    assert_eq!(attr(&feb, "data-unavailable-minutes"), "8");
    let mar = row("2026-03");
    assert_eq!(attr(&mar, "data-availability"), "99.98879");
    assert_eq!(attr(&mar, "data-unavailable-minutes"), "5");
    let jan = row("2026-01");
    assert_eq!(attr(&jan, "data-breached"), "false");
    assert_eq!(attr(&jan, "data-availability"), "100.00000");
    assert_eq!(attr(&row("2026-04"), "data-breached"), "false");
    // Breached is said in words and with an icon, not colour alone.
    let text = feb.text_content().unwrap();
    assert!(
        text.contains("✕") && text.contains("Target missed"),
        "{text}"
    );

    // Clicking a row selects the month for the timeline and opens it.
    feb.dyn_ref::<HtmlElement>().unwrap().click();
    yew::scheduler::flush().await;
    let fig = wait_for(&root, "[data-sla-timeline-month]").await;
    assert_eq!(attr(&fig, "data-sla-timeline-month"), "2026-02");
    handle.unmount();
    yew::scheduler::flush().await;
    assert!(root.query_selector(".slap").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn overview_explains_the_breach_in_both_languages() {
    let root = host();
    let mut en = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    let explain = wait_for(&root, "[data-sla-explain]").await;
    // March: one outage (OUT-20260228T2358) with 5 counted minutes in March;
    // 44,640 minutes × 0.01 % = 4.464 → budget 4.46 minutes for a 31-day month.
    assert_eq!(
        explain.text_content().unwrap(),
        "One outage of 5 counted minutes; the budget for a 31-day month is 4.46 minutes."
    );
    let current = wait_for(&root, "[data-sla-current]").await;
    assert_eq!(attr(&current, "data-sla-current"), "2026-04");
    assert!(current
        .text_content()
        .unwrap()
        .contains("in progress, not judged"));
    let breached = wait_for(&root, "[data-sla-breached-count]").await;
    // February and March: 2 of 2 judged periods.
    assert_eq!(attr(&breached, "data-sla-breached-count"), "2");
    // March lost 1 record of 10⁶: 99.9999 % < ten nines, durability not met.
    assert_eq!(
        attr(
            &wait_for(&root, "[data-sla-durability]").await,
            "data-sla-durability"
        ),
        "breached"
    );
    en.unmount();

    let root = host();
    let mut zh = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "zh-CN")).unwrap();
    let explain = wait_for(&root, "[data-sla-explain]").await;
    assert_eq!(
        explain.text_content().unwrap(),
        "1 次宕机，计入 5 分钟不可用；31 天的月份停机预算为 4.46 分钟。"
    );
    assert_eq!(
        attr(&root.query_selector(".slap").unwrap().unwrap(), "lang"),
        "zh-CN"
    );
    zh.unmount();
}

#[wasm_bindgen_test]
async fn contract_violation_shows_the_json_path_and_retry() {
    let root = host();
    let bad = USAGE.replacen("\"sla-portal/usage/v1\"", "\"sla-portal/usage/v7\"", 1);
    let mut h = sla_portal::mount(root.clone(), options(&bad, INCIDENTS, "en")).unwrap();
    let panel = wait_for(&root, "[data-sla-error]").await;
    assert_eq!(attr(&panel, "data-sla-error"), "contract");
    let path = wait_for(&root, "[data-sla-error-path]").await;
    assert_eq!(path.text_content().unwrap(), "schema");
    assert!(panel.text_content().unwrap().contains("Retry"));
    h.unmount();

    let root = host();
    let mut h = sla_portal::mount(root.clone(), options("<html>", INCIDENTS, "zh-CN")).unwrap();
    let panel = wait_for(&root, "[data-sla-error]").await;
    assert_eq!(attr(&panel, "data-sla-error"), "not-json");
    assert!(panel.text_content().unwrap().contains("不是有效的 JSON"));
    h.unmount();
}

const CLAIMS: &str = r#"{"schema":"sla-portal/claims/v1","claims":[]}"#;

/// Every element id under `root`.
fn ids(root: &Element) -> Vec<String> {
    let list = root.query_selector_all("[id]").unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().unchecked_into::<Element>().id())
        .collect()
}

/// Opens what a tab can show beyond its first view: an incident's detail, and the claim
/// form's contact step (a draft of the same contract may already be there, shared
/// through localStorage with the other widget).
async fn open_the_tab_fully(root: &Element, tab: Tab) {
    match tab {
        Tab::Incidents => click(root, "[data-sla-incident]").await,
        Tab::Claims => {
            let step = attr(&wait_for(root, "[data-sla-step]").await, "data-sla-step");
            if step == "periods" {
                click(root, "[data-sla-choose-month=\"2026-02\"] input").await;
                click(root, "[data-sla-action=next]").await;
                click(root, "input[value=contract_credit]").await;
                click(root, "[data-sla-action=next]").await;
                click(root, "[data-sla-action=next]").await;
            }
            wait_for(root, "[data-sla-step=contact]").await;
        }
        _ => {}
    }
}

/// Each `label[for]` names an element of its own widget, and a form control.
fn labels_point_home(root: &Element) {
    let labels = root.query_selector_all("label[for]").unwrap();
    for i in 0..labels.length() {
        let label: Element = labels.get(i).unwrap().unchecked_into();
        let target = attr(&label, "for");
        let el = document()
            .get_element_by_id(&target)
            .unwrap_or_else(|| panic!("label for={target} names nothing"));
        assert!(
            root.contains(Some(&el)),
            "label for={target} leaves its widget"
        );
        let tag = el.tag_name().to_lowercase();
        assert!(
            ["input", "select", "textarea"].contains(&tag.as_str()),
            "label for={target} names a <{tag}>"
        );
    }
}

#[wasm_bindgen_test]
async fn two_widgets_do_not_interfere() {
    sla_portal::draft::clear("BS-2026-0001");
    let (a, b) = (host(), host());
    let with_claims = |locale: &str| {
        let o = options(USAGE, INCIDENTS, locale);
        Reflect::set(&o, &"claimsUrl".into(), &blob_url(CLAIMS).into()).unwrap();
        o
    };
    let mut ha = sla_portal::mount(a.clone(), with_claims("en")).unwrap();
    let mut hb = sla_portal::mount(b.clone(), with_claims("zh-CN")).unwrap();
    wait_for(&a, ".slap-header").await;
    wait_for(&b, ".slap-header").await;
    // Switching a tab in one leaves the other where it was.
    click(&a, "[role=tab][aria-controls$=periods]").await;
    assert!(a
        .query_selector("[data-sla-tab=periods]")
        .unwrap()
        .is_some());
    assert!(b
        .query_selector("[data-sla-tab=overview]")
        .unwrap()
        .is_some());
    // Every tab of both, each opened as far as it goes, while the other shows the same tab.
    let mut labels = 0;
    for tab in Tab::ALL {
        let id = tab.id();
        for root in [&a, &b] {
            click(root, &format!("[role=tab][aria-controls$=panel-{id}]")).await;
            wait_for(root, &format!("[data-sla-tab={id}]")).await;
            open_the_tab_fully(root, tab).await;
        }
        let (ia, ib) = (ids(&a), ids(&b));
        let mut all: Vec<&String> = ia.iter().chain(&ib).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "duplicate ids on tab {id}: {ia:?} {ib:?}");
        assert!(!ia.is_empty() && !ib.is_empty());
        labels_point_home(&a);
        labels_point_home(&b);
        labels += a.query_selector_all("label[for]").unwrap().length();
    }
    // The incident filters (4 selects and the search) and the contact step (4 fields).
    assert!(labels >= 9, "only {labels} labels seen");
    ha.unmount();
    yew::scheduler::flush().await;
    assert!(a.query_selector(".slap").unwrap().is_none());
    assert!(b.query_selector(".slap").unwrap().is_some());
    hb.unmount();
    sla_portal::draft::clear("BS-2026-0001");
}

#[wasm_bindgen_test]
fn report_export_takes_strings_and_bytes() {
    let opts = Object::new();
    Reflect::set(&opts, &"asOf".into(), &AS_OF.into()).unwrap();
    let from_text =
        sla_portal::stage::report(USAGE.into(), INCIDENTS.into(), opts.clone().into()).unwrap();
    let bytes = Uint8Array::from(USAGE.as_bytes());
    let from_bytes =
        sla_portal::stage::report(bytes.into(), INCIDENTS.into(), opts.into()).unwrap();
    assert_eq!(from_text, from_bytes);
    let r: serde_json::Value = serde_json::from_str(&from_text).unwrap();
    // Entitlement of the worked example: 2 units, contract credit 1,000 + 1,101 = 2,101.
    assert_eq!(r["entitlement"]["units"], 2);
    assert_eq!(r["entitlement"]["contract_credit"]["contracts"], 2101);
    let err = sla_portal::stage::report("{}".into(), INCIDENTS.into(), JsValue::UNDEFINED);
    assert!(err.is_err());
}

/// Issue 9: options with a policy document and an as-of instant of the caller's choice.
fn options_with(usage: &str, incidents: &str, policy: &str, as_of: &str, locale: &str) -> JsValue {
    let o = options(usage, incidents, locale);
    Reflect::set(&o, &"policyUrl".into(), &blob_url(policy).into()).unwrap();
    Reflect::set(&o, &"asOf".into(), &as_of.into()).unwrap();
    o
}

fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn excluded_time_rows_carry_the_report_values() {
    let root = host();
    let mut h = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    wait_for(&root, ".slap-header").await;
    click(&root, "[role=tab][aria-controls$=periods]").await;
    wait_for(&root, "[data-sla-excluded-time=term] [data-sla-exclusion]").await;
    let rows = root.query_selector_all("[data-sla-exclusion]").unwrap();
    assert_eq!(rows.length(), 2);
    let row = |id: &str| {
        root.query_selector(&format!("[data-sla-exclusion=\"{id}\"]"))
            .unwrap()
            .unwrap()
    };
    // Worked example README: MW-1 (02-10 10:00–10:20, announced 02-07 18:00, 2 days 16 h =
    // 3,840 min ahead) applied, 20 minutes; MW-2 (03-20 02:00, announced 02:10) not applied.
    let mw1 = row("MW-1");
    assert_eq!(attr(&mw1, "data-applied"), "true");
    assert_eq!(attr(&mw1, "data-excluded-minutes"), "20");
    assert!(
        text(&mw1).contains("announced 2 d 16 h before"),
        "{}",
        text(&mw1)
    );
    assert!(text(&mw1).contains("upgrade") && text(&mw1).contains("数据库升级"));
    let mw2 = row("MW-2");
    assert_eq!(attr(&mw2, "data-applied"), "false");
    assert_eq!(attr(&mw2, "data-excluded-minutes"), "0");
    assert_eq!(attr(&mw2, "data-reason"), "announced_late");
    assert!(
        text(&mw2).contains("announced 10 min after it began"),
        "{}",
        text(&mw2)
    );
    assert!(
        text(&mw2).contains("Not announced in advance"),
        "{}",
        text(&mw2)
    );

    // February's own view lists MW-1 only, with the minutes it removed in February.
    click(&root, "[data-sla-month=\"2026-02\"]").await;
    let month = wait_for(&root, "[data-sla-excluded-time=month]").await;
    assert_eq!(attr(&month, "data-month"), "2026-02");
    let rows = month.query_selector_all("[data-sla-exclusion]").unwrap();
    assert_eq!(rows.length(), 1);
    let mw1 = month
        .query_selector("[data-sla-exclusion]")
        .unwrap()
        .unwrap();
    assert_eq!(attr(&mw1, "data-sla-exclusion"), "MW-1");
    assert_eq!(attr(&mw1, "data-month-excluded-minutes"), "20");
    // The printed statement carries February's record too, without a second hook.
    let statement = wait_for(&root, "[data-sla-statement=\"2026-02\"]").await;
    assert!(text(&statement).contains("MW-1"));
    assert!(statement
        .query_selector("[data-sla-exclusion]")
        .unwrap()
        .is_none());
    // No policy versions in this report: no version badge.
    assert!(root
        .query_selector("[data-sla-policy-version]")
        .unwrap()
        .is_none());
    h.unmount();
}

#[wasm_bindgen_test]
async fn overview_says_how_availability_is_computed_from_the_rules() {
    let root = host();
    // A policy with other figures than the defaults: the words must follow it.
    let policy = r#"{ "schema": "sla-portal/policy/v1", "minute_ok_ratio": "0.95",
        "min_outage_minutes": 3, "missing_data": "down" }"#;
    let mut h = sla_portal::mount(
        root.clone(),
        options_with(USAGE, INCIDENTS, policy, AS_OF, "en"),
    )
    .unwrap();
    let how = wait_for(&root, "[data-sla-how]").await;
    let t = text(&how);
    assert!(t.contains("at least 95 % of its requests succeed"), "{t}");
    assert!(t.contains("shorter than 3 minutes do not count"), "{t}");
    assert!(t.contains("without data counts as unavailable"), "{t}");
    h.unmount();

    let root = host();
    let mut h = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "zh-CN")).unwrap();
    let t = text(&wait_for(&root, "[data-sla-how]").await);
    // The defaults: 90 %, 5 minutes, missing data up.
    assert!(t.contains("至少 90% 的请求得到正常响应"), "{t}");
    assert!(t.contains("不足 5 分钟"), "{t}");
    assert!(t.contains("没有数据的分钟按可用计"), "{t}");
    h.unmount();
}

#[wasm_bindgen_test]
async fn a_month_shows_the_version_of_the_terms_that_judged_it() {
    let root = host();
    let f = |n: &str| n.to_string();
    let usage = f(include_str!(
        "../crates/sla-rules/tests/fixtures/policy-versions/usage.json"
    ));
    let incidents = f(include_str!(
        "../crates/sla-rules/tests/fixtures/policy-versions/incidents.json"
    ));
    let policy = include_str!("../crates/sla-rules/tests/fixtures/policy-versions/policy.json");
    let as_of = include_str!("../crates/sla-rules/tests/fixtures/policy-versions/as_of.txt").trim();
    let mut h = sla_portal::mount(
        root.clone(),
        options_with(&usage, &incidents, policy, as_of, "en"),
    )
    .unwrap();
    wait_for(&root, ".slap-header").await;
    click(&root, "[role=tab][aria-controls$=periods]").await;
    // README: March is judged by the version of 2026-03, February by the top level.
    // The periods table says it on every row.
    let row_version = |m: &str| {
        root.query_selector(&format!(
            "[data-sla-month=\"{m}\"] [data-sla-policy-version]"
        ))
        .unwrap()
        .map(|e| attr(&e, "data-sla-policy-version"))
    };
    assert_eq!(row_version("2026-03").as_deref(), Some("2026-03"));
    assert_eq!(row_version("2026-02").as_deref(), Some(""));
    click(&root, "[data-sla-month=\"2026-03\"]").await;
    let badge = wait_for(&root, ".slap-version [data-sla-policy-version]").await;
    assert_eq!(attr(&badge, "data-sla-policy-version"), "2026-03");
    assert_eq!(text(&badge).trim(), "Terms from March 2026");
    click(&root, "[role=tab][aria-controls$=periods]").await;
    click(&root, "[data-sla-month=\"2026-02\"]").await;
    wait_for(&root, "[data-sla-timeline-month=\"2026-02\"]").await;
    let badge = wait_for(&root, ".slap-version [data-sla-policy-version]").await;
    assert_eq!(attr(&badge, "data-sla-policy-version"), "");
    assert_eq!(text(&badge).trim(), "Original terms");
    h.unmount();
}

#[wasm_bindgen_test]
async fn agreement_view_lists_every_clause_and_links_to_the_measuring_view() {
    let root = host();
    let mut h = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "zh-CN")).unwrap();
    wait_for(&root, ".slap-header").await;
    click(&root, "[role=tab][aria-controls$=agreement]").await;
    wait_for(&root, "[data-sla-agreement]").await;
    // §1, §2.1–2.3, §3.1–3.2, §4.1–4.13, §4.14.1–4.14.2, §5, §6: 1 + 3 + 2 + 13 + 2 + 1 + 1 = 23.
    let clauses = root.query_selector_all("[data-sla-clause]").unwrap();
    assert_eq!(clauses.length(), 23);
    let clause = |n: &str| {
        root.query_selector(&format!("[data-sla-clause=\"{n}\"]"))
            .unwrap()
            .unwrap()
    };
    let dr = clause("4.5");
    assert_eq!(attr(&dr, "data-handling"), "stated");
    assert!(text(&dr).contains("上海") && text(&dr).contains("深圳"));
    assert_eq!(attr(&clause("4.13"), "data-handling"), "stated");
    assert!(text(&clause("4.12")).contains("至少保留 2 年"));
    assert_eq!(attr(&clause("4.9"), "data-handling"), "not_measurable");
    assert_eq!(attr(&clause("4.8"), "data-handling"), "measured");
    // The measured clause opens its view.
    click(&root, "[data-sla-clause=\"4.8\"] [data-sla-open-tab]").await;
    let tab = wait_for(&root, "[role=tab][aria-selected=true]").await;
    assert!(attr(&tab, "aria-controls").ends_with("availability"));
    h.unmount();
}

/// The `sla-portal:*` events a host listens for, recorded on the mount element.
fn record_events(root: &Element) -> std::rc::Rc<std::cell::RefCell<Vec<(String, JsValue)>>> {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    for name in [
        "sla-portal:ready",
        "sla-portal:month-selected",
        "sla-portal:error",
    ] {
        let s = seen.clone();
        let cb = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(
            move |e: web_sys::CustomEvent| s.borrow_mut().push((e.type_(), e.detail())),
        );
        root.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref())
            .unwrap();
        cb.forget();
    }
    seen
}

/// A locale the widget does not speak is the host's `fallbackLocale`, quietly: no
/// `sla-portal:error`, and an update of either option decides again.
#[wasm_bindgen_test]
async fn an_unspoken_locale_gets_the_hosts_fallback() {
    let root = host();
    let seen = record_events(&root);
    let o = options(USAGE, INCIDENTS, "ja");
    Reflect::set(&o, &"fallbackLocale".into(), &"en".into()).unwrap();
    let mut handle = sla_portal::mount(root.clone(), o).unwrap();
    let title = wait_for(&root, ".slap-title").await;
    assert_eq!(title.text_content().unwrap(), "SLA report");
    assert_eq!(
        attr(&root.query_selector(".slap").unwrap().unwrap(), "lang"),
        "en"
    );
    for _ in 0..50 {
        if !seen.borrow().is_empty() {
            break;
        }
        yew::scheduler::flush().await;
        sleep(20).await;
    }
    let set = |k: &str, v: &str| {
        let o = Object::new();
        Reflect::set(&o, &k.into(), &v.into()).unwrap();
        JsValue::from(o)
    };
    // Still "ja": the new fallback decides.
    handle.update(set("fallbackLocale", "zh-CN")).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(
        attr(&root.query_selector(".slap").unwrap().unwrap(), "lang"),
        "zh-CN"
    );
    handle.update(set("locale", "en-GB")).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(
        attr(&root.query_selector(".slap").unwrap().unwrap(), "lang"),
        "en"
    );
    // The fallback must be a locale the widget speaks.
    assert!(handle.update(set("fallbackLocale", "fr")).is_err());
    let names: Vec<String> = seen.borrow().iter().map(|s| s.0.clone()).collect();
    assert_eq!(names, ["sla-portal:ready"]);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn host_events_and_update_without_remount() {
    let root = host();
    let seen = record_events(&root);
    let mut handle = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    wait_for(&root, ".slap-header").await;
    for _ in 0..50 {
        if !seen.borrow().is_empty() {
            break;
        }
        yew::scheduler::flush().await;
        sleep(20).await;
    }
    {
        let seen = seen.borrow();
        assert_eq!(seen.len(), 1, "one ready event");
        assert_eq!(seen[0].0, "sla-portal:ready");
        let d = &seen[0].1;
        let get = |k: &str| Reflect::get(d, &k.into()).unwrap();
        // Worked example README: February and March breached, 2 units, credit 2,101.
        assert_eq!(get("units").as_f64(), Some(2.0));
        assert_eq!(get("contractCredit").as_f64(), Some(2101.0));
        assert_eq!(
            js_sys::Array::from(&get("breachedMonths"))
                .join(",")
                .as_string()
                .unwrap(),
            "2026-02,2026-03"
        );
    }
    let before = root.query_selector(".slap").unwrap().unwrap();
    // Locale changes in place: the same root element, no second ready (nothing refetched).
    let o = Object::new();
    Reflect::set(&o, &"locale".into(), &"zh-CN".into()).unwrap();
    handle.update(o.into()).unwrap();
    yew::scheduler::flush().await;
    let after = root.query_selector(".slap").unwrap().unwrap();
    assert_eq!(attr(&after, "lang"), "zh-CN");
    assert!(
        before.is_same_node(Some(&after)),
        "update() does not remount"
    );
    // Bad options throw and change nothing.
    let bad = Object::new();
    Reflect::set(&bad, &"theme".into(), &{
        let t = Object::new();
        Reflect::set(&t, &"color".into(), &"red".into()).unwrap();
        t.into()
    })
    .unwrap();
    assert!(handle.update(bad.into()).is_err());
    // A month picked in the periods table is announced.
    click(&root, "[role=tab][aria-controls$=periods]").await;
    click(&root, "[data-sla-month=\"2026-03\"]").await;
    let seen = seen.borrow();
    assert_eq!(
        seen.len(),
        2,
        "{:?}",
        seen.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
    assert_eq!(seen[1].0, "sla-portal:month-selected");
    assert_eq!(
        Reflect::get(&seen[1].1, &"month".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "2026-03"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_month_whose_data_stops_early_is_flagged_in_both_languages() {
    // Worked example: the last telemetry segment starts 2026-03-15T14:00+08:00 with 12
    // minutes, so the data horizon is 14:12 that day. March has 9 h 48 min = 588 minutes of
    // the 15th left, then 16 whole days (16th–31st) = 23,040: 23,628 minutes after it.
    // February's last segment runs past its end (23:55 + 15 min): nothing after the horizon.
    let root = host();
    let mut h = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    wait_for(&root, ".slap-header").await;
    click(&root, "[role=tab][aria-controls$=periods]").await;
    let horizon = wait_for(&root, "[data-sla-data-horizon]").await;
    assert_eq!(
        attr(&horizon, "data-sla-data-horizon"),
        "2026-03-15T14:12:00+08:00"
    );
    let text = horizon.text_content().unwrap_or_default();
    assert!(text.starts_with("Data up to "), "{text}");
    let row = |m: &str| {
        let sel = format!("[data-sla-month=\"{m}\"]");
        let root = root.clone();
        async move { wait_for(&root, &sel).await }
    };
    let mar = row("2026-03").await;
    assert_eq!(attr(&mar, "data-minutes-after-data-horizon"), "23628");
    let warn = mar
        .query_selector("[data-sla-data-short]")
        .unwrap()
        .expect("March warns that its data stops early");
    let text = warn.text_content().unwrap_or_default();
    assert!(
        text.contains("Data stops before the month's end") && text.contains("23,628"),
        "{text}"
    );
    // March is still judged as the policy says (README: breached by its 5 down minutes).
    assert_eq!(attr(&mar, "data-breached"), "true");
    let feb = row("2026-02").await;
    assert_eq!(attr(&feb, "data-minutes-after-data-horizon"), "0");
    assert!(feb
        .query_selector("[data-sla-data-short]")
        .unwrap()
        .is_none());
    // April is in progress (to 10 April 12:00, 9.5 days = 13,680 minutes, all after the
    // horizon): no warning until it ends.
    let apr = row("2026-04").await;
    assert_eq!(attr(&apr, "data-minutes-after-data-horizon"), "13680");
    assert!(apr
        .query_selector("[data-sla-data-short]")
        .unwrap()
        .is_none());
    // In Chinese too.
    let zh = Object::new();
    Reflect::set(&zh, &"locale".into(), &"zh-CN".into()).unwrap();
    h.update(zh.into()).unwrap();
    let text = wait_for(
        &root,
        "[lang=zh-CN] [data-sla-month=\"2026-03\"] [data-sla-data-short]",
    )
    .await
    .text_content()
    .unwrap_or_default();
    assert!(
        text.contains("数据未到月末") && text.contains("23,628"),
        "{text}"
    );
    let text = wait_for(&root, "[lang=zh-CN] [data-sla-data-horizon]")
        .await
        .text_content()
        .unwrap_or_default();
    assert!(text.starts_with("数据截至 "), "{text}");
    // March opened from its row: the month view says where its data stops, and why the
    // verdict may only reflect that (the policy's default counts minutes without data as up).
    click(&root, "[data-sla-month=\"2026-03\"]").await;
    let text = wait_for(
        &root,
        "[data-sla-selected-month=\"2026-03\"] [data-sla-data-short]",
    )
    .await
    .text_content()
    .unwrap_or_default();
    assert!(
        text.contains("23,628") && text.contains("按政策（无数据分钟计为"),
        "{text}"
    );
    // And in English, the month staying selected.
    let en = Object::new();
    Reflect::set(&en, &"locale".into(), &"en".into()).unwrap();
    h.update(en.into()).unwrap();
    let text = wait_for(
        &root,
        "[lang=en] [data-sla-selected-month=\"2026-03\"] [data-sla-data-short]",
    )
    .await
    .text_content()
    .unwrap_or_default();
    assert!(
        text.contains("23,628 min") && text.contains("minutes without data count as available"),
        "{text}"
    );
    h.unmount();
}

#[wasm_bindgen_test]
async fn the_out_of_reach_notice_follows_the_core() {
    // As of 20 February the worked example's February is in progress, and its down minutes
    // (README: 8) already exceed the whole month's budget (4.03): the core says out of reach.
    let root = host();
    let o = options(USAGE, INCIDENTS, "en");
    Reflect::set(&o, &"asOf".into(), &"2026-02-20T12:00:00+08:00".into()).unwrap();
    Reflect::set(&o, &"refreshSeconds".into(), &JsValue::from_f64(0.0)).unwrap();
    let mut h = sla_portal::mount(root.clone(), o.clone()).unwrap();
    let notice = wait_for(&root, "[data-sla-out-of-reach]").await;
    assert_eq!(attr(&notice, "data-sla-out-of-reach"), "2026-02");
    let text = notice.text_content().unwrap_or_default();
    assert!(
        text.contains("can no longer meet 99.99") && text.contains("claim once it ends"),
        "{text}"
    );
    let report = sla_portal::stage::report(USAGE.into(), INCIDENTS.into(), o.clone()).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let expected: Vec<&str> = report["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["target_out_of_reach"] == true)
        .map(|p| p["month"].as_str().unwrap())
        .collect();
    assert_eq!(expected, ["2026-02"]);
    // In Chinese too.
    let zh = Object::new();
    Reflect::set(&zh, &"locale".into(), &"zh-CN".into()).unwrap();
    h.update(zh.into()).unwrap();
    let text = wait_for(&root, "[lang=zh-CN] [data-sla-out-of-reach]")
        .await
        .text_content()
        .unwrap_or_default();
    assert!(text.contains("本月已无法达到"), "{text}");
    h.unmount();
}

#[wasm_bindgen_test]
fn refresh_seconds_and_subscriptions_url_are_read_from_the_options() {
    use sla_portal::options::{Options, DEFAULT_REFRESH_SECONDS};
    let o = |extra: &[(&str, JsValue)]| {
        let obj = Object::new();
        Reflect::set(&obj, &"usageUrl".into(), &"/u".into()).unwrap();
        Reflect::set(&obj, &"incidentsUrl".into(), &"/i".into()).unwrap();
        Reflect::set(&obj, &"claimsUrl".into(), &"/api/v1/claims".into()).unwrap();
        for (k, v) in extra {
            Reflect::set(&obj, &(*k).into(), v).unwrap();
        }
        Options::from_js(&obj.into())
    };
    let d = o(&[]).unwrap();
    assert_eq!(d.refresh_seconds, DEFAULT_REFRESH_SECONDS);
    assert_eq!(d.subscriptions().as_deref(), Some("/api/v1/subscriptions"));
    assert_eq!(
        o(&[("refreshSeconds", JsValue::from_f64(0.0))])
            .unwrap()
            .refresh_seconds,
        0
    );
    assert!(o(&[("refreshSeconds", JsValue::from_f64(-1.0))]).is_err());
    assert!(o(&[("refreshSeconds", JsValue::from_str("5"))]).is_err());
    let s = o(&[("subscriptionsUrl", JsValue::from_str("/hooks"))]).unwrap();
    assert_eq!(s.subscriptions().as_deref(), Some("/hooks"));
}

/// The full build taking over from the first paint (src/stage/): it starts from the
/// documents it is handed, on the tab, month and element ids it is told, and fetches nothing
/// (its URLs lead nowhere here, so a fetch would end in an error panel) while its options
/// name the documents it was handed.
#[wasm_bindgen_test]
async fn takeover_resumes_from_the_documents_it_is_handed() {
    let root = host();
    let o = Object::new();
    let set = |o: &Object, k: &str, v: JsValue| Reflect::set(o, &k.into(), &v).unwrap();
    set(&o, "usageUrl", "/nowhere/usage.json".into());
    set(&o, "incidentsUrl", "/nowhere/incidents.json".into());
    set(&o, "asOf", AS_OF.into());
    set(&o, "locale", "en".into());
    let resume = Object::new();
    set(&resume, "usage", Uint8Array::from(USAGE.as_bytes()).into());
    set(&resume, "usageEtag", "\"u1\"".into());
    set(
        &resume,
        "incidents",
        Uint8Array::from(INCIDENTS.as_bytes()).into(),
    );
    set(&resume, "policy", JsValue::NULL);
    set(&resume, "tab", Tab::Availability.id().into());
    set(&resume, "month", "2026-03".into());
    set(&resume, "checkedAt", JsValue::from_f64(js_sys::Date::now()));
    set(&resume, "uid", JsValue::from_f64(77.0));
    let from = Object::new();
    set(&from, "usageUrl", "/nowhere/usage.json".into());
    set(&from, "incidentsUrl", "/nowhere/incidents.json".into());
    set(&from, "policyUrl", JsValue::NULL);
    set(&from, "asOf", AS_OF.into());
    set(&resume, "from", from.clone().into());
    let mut handle =
        sla_portal::stage::takeover(root.clone(), o.into(), resume.clone().into()).unwrap();
    // The month it was told, on the tab it was told, with ids of instance 77.
    let fig = wait_for(&root, "[data-sla-timeline-month]").await;
    assert_eq!(attr(&fig, "data-sla-timeline-month"), "2026-03");
    let tab = wait_for(&root, "[role=tab][aria-selected=true]").await;
    assert_eq!(tab.id(), "slap77-tab-availability");
    assert_eq!(
        attr(&wait_for(&root, ".slap").await, "data-sla-stage"),
        "full"
    );
    // Worked README: March 44,635 / 44,640 = 99.98879 %, from the handed bytes.
    click(&root, "[role=tab][aria-controls$=periods]").await;
    let mar = wait_for(&root, "[data-sla-month=\"2026-03\"]").await;
    assert_eq!(attr(&mar, "data-availability"), "99.98879");
    assert!(root.query_selector("[data-sla-error]").unwrap().is_none());
    handle.unmount();

    // The host changed the usage URL while the full build was loading: the handed documents
    // are not the ones asked for, so it reads the options' own (a schema v7 here, which the
    // contract refuses) instead of showing the old report under the new URL.
    let root = host();
    let v7 = USAGE.replacen("\"sla-portal/usage/v1\"", "\"sla-portal/usage/v7\"", 1);
    let moved = sla_portal::stage::takeover(
        root.clone(),
        options(&v7, INCIDENTS, "en"),
        resume.clone().into(),
    );
    let panel = wait_for(&root, "[data-sla-error]").await;
    assert_eq!(attr(&panel, "data-sla-error"), "contract");
    moved.unwrap().unmount();
    // Handed documents that do not say what they were read for are not trusted either.
    Reflect::delete_property(&resume, &"from".into()).unwrap();
    let root = host();
    let unknown =
        sla_portal::stage::takeover(root.clone(), options(&v7, INCIDENTS, "en"), resume.into());
    let panel = wait_for(&root, "[data-sla-error]").await;
    assert_eq!(attr(&panel, "data-sla-error"), "contract");
    unknown.unwrap().unmount();

    // Without the usage bytes there is nothing to resume from: an error naming the field.
    let bad = Object::new();
    set(
        &bad,
        "incidents",
        Uint8Array::from(INCIDENTS.as_bytes()).into(),
    );
    let o = Object::new();
    set(&o, "usageUrl", "/u".into());
    set(&o, "incidentsUrl", "/i".into());
    let err = sla_portal::stage::takeover(host(), o.into(), bad.into())
        .err()
        .unwrap();
    let msg: js_sys::Error = JsValue::from(err).dyn_into().unwrap();
    assert_eq!(String::from(msg.message()), "takeover: usage: required");
}

/// A contracts document of two contracts, both pointing at the worked example's documents.
fn group_options(contracts: &str, locale: &str) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: &str| Reflect::set(&o, &k.into(), &v.into()).unwrap();
    set("contractsUrl", &blob_url(contracts));
    set("locale", locale);
    set("asOf", AS_OF);
    o.into()
}

fn two_contracts() -> String {
    let (u, i) = (blob_url(USAGE), blob_url(INCIDENTS));
    let one = |id: &str, months: &str, units: u32| {
        format!(
            r#"{{"id":"{id}","name":"Contract {id}","service_start":"2026-01-15","service_end":"2027-01-14",
            "timezone":"+08:00","links":{{"usage":"{u}","incidents":"{i}"}},
            "summary":{{"last_judged":{{"month":"2026-03","availability":"99.98879","breached":true}},
            "breached_months":{months},"claimable_units":{units},"claims":{{"submitted":0}}}}}}"#
        )
    };
    format!(
        r#"{{"schema":"sla-portal/contracts/v1","contracts":[{},{}]}}"#,
        one("c-one", r#"["2026-02","2026-03"]"#, 2),
        one("c-two", "[]", 0)
    )
}

#[wasm_bindgen_test]
async fn a_group_shows_its_summary_switcher_and_the_first_report() {
    let root = host();
    let mut handle =
        sla_portal::mount(root.clone(), group_options(&two_contracts(), "en")).unwrap();
    wait_for(&root, ".slap-header").await;
    let rows = root.query_selector_all("[data-sla-contract]").unwrap();
    assert_eq!(rows.length(), 2);
    let row = |id: &str| {
        root.query_selector(&format!("[data-sla-contract=\"{id}\"]"))
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        attr(&row("c-one"), "data-breached-months"),
        "2026-02 2026-03"
    );
    assert_eq!(attr(&row("c-one"), "data-claimable-units"), "2");
    assert_eq!(attr(&row("c-one"), "aria-current"), "true");
    assert_eq!(attr(&row("c-two"), "data-breached-months"), "");
    // The shown report is the worked example's, read through c-one's links: the same months
    // breached as its summary row says (Feb 99.98014 %, Mar 99.98879 %).
    click(&root, "[role=tab][aria-controls$=periods]").await;
    let breached = root
        .query_selector_all("[data-sla-month][data-breached=true]")
        .unwrap();
    assert_eq!(breached.length(), 2);
    // The switcher, by its change event, shows c-two.
    let sel: web_sys::HtmlSelectElement = wait_for(&root, "select[data-sla-contract-switcher]")
        .await
        .dyn_into()
        .unwrap();
    assert_eq!(sel.length(), 2);
    sel.set_value("c-two");
    sel.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(attr(&row("c-two"), "aria-current"), "true");
    assert_eq!(attr(&row("c-one"), "aria-current"), "");
    handle.unmount();
    yew::scheduler::flush().await;
    assert!(root.query_selector(".slap").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_bad_contracts_list_names_its_json_path() {
    let root = host();
    let bad = two_contracts().replacen(r#""usage":""#, r#""usage":7,"x":""#, 1);
    let _handle = sla_portal::mount(root.clone(), group_options(&bad, "en")).unwrap();
    let panel = wait_for(&root, "[data-sla-error=contract]").await;
    let path = wait_for(&panel, "[data-sla-error-path]").await;
    assert_eq!(path.text_content().unwrap(), "contracts[0].links.usage");
    // Not a document at all: said so, no panic.
    let root = host();
    let _h = sla_portal::mount(root.clone(), group_options("<html>502</html>", "zh-CN")).unwrap();
    wait_for(&root, "[data-sla-error=not-json]").await;
}

#[wasm_bindgen_test]
async fn unmount_in_the_same_tick_as_mount_draws_and_announces_nothing() {
    // yew runs queued destructions before queued creations: an unmount right after mount
    // used to find nothing to destroy, and the widget then lived on.
    let root = host();
    let heard = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let count = heard.clone();
    let listener =
        wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || count.set(count.get() + 1));
    root.add_event_listener_with_callback("sla-portal:ready", listener.as_ref().unchecked_ref())
        .unwrap();
    let mut handle = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    handle.unmount();
    for _ in 0..10 {
        yew::scheduler::flush().await;
        sleep(20).await;
    }
    assert_eq!(root.child_element_count(), 0, "{}", root.inner_html());
    assert_eq!(heard.get(), 0);
    // The same element mounts again, and this widget is drawn and announced once.
    let mut again = sla_portal::mount(root.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    wait_for(&root, "[data-sla-breached-count]").await;
    for _ in 0..5 {
        yew::scheduler::flush().await;
        sleep(20).await;
    }
    assert_eq!(
        root.query_selector_all("[data-sla-portal]")
            .unwrap()
            .length(),
        1
    );
    assert_eq!(heard.get(), 1);
    again.unmount();
    yew::scheduler::flush().await;
    assert_eq!(root.child_element_count(), 0);
}
