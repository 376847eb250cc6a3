//! The count scanner's vector step with SSE2, which every x86_64 processor has (so no
//! detection at run time): the server's breach sweep and `sla` parse a year of counts with it.
//! The same computation as `wasm.rs`, in the instructions SSE2 offers: no byte shifts or
//! shuffles, so times ten is additions and the lane moves are whole-register byte shifts.

use core::arch::x86_64::*;

use super::{next, push, step, Step};

/// As `wasm::pairs`: reads the `n,` pairs from `i`, where a number starts, pushes their
/// values, and returns where it stopped and whether a number of five digits or more stopped
/// it.
pub(in crate::counts) fn pairs(b: &[u8], i: usize, values: &mut Vec<u32>) -> (usize, bool) {
    // Every x86_64 target has SSE2 (this line does not compile for one that has not).
    const _: () = assert!(cfg!(target_feature = "sse2"));
    // SAFETY: SSE2 is enabled for the whole build (checked above), so calling a function
    // that needs it is sound; rustc still asks for the block.
    unsafe { pairs_sse2(b, i, values) }
}

#[target_feature(enable = "sse2")]
fn pairs_sse2(b: &[u8], mut i: usize, values: &mut Vec<u32>) -> (usize, bool) {
    let zero = _mm_setzero_si128();
    let mask = |v: __m128i| u64::from(_mm_movemask_epi8(v) as u16);
    let splat = |c: u8| _mm_set1_epi8(c as i8);
    while let Some(chunk) = b.get(i..i + 32) {
        // SAFETY: `chunk` is 32 readable bytes; loadu needs no alignment.
        let (v0, v1) = unsafe {
            let p = chunk.as_ptr();
            (_mm_loadu_si128(p.cast()), _mm_loadu_si128(p.add(16).cast()))
        };
        let (d0, d1) = (_mm_sub_epi8(v0, splat(b'0')), _mm_sub_epi8(v1, splat(b'0')));
        // A digit's lane is at most 9 (unsigned): min(d, 9) == d.
        let digit = |d: __m128i| _mm_cmpeq_epi8(_mm_min_epu8(d, splat(9)), d);
        let (is0, is1) = (digit(d0), digit(d1));
        let comma = splat(b',');
        let digits = mask(is0) | mask(is1) << 16;
        let commas = mask(_mm_cmpeq_epi8(v0, comma)) | mask(_mm_cmpeq_epi8(v1, comma)) << 16;
        let zeros = mask(_mm_cmpeq_epi8(d0, zero)) | mask(_mm_cmpeq_epi8(d1, zero)) << 16;
        let spaces = || {
            let ws = |v: __m128i| {
                _mm_or_si128(
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, splat(b' ')),
                        _mm_cmpeq_epi8(v, splat(b'\t')),
                    ),
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, splat(b'\n')),
                        _mm_cmpeq_epi8(v, splat(b'\r')),
                    ),
                )
            };
            mask(ws(v0)) | mask(ws(v1)) << 16
        };
        let (commas, last) = match step(digits, commas, zeros, spaces) {
            Step::Stop => break,
            Step::Long => return (i, true),
            Step::Take { commas, last } => (commas, last),
        };
        // As in wasm.rs: a lane plus ten times the lane before, then plus a hundred times
        // that sum two lanes before when both lanes between are digits. The lanes are digits
        // (0 elsewhere), so ten times one fits a byte.
        let (d0, d1) = (_mm_and_si128(d0, is0), _mm_and_si128(d1, is1));
        let times10 = |x: __m128i| {
            let x2 = _mm_add_epi8(x, x);
            let x8 = _mm_add_epi8(_mm_add_epi8(x2, x2), _mm_add_epi8(x2, x2));
            _mm_add_epi8(x8, x2)
        };
        let p0 = _mm_add_epi8(d0, times10(after(d0, zero)));
        let p1 = _mm_add_epi8(d1, times10(after(d1, d0)));
        let both0 = _mm_and_si128(after(is0, zero), after2(is0, zero));
        let both1 = _mm_and_si128(after(is1, is0), after2(is1, is0));
        let (s0, s1) = (
            _mm_and_si128(after2(p0, zero), both0),
            _mm_and_si128(after2(p1, p0), both1),
        );
        let hundred = _mm_set1_epi16(100);
        let sum = |p: __m128i, s: __m128i, high: bool| {
            let (p, s) = if high {
                (_mm_unpackhi_epi8(p, zero), _mm_unpackhi_epi8(s, zero))
            } else {
                (_mm_unpacklo_epi8(p, zero), _mm_unpacklo_epi8(s, zero))
            };
            _mm_add_epi16(p, _mm_mullo_epi16(s, hundred))
        };
        let mut lanes = [0u16; 32];
        // SAFETY: `lanes` is 64 writable bytes; storeu needs no alignment.
        unsafe {
            let p = lanes.as_mut_ptr();
            _mm_storeu_si128(p.cast(), sum(p0, s0, false));
            _mm_storeu_si128(p.add(8).cast(), sum(p0, s0, true));
            _mm_storeu_si128(p.add(16).cast(), sum(p1, s1, false));
            _mm_storeu_si128(p.add(24).cast(), sum(p1, s1, true));
        }
        push(values, commas, &lanes);
        i = next(b, i + last as usize + 1);
    }
    (i, false)
}

/// The sixteen bytes of `v` moved up one lane, the last of `prev` in front.
#[inline]
#[target_feature(enable = "sse2")]
fn after(v: __m128i, prev: __m128i) -> __m128i {
    _mm_or_si128(_mm_slli_si128::<1>(v), _mm_srli_si128::<15>(prev))
}

/// The sixteen bytes of `v` moved up two lanes, the last two of `prev` in front.
#[inline]
#[target_feature(enable = "sse2")]
fn after2(v: __m128i, prev: __m128i) -> __m128i {
    _mm_or_si128(_mm_slli_si128::<2>(v), _mm_srli_si128::<14>(prev))
}
