//! The checkpoint reader on arbitrary bytes: it returns an error or a
//! checkpoint, never panics, and a checkpoint it accepts is the one it
//! would write (re-encoding gives the same bytes).
//!
//! Each input is read twice: as it is, and sealed (its header's payload
//! length and its CRC-32 made to fit), so that the fuzzer reaches the
//! payload's fields instead of stopping at the checksum.
#![no_main]

use covar::io::checkpoint::{HEADER_LEN, TRAILER_LEN, decode, encode};
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    if let Ok(checkpoint) = decode(bytes) {
        assert_eq!(
            encode(&checkpoint),
            bytes,
            "an accepted checkpoint re-encodes to its bytes"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() >= HEADER_LEN + TRAILER_LEN {
        let mut sealed = data.to_vec();
        let body = sealed.len() - TRAILER_LEN;
        let payload = (body - HEADER_LEN) as u64;
        sealed[12..20].copy_from_slice(&payload.to_le_bytes());
        let crc = crc32fast::hash(&sealed[..body]);
        sealed[body..].copy_from_slice(&crc.to_le_bytes());
        check(&sealed);
    }
});
