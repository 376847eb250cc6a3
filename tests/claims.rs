//! Browser tests of the claim form: random claim_ids, the localStorage round trip without
//! credentials, and the rendered steps. The draft's pure logic (steps, retries, the
//! reducer) is tested natively in `src/draft.rs`. Figures come from the worked example
//! (crates/sla-rules/tests/fixtures/worked/README.md).
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use sla_portal::claims_api::{ClaimsCtx, ClaimsStatus};
use sla_portal::draft::{self, Draft, Step};
use sla_portal::env::{Env, ViewProps};
use sla_portal::i18n::{Key, Locale};
use sla_portal::intl::Formats;
use sla_portal::options::Options;
use sla_portal::state::Loaded;
use sla_portal::views::claims::flow::ClaimFlow;
use sla_rules::claims::{is_uuid_v4, Remedy};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONTRACT: &str = "BS-2026-0001";

fn loaded() -> Rc<Loaded> {
    let ev = sla_portal::load::evaluate(
        include_bytes!("../crates/sla-rules/tests/fixtures/worked/usage.json"),
        include_bytes!("../crates/sla-rules/tests/fixtures/worked/incidents.json"),
        None,
        "2026-04-10T12:00:00+08:00",
        ["u", "i", "p"],
    )
    .expect("worked example");
    Rc::new(Loaded { ev })
}

fn open() -> Vec<String> {
    vec!["2026-02".into(), "2026-03".into()]
}

fn fresh() -> Draft {
    Draft::new(CONTRACT, draft::new_claim_id().expect("crypto"))
}

#[wasm_bindgen_test]
fn claim_ids_are_random_uuid_v4() {
    let a = draft::new_claim_id().unwrap();
    let b = draft::new_claim_id().unwrap();
    assert!(is_uuid_v4(&a) && is_uuid_v4(&b));
    assert_ne!(a, b);
}

/// A draft ready to submit: February, a service extension, valid contact details.
fn ready_draft(data: &Loaded) -> Draft {
    let r = &data.ev.report;
    let mut d = fresh();
    d.toggle_period("2026-02");
    d.set_remedy(Remedy::ServiceExtension);
    d.set_contact("name", "王敏".into());
    d.set_contact("email", "wm@example.com".into());
    d.set_contact("phone", "13800000000".into());
    for _ in 0..4 {
        d.next(r, &[]).unwrap();
    }
    d
}

#[wasm_bindgen_test]
fn the_draft_survives_storage_without_credentials() {
    draft::clear(CONTRACT);
    assert_eq!(draft::load(CONTRACT), None);
    let data = loaded();
    let mut d = ready_draft(&data);
    d.begin_submit(&data.ev.report, &[]);
    draft::save(&d);
    assert_eq!(draft::load(CONTRACT), Some(d.clone()));
    let raw = draft::stored_text(CONTRACT).unwrap();
    assert!(
        !raw.to_lowercase().contains("bearer") && !raw.to_lowercase().contains("authorization")
    );
    // Another contract's widget sees nothing of it.
    assert_eq!(draft::load("BS-OTHER"), None);
    draft::clear(CONTRACT);
    assert_eq!(draft::load(CONTRACT), None);
}

#[derive(Properties, PartialEq)]
struct HostProps {
    view: ViewProps,
}

#[component]
fn Host(props: &HostProps) -> Html {
    let ctx = ClaimsCtx {
        status: ClaimsStatus::Ready,
        claims: Rc::new(Vec::new()),
        reload: Callback::noop(),
        confirmed: Callback::noop(),
    };
    html! {
        <ContextProvider<ClaimsCtx> context={ctx}>
            <ClaimFlow view={props.view.clone()} open={open()} />
        </ContextProvider<ClaimsCtx>>
    }
}

fn click(root: &web_sys::Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector}"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

fn type_into(root: &web_sys::Element, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement = root
        .query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(value);
    let ev = web_sys::InputEvent::new("input").unwrap();
    input.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn the_rendered_form_validates_and_keeps_its_draft() {
    draft::clear(CONTRACT);
    let doc = gloo_doc();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let data = loaded();
    let env = Rc::new(Env {
        locale: Locale::ZhCn,
        fmt: Formats::new(Locale::ZhCn, "+08:00"),
    });
    let view = ViewProps {
        data,
        env: env.clone(),
        month: None,
        on_select_month: Callback::noop(),
        on_tab: Callback::noop(),
        options: Rc::new(Options {
            claims_url: Some("/claims".into()),
            ..Options::default()
        }),
        uid: 7,
    };
    let handle =
        yew::Renderer::<Host>::with_root_and_props(root.clone(), HostProps { view }).render();
    yew::scheduler::flush().await;
    let step = |root: &web_sys::Element| {
        root.query_selector("[data-sla-step]")
            .unwrap()
            .unwrap()
            .get_attribute("data-sla-step")
            .unwrap()
    };
    assert_eq!(step(&root), "periods");
    click(&root, "[data-sla-action=next]");
    yew::scheduler::flush().await;
    let text = root.text_content().unwrap();
    assert!(text.contains(env.t(Key::ProbNoPeriod)), "{text}");
    click(&root, "[data-sla-choose-month=\"2026-02\"] input");
    yew::scheduler::flush().await;
    click(&root, "[data-sla-action=next]");
    yew::scheduler::flush().await;
    assert_eq!(step(&root), "remedy");
    click(&root, "input[value=contract_credit]");
    yew::scheduler::flush().await;
    click(&root, "[data-sla-action=next]");
    yew::scheduler::flush().await;
    assert_eq!(step(&root), "evidence");
    // February's evidence: its two outages, with 6 and 2 counted minutes (README).
    assert!(root
        .query_selector("[data-sla-outage=\"OUT-20260210T0957\"][data-counted-minutes=\"6\"]")
        .unwrap()
        .is_some());
    click(&root, "[data-sla-action=next]");
    yew::scheduler::flush().await;
    assert_eq!(step(&root), "contact");
    type_into(&root, "#slap7-claim-name", "王敏");
    type_into(&root, "#slap7-claim-email", "not-an-address");
    type_into(&root, "#slap7-claim-phone", "13800000000");
    yew::scheduler::flush().await;
    click(&root, "[data-sla-action=next]");
    yew::scheduler::flush().await;
    assert_eq!(step(&root), "contact", "an invalid e-mail keeps the step");
    let err = root
        .query_selector("[data-sla-error=email]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(err, env.t(Key::ProbEmailInvalid));
    assert_eq!(
        root.query_selector("#slap7-claim-email")
            .unwrap()
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    // Everything typed is in the stored draft already.
    let stored = draft::load(CONTRACT).expect("draft stored");
    assert_eq!(stored.periods, ["2026-02"]);
    assert_eq!(stored.remedy, Some(Remedy::ContractCredit));
    assert_eq!(stored.contact.email, "not-an-address");
    assert_eq!(stored.step, Step::Contact);
    handle.destroy();
    // A new mount (a reload) restores the same step, values and claim_id.
    let handle = yew::Renderer::<Host>::with_root_and_props(
        root.clone(),
        HostProps {
            view: ViewProps {
                data: loaded(),
                env,
                month: None,
                on_select_month: Callback::noop(),
                on_tab: Callback::noop(),
                options: Rc::new(Options {
                    claims_url: Some("/claims".into()),
                    ..Options::default()
                }),
                uid: 7,
            },
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert_eq!(step(&root), "contact");
    let name: web_sys::HtmlInputElement = root
        .query_selector("#slap7-claim-name")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(name.value(), "王敏");
    assert_eq!(draft::load(CONTRACT).unwrap().claim_id, stored.claim_id);
    handle.destroy();
    draft::clear(CONTRACT);
}

fn gloo_doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}
