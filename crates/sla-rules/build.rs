//! Decides once whether the count scanner has a vector path (`cfg(counts_simd)`), so
//! `counts.rs` names one condition instead of repeating the targets at every site.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(counts_simd)");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let simd128 = std::env::var_os("CARGO_FEATURE_SIMD128").is_some();
    // x86_64 always has SSE2. wasm32 has simd128 only where the full widget asks for it:
    // the first paint keeps the byte loop alone (its size and browsers stay as they are).
    if arch == "x86_64" || (arch == "wasm32" && simd128) {
        println!("cargo::rustc-cfg=counts_simd");
    }
}
