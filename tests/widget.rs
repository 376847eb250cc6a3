//! Browser tests of the mounted widget: fixture data in, rendered text and `data-sla-*` hooks checked.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const USAGE: &str = include_str!("fixtures/worked/usage.json");
const INCIDENTS: &str = include_str!("fixtures/worked/incidents.json");
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

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
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
        text.contains("✕") && text.contains("Agreement breached"),
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
        "1 次故障，计入 5 分钟不可用；31 天的月份停机预算为 4.46 分钟。"
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

#[wasm_bindgen_test]
async fn two_widgets_do_not_interfere() {
    let a = host();
    let b = host();
    let mut ha = sla_portal::mount(a.clone(), options(USAGE, INCIDENTS, "en")).unwrap();
    let mut hb = sla_portal::mount(b.clone(), options(USAGE, INCIDENTS, "zh-CN")).unwrap();
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
    // Element ids are unique across both widgets.
    let ids = |e: &Element| {
        let list = e.query_selector_all("[id]").unwrap();
        (0..list.length())
            .map(|i| list.get(i).unwrap().unchecked_into::<Element>().id())
            .collect::<Vec<_>>()
    };
    let (ia, ib) = (ids(&a), ids(&b));
    assert!(!ia.is_empty());
    assert!(ia.iter().all(|i| !ib.contains(i)), "{ia:?} {ib:?}");
    ha.unmount();
    yew::scheduler::flush().await;
    assert!(a.query_selector(".slap").unwrap().is_none());
    assert!(b.query_selector(".slap").unwrap().is_some());
    hb.unmount();
}

#[wasm_bindgen_test]
fn report_export_takes_strings_and_bytes() {
    let opts = Object::new();
    Reflect::set(&opts, &"asOf".into(), &AS_OF.into()).unwrap();
    let from_text =
        sla_portal::report(USAGE.into(), INCIDENTS.into(), opts.clone().into()).unwrap();
    let bytes = Uint8Array::from(USAGE.as_bytes());
    let from_bytes = sla_portal::report(bytes.into(), INCIDENTS.into(), opts.into()).unwrap();
    assert_eq!(from_text, from_bytes);
    let r: serde_json::Value = serde_json::from_str(&from_text).unwrap();
    // Entitlement of the worked example: 2 units, contract credit 1,000 + 1,101 = 2,101.
    assert_eq!(r["entitlement"]["units"], 2);
    assert_eq!(r["entitlement"]["contract_credit"]["contracts"], 2101);
    let err = sla_portal::report("{}".into(), INCIDENTS.into(), JsValue::UNDEFINED);
    assert!(err.is_err());
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
