//! The count scanner's vector path, written once: what a chunk of 32 bytes may be read as,
//! decided from its masks (bit k for byte k), and the values pushed. Each instruction set
//! (`wasm`, `sse2`) only loads the chunk, computes the masks and the four-digit values.

use std::cell::Cell;

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub(super) use wasm::pairs;

#[cfg(target_arch = "x86_64")]
mod sse2;
#[cfg(target_arch = "x86_64")]
pub(super) use sse2::pairs;

thread_local! {
    /// Set only by `lift_scalar`, for the tests that hold this path to the byte loop.
    pub(super) static OFF: Cell<bool> = const { Cell::new(false) };
}

/// What to do with one chunk.
pub(super) enum Step {
    /// Leave it (and what follows) to the byte loop.
    Stop,
    /// It has a number of five digits or more: the byte loop reads those faster than this
    /// chunk's mask work and `number` on each would (counts of a busy client), so the
    /// caller reads the next 32 numbers with it.
    Long,
    /// Read it up to its comma `last`: one value ends before each bit of `commas`.
    Take { commas: u64, last: u32 },
}

/// The chunk of 32 bytes from where a number starts is read up to its last comma when
/// everything before that comma is digits and single commas, each perhaps followed by JSON
/// whitespace, with no number but a lone `0` starting with `0`. Anything else (the array's
/// end, the document's last 32 bytes, whitespace before a comma, a sign, a fraction, "01",
/// ",,", a number running past the chunk's last comma) stops it. `spaces` gives the JSON
/// whitespace mask, asked for only in a chunk that has something besides digits and commas,
/// so compact documents never pay for it.
#[inline(always)]
pub(super) fn step(digits: u64, commas: u64, zeros: u64, spaces: impl FnOnce() -> u64) -> Step {
    // Up to the first byte that is none of digit, comma, JSON whitespace, then up to the
    // last comma before it.
    let other = !(digits | commas) & 0xFFFF_FFFF;
    let (end, spaces) = if other == 0 {
        (32, 0)
    } else {
        let spaces = spaces();
        ((other & !spaces | 1 << 32).trailing_zeros(), spaces)
    };
    let commas = commas & ((1 << end) - 1);
    if digits & 1 == 0 || commas == 0 {
        return Step::Stop;
    }
    let last = 63 - commas.leading_zeros();
    let (digits, spaces) = (digits & ((2 << last) - 1), spaces & ((2 << last) - 1));
    let gaps = commas | spaces;
    let starts = 1 | (gaps << 1 & digits);
    // Whitespace only after a comma (as `1, 2` or a new line and indentation), never
    // before one or a second comma in a gap; no leading zero.
    if spaces & !(gaps << 1) != 0 || commas & gaps << 1 != 0 || starts & zeros & digits >> 1 != 0 {
        return Step::Stop;
    }
    if digits & digits >> 1 & digits >> 2 & digits >> 3 & digits >> 4 != 0 {
        return Step::Long;
    }
    Step::Take { commas, last }
}

/// Pushes the value ending before each comma of `commas`; `lanes[k]` is the value of the
/// number whose last digit is byte `k`.
#[inline(always)]
pub(super) fn push(values: &mut Vec<u32>, commas: u64, lanes: &[u16; 32]) {
    // At most sixteen commas in 32 bytes (each follows a digit: position 0 is one, and no
    // two commas touch), written without a capacity check each.
    values.reserve(16);
    let len = values.len();
    let spare = values.spare_capacity_mut();
    let (mut m, mut k) = (commas, 0);
    while m != 0 {
        let c = m.trailing_zeros() as usize;
        spare[k].write(u32::from(lanes[(c - 1) & 31]));
        k += 1;
        m &= m - 1;
    }
    // SAFETY: the `k` elements after `len` were written just above.
    unsafe { values.set_len(len + k) };
}

/// After a comma at `i - 1`: where the next number starts, past JSON whitespace.
#[inline]
pub(super) fn next(b: &[u8], mut i: usize) -> usize {
    super::skip_ws(b, &mut i);
    i
}
