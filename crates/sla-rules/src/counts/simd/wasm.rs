//! The count scanner's vector step with wasm simd128, for the full widget (the first paint
//! has no SIMD code: its bytes and the browsers it runs in stay as they are).

use core::arch::wasm32::*;

use super::{next, push, step, Step};

/// Reads the `n,` pairs from `i`, where a number starts, and pushes their values; returns
/// the index after the last comma it read and the whitespace after it (`i` when it read
/// none), and `true` when it stopped at a number of five digits or more (the caller then
/// reads a few numbers with the byte loop before it tries again). What a chunk may be read
/// as is `step`'s; numbers of up to four digits are computed in the vectors. (32 bytes
/// rather than 16: the mask work is per chunk, and halving it took `lift` of the bench year
/// 4.0 → 3.2 ms in Chromium.)
#[target_feature(enable = "simd128")]
pub(in crate::counts) fn pairs(b: &[u8], mut i: usize, values: &mut Vec<u32>) -> (usize, bool) {
    let zero = u8x16_splat(0);
    let mask = |v: v128| u64::from(u8x16_bitmask(v));
    while let Some(chunk) = b.get(i..i + 32) {
        // SAFETY: `chunk` is 32 readable bytes; v128_load needs no alignment.
        let (v0, v1) = unsafe {
            let p = chunk.as_ptr();
            (v128_load(p.cast()), v128_load(p.add(16).cast()))
        };
        let (d0, d1) = (
            u8x16_sub(v0, u8x16_splat(b'0')),
            u8x16_sub(v1, u8x16_splat(b'0')),
        );
        let (is0, is1) = (u8x16_lt(d0, u8x16_splat(10)), u8x16_lt(d1, u8x16_splat(10)));
        let comma = u8x16_splat(b',');
        let digits = mask(is0) | mask(is1) << 16;
        let commas = mask(u8x16_eq(v0, comma)) | mask(u8x16_eq(v1, comma)) << 16;
        let zeros = mask(u8x16_eq(d0, zero)) | mask(u8x16_eq(d1, zero)) << 16;
        // ' ', and '\t' '\n' '\r' from a table (swizzle gives 0 for bytes ≥ 16).
        let spaces = || {
            let table = u8x16(0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 0, 0, 255, 0, 0);
            let ws = |v: v128| v128_or(u8x16_eq(v, u8x16_splat(b' ')), u8x16_swizzle(table, v));
            mask(ws(v0)) | mask(ws(v1)) << 16
        };
        let (commas, last) = match step(digits, commas, zeros, spaces) {
            Step::Stop => break,
            Step::Long => return (i, true),
            Step::Take { commas, last } => (commas, last),
        };
        // The value of each number of up to four digits in the lane of its last digit:
        // a lane plus ten times the lane before (zero where that is a comma), then plus
        // a hundred times that sum two lanes before when both lanes between are digits.
        let (d0, d1) = (v128_and(d0, is0), v128_and(d1, is1));
        let times10 = |x: v128| u8x16_add(u8x16_shl(x, 3), u8x16_shl(x, 1));
        let p0 = u8x16_add(d0, times10(after(d0, zero)));
        let p1 = u8x16_add(d1, times10(after(d1, d0)));
        let both0 = v128_and(after(is0, zero), after2(is0, zero));
        let both1 = v128_and(after(is1, is0), after2(is1, is0));
        let (s0, s1) = (
            v128_and(after2(p0, zero), both0),
            v128_and(after2(p1, p0), both1),
        );
        let hundred = u16x8_splat(100);
        let sum = |p: v128, s: v128, high: bool| {
            let (p, s) = if high {
                (u16x8_extend_high_u8x16(p), u16x8_extend_high_u8x16(s))
            } else {
                (u16x8_extend_low_u8x16(p), u16x8_extend_low_u8x16(s))
            };
            u16x8_add(p, u16x8_mul(s, hundred))
        };
        let mut lanes = [0u16; 32];
        // SAFETY: `lanes` is 64 writable bytes; v128_store needs no alignment.
        unsafe {
            let p = lanes.as_mut_ptr();
            v128_store(p.cast(), sum(p0, s0, false));
            v128_store(p.add(8).cast(), sum(p0, s0, true));
            v128_store(p.add(16).cast(), sum(p1, s1, false));
            v128_store(p.add(24).cast(), sum(p1, s1, true));
        }
        push(values, commas, &lanes);
        i = next(b, i + last as usize + 1);
    }
    (i, false)
}

/// The sixteen bytes of `v` moved up one lane, the last of `prev` in front.
#[inline]
#[target_feature(enable = "simd128")]
fn after(v: v128, prev: v128) -> v128 {
    i8x16_shuffle::<31, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14>(v, prev)
}

/// The sixteen bytes of `v` moved up two lanes, the last two of `prev` in front.
#[inline]
#[target_feature(enable = "simd128")]
fn after2(v: v128, prev: v128) -> v128 {
    i8x16_shuffle::<30, 31, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13>(v, prev)
}
