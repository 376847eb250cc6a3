// The count scanner's edge cases, shared by `counts.rs`'s unit tests (the byte loop,
// natively) and `tests/counts_simd.rs` at the repository root (the simd128 path, in wasm).
// Each is a `total` array, as `{"telemetry":[{"total":ARRAY}]}`, and the values it must
// read as, or `None` where the scanner must leave the document to serde_json. The simd
// path reads sixteen bytes at a time from the first digit; the comments count from there.

/// (array, the values read by hand).
const CASES: &[(&str, Option<&[u32]>)] = &[
    ("[]", Some(&[])),
    ("[ \n]", Some(&[])),
    ("[7]", Some(&[7])),
    // The first chunk is exactly `1,22,333,4444,5,` (ends on its comma); the next stops
    // at `]` and leaves the last number to the byte loop.
    ("[1,22,333,4444,5,66,777,8888,9]", Some(&[1, 22, 333, 4444, 5, 66, 777, 8888, 9])),
    // Zeros alone are numbers; 9999 is the largest the vector computes, 1000 has zeros inside.
    (
        "[7,0,10,0,9999,1000,0,5,12,345,6789,1,2,3,4,5,6,7,8,9]",
        Some(&[7, 0, 10, 0, 9999, 1000, 0, 5, 12, 345, 6789, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ),
    // A chunk ending inside a number: `1,22,333,4444,55` | `555,6,…`; the next chunk has a
    // five-digit number, read one by one.
    (
        "[1,22,333,4444,55555,6,7,8,9,10,11,12,13,14,15]",
        Some(&[1, 22, 333, 4444, 55555, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
    ),
    // Six to ten digits, u32::MAX among them.
    (
        "[123456,7654321,12345678,123456789,4294967295,1,2,3,4,5,6,7,8,9,10]",
        Some(&[123_456, 7_654_321, 12_345_678, 123_456_789, u32::MAX, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ),
    // u32::MAX split from its array by the first chunk (`1,2,3,` | `4294967295,5,…`).
    (
        "[1,2,3,4294967295,5,6,7,8,9,10,11,12]",
        Some(&[1, 2, 3, u32::MAX, 5, 6, 7, 8, 9, 10, 11, 12]),
    ),
    // JSON whitespace around numbers and commas, inside and at the edges of chunks.
    (
        "[1, 2,3 ,4,\n5,6,7,8,9,10,11,12,13,14,15,16\r\n]",
        Some(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
    ),
    (
        "[1,2,3,4,5,6,7,8,9,1\t,2,3,4,5,6,7,8,9,10,11]",
        Some(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    ),
    ("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,\t15]", Some(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])),
    // Leading zeros: inside the first chunk, and straight after a chunk's end
    // (`1234,1234,1234,0` | `1,2,…`: the chunk cannot see that the 0 is followed by a digit).
    ("[1,2,3,04,5,6,7,8,9,10,11,12,13]", None),
    ("[1234,1234,1234,01,2,3,4,5,6,7,8,9,1,2,3]", None),
    ("[1234,1234,1234,0,2,3,4,5,6,7,8,9,1,2,3]", Some(&[1234, 1234, 1234, 0, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3])),
    ("[00,1,2,3,4,5,6,7,8,9,10,11,12,13,14]", None),
    // Over u32::MAX, inside a chunk and longer than one.
    ("[1,2,3,4294967296,5,6,7,8,9,10,11,12]", None),
    ("[1,12345678901234567890,3,4,5,6,7,8,9,10,11,12]", None),
    ("[99999999999,1,2,3,4,5,6,7,8,9,10,11,12]", None),
    // Signs, fractions and exponents are serde_json's.
    ("[1,2,3,4,5,6,7,8,-9,10,11,12,13,14,15,16]", None),
    ("[-1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]", None),
    ("[+1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]", None),
    ("[1,2,3,1e3,4,5,6,7,8,9,10,11,12]", None),
    ("[1,2,3,1E3,4,5,6,7,8,9,10,11,12]", None),
    ("[1,2,3,1.0,4,5,6,7,8,9,10,11,12]", None),
    ("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17.5]", None),
    // Broken lists: a doubled, leading or trailing comma, a missing one, an unclosed array.
    ("[1,2,,3,4,5,6,7,8,9,10,11,12,13,14]", None),
    ("[,1,2,3,4,5,6,7,8,9,10,11,12,13,14]", None),
    ("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,]", None),
    ("[1,2,3,4,5,6,7,8 9,10,11,12,13,14,15]", None),
    ("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", None),
    ("[1,2,3,4,5,6,7,\"8\",9,10,11,12,13,14,15]", None),
    // Form feed is not JSON whitespace.
    ("[1,2,3,4,5,6,7,\x0c8,9,10,11,12,13,14,15]", None),
];
