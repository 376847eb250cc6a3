//! Compiles the widget's stylesheet in without its comments and indentation (`crate::CSS`).
//!
//! The stylesheet is written for people (static/sla-portal.css); the copy in the wasm is
//! for the browser, and every byte of it is downloaded before the first chart. The rules are
//! deliberately few and safe: comments go, runs of white space become one space, and the
//! space beside `{`, `}`, `;` and `,` goes. Nothing else changes (a space before `:` can be a
//! descendant combinator, so it stays).

use std::{env, fs, path::Path};

fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let punct = |c: Option<char>| matches!(c, Some('{' | '}' | ';' | ','));
    let mut tight = String::with_capacity(collapsed.len());
    let mut chars = collapsed.chars().peekable();
    let mut last = None;
    while let Some(c) = chars.next() {
        if c == ' ' && (punct(last) || punct(chars.peek().copied())) {
            continue;
        }
        tight.push(c);
        last = Some(c);
    }
    tight
}

fn main() {
    let src = "static/sla-portal.css";
    println!("cargo::rerun-if-changed={src}");
    let css = fs::read_to_string(src).expect("static/sla-portal.css");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("sla-portal.min.css");
    fs::write(out, minify(&css)).expect("write the minified stylesheet");
}
