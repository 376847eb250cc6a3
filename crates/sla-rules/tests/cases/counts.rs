// The count scanner's edge cases and random documents, shared by `counts.rs`'s unit tests
// (the SSE2 path and the byte loop, natively) and `tests/counts_simd.rs` at the repository
// root (the simd128 path, in wasm).
// Each is a `total` array, as `{"telemetry":[{"total":ARRAY}]}`, and the values it must
// read as, or `None` where the scanner must leave the document to serde_json. The simd
// path reads 32 bytes at a time from the first digit (the byte loop takes over for the
// last 32 bytes of the document); the comments count bytes from that first digit.

/// (array, the values read by hand).
const CASES: &[(&str, Option<&[u32]>)] = &[
    // Empty, and empty with whitespace.
    ("[]", Some(&[])),
    ("[ \n]", Some(&[])),
    ("[7]", Some(&[7])),
    // The first chunk is exactly `1,22,333,4444,5,1,22,333,4444,5,` (32 bytes, ending on its
    // comma); the next starts at `66`; the last 32 bytes are the byte loop's.
    (
        "[1,22,333,4444,5,1,22,333,4444,5,66,777,8888,9,10,11,12,13,14,15,16]",
        Some(&[
            1, 22, 333, 4444, 5, 1, 22, 333, 4444, 5, 66, 777, 8888, 9, 10, 11, 12, 13, 14, 15, 16,
        ]),
    ),
    // A chunk ending inside a number: `…,4444,5555` | `5,6,…`; the next chunk starts at that
    // number, which has five digits: the byte loop reads it and the next ones.
    (
        "[1,22,333,4444,1,22,333,4444,55555,6,7,8,9,10,11,12,13,14,15,16,17,18,19]",
        Some(&[
            1, 22, 333, 4444, 1, 22, 333, 4444, 55555, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
            18, 19,
        ]),
    ),
    // u32::MAX across the first chunk's end (it starts at byte 30).
    (
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,4294967295,1,2,3,4,5,6,7,8,9,10,11,12]",
        Some(&[
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            12,
            13,
            u32::MAX,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            12,
        ]),
    ),
    // Zeros alone are numbers; 9999 is the largest the vectors compute, 1000 has zeros inside.
    (
        "[7,0,10,0,9999,1000,0,5,12,345,6789,1,2,3,4,5,6,7,8,9]",
        Some(&[
            7, 0, 10, 0, 9999, 1000, 0, 5, 12, 345, 6789, 1, 2, 3, 4, 5, 6, 7, 8, 9,
        ]),
    ),
    // Six to ten digits.
    (
        "[123456,7654321,12345678,123456789,4294967295,1,2,3,4,5,6,7,8,9,10,11,12]",
        Some(&[
            123_456,
            7_654_321,
            12_345_678,
            123_456_789,
            u32::MAX,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            12,
        ]),
    ),
    // JSON whitespace around numbers and commas, inside a chunk (each after byte 16).
    (
        "[1,2,3,4,5,6,7,8,9, 10,11,12,13,14,15,16,17,18,19,20]",
        Some(&[
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ]),
    ),
    (
        "[1,2,3,4,5,6,7,8,9 ,10,11,12,13,14,15,16,17,18,19,20]",
        Some(&[
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ]),
    ),
    (
        "[1,2,3,4,5,6,7,8,\n9,\t10,11,12,13,14,15,16,17,18,19,20\r\n]",
        Some(&[
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ]),
    ),
    // Whitespace after commas, as Python's json.dumps and pretty-printers write it: read by
    // the vectors too, across chunk ends, however long.
    (
        "[1, 22, 333, 4444, 5, 66, 777, 8888, 9, 10, 11, 12, 13, 14, 15, 16]",
        Some(&[1, 22, 333, 4444, 5, 66, 777, 8888, 9, 10, 11, 12, 13, 14, 15, 16]),
    ),
    (
        "[\n    1,\n    22,\n    333,\n    4444,\n    55555,\n    6,\n    7,\n    8,\n    9,\n    10\n  ]",
        Some(&[1, 22, 333, 4444, 55555, 6, 7, 8, 9, 10]),
    ),
    (
        "[1,                                        2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]",
        Some(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]),
    ),
    // Two commas with whitespace between are still two.
    ("[1,2,3,4,5,6,7,8,9, ,10,11,12,13,14,15,16,17,18,19,20]", None),
    // A zero as the first chunk's last byte (31): here a number, below a leading zero the chunk
    // cannot see (`0` | `1,2,…`).
    (
        "[1,2,3,4,5,6,7,8,10,11,12,13,14,0,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]",
        Some(&[
            1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
            14, 15, 16, 17,
        ]),
    ),
    (
        "[1,2,3,4,5,6,7,8,10,11,12,13,14,01,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]",
        None,
    ),
    // Everything else is refused (most flaws inside the first chunk, after byte 16): leading
    // zeros,
    (
        "[1,2,3,4,5,6,7,8,04,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[1,2,3,4,5,6,7,8,00,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    ("[01,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18]", None),
    // over u32::MAX,
    (
        "[1,2,3,4,5,6,7,8,4294967296,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[1,2,3,4,5,6,7,8,12345678901234567890,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[1,2,3,4,5,6,7,8,99999999999,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    // signs, fractions and exponents (serde_json's),
    (
        "[1,2,3,4,5,6,7,8,-9,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[-1,1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[1,2,3,4,5,6,7,8,+9,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[1,2,3,4,5,6,7,8,1e3,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[1,2,3,4,5,6,7,8,1E3,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    (
        "[1,2,3,4,5,6,7,8,1.0,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    ("[1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20.5]", None),
    // a doubled, leading or trailing comma, a missing one, an unclosed array, a string,
    ("[1,2,3,4,5,6,7,8,,10,11,12,13,14,15,16,17,18,19,20]", None),
    ("[,1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20]", None),
    ("[1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20,]", None),
    ("[1,2,3,4,5,6,7,8,9 10,11,12,13,14,15,16,17,18,19,20]", None),
    ("[1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20", None),
    (
        "[1,2,3,4,5,6,7,8,\"9\",10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
    // and a form feed, which is not JSON whitespace.
    (
        "[1,2,3,4,5,6,7,8,\x0c9,10,11,12,13,14,15,16,17,18,19,20]",
        None,
    ),
];

/// xorshift64: the same documents on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A number of 1 to 4 digits, as minute counts are (`long`: 1 to 10, so that most chunks
/// hold one of five or more), and once in 200 a flaw: a sign, a leading zero, a fraction,
/// an exponent or a value over u32::MAX.
fn number(r: &mut Rng, long: bool, out: &mut String) {
    let len = match r.below(if long { 20 } else { 12 }) {
        0..=11 => 1 + r.below(4),
        12..=18 => 5 + r.below(5),
        _ => 10,
    };
    let flaw = r.below(1000);
    match flaw {
        0 => out.push('-'),
        1 => out.push('0'),
        4 => return out.push_str("4294967296"),
        _ => {}
    }
    for k in 0..len {
        // No leading zero; ten digits start with 1–3, so they stay within u32::MAX.
        let digit = match (k, len) {
            (0, 10) => 1 + r.below(3),
            (0, 2..) => 1 + r.below(9),
            _ => r.below(10),
        };
        out.push(char::from(b'0' + digit as u8));
    }
    match flaw {
        2 => out.push_str(".5"),
        3 => out.push_str("e3"),
        _ => {}
    }
}

/// An array of up to 60 numbers, separated by commas and now and then JSON whitespace,
/// sometimes before a comma, and once in a thousand or so by a form feed, a doubled or a
/// missing comma, or a trailing one.
fn array(r: &mut Rng) -> String {
    let mut a = String::from("[");
    // A third of the arrays have long numbers (left to the byte loop), the rest short ones
    // only (read in the vectors).
    let long = r.below(3) == 0;
    let n = r.below(61);
    for k in 0..n {
        if k > 0 {
            match r.below(2000) {
                0 => a.push_str(",,"),
                1 => a.push(' '),
                2 => a.push_str(", ,"),
                3..=60 => a.push_str(" ,"),
                _ => a.push(','),
            }
        }
        match r.below(2000) {
            0 => a.push('\x0c'),
            1..=150 => a.push([' ', '\n', '\t', '\r'][r.below(4) as usize]),
            _ => {}
        }
        number(r, long, &mut a);
    }
    if r.below(100) == 0 {
        a.push(',');
    }
    a.push(']');
    a
}

/// The vector path (`lift`) and the byte loop (`lift_scalar`) read 3,000 random documents
/// exactly alike: the same values, or both leave the document to serde_json.
#[allow(clippy::type_complexity)]
fn agree_on_random_documents(
    lift: fn(&[u8]) -> Option<(Vec<u8>, Vec<(usize, bool, Vec<u32>)>)>,
    lift_scalar: fn(&[u8]) -> Option<(Vec<u8>, Vec<(usize, bool, Vec<u32>)>)>,
) {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let (mut lifted, mut refused) = (0, 0);
    for _ in 0..3000 {
        let segments: Vec<String> = (0..1 + r.below(3))
            .map(|_| {
                format!(
                    r#"{{"start":"s","total":{},"ok":{}}}"#,
                    array(&mut r),
                    array(&mut r)
                )
            })
            .collect();
        let d = format!(r#"{{"schema":"x","telemetry":[{}]}}"#, segments.join(","));
        let simd = lift(d.as_bytes());
        assert_eq!(simd, lift_scalar(d.as_bytes()), "{d}");
        if simd.is_some() {
            lifted += 1;
        } else {
            refused += 1;
        }
    }
    // Both outcomes are exercised (the flaws make about half the documents refused).
    assert!(
        lifted > 300 && refused > 300,
        "{lifted} lifted, {refused} refused"
    );
}
