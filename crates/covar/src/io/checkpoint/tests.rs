use super::*;
use covar_store::ic::Plummer;

fn sample() -> Checkpoint {
    Checkpoint {
        settings: "dt = 0.01\nsteps = 10\n".into(),
        integrator: "gauss4".into(),
        step: 7,
        time: 0.1 + 0.2, // 0.30000000000000004: every bit counts
        couplings: Couplings {
            k: -1.0,
            mu: 0.25,
            softening: covar_kernel::Softening::new(covar_kernel::SofteningKernel::WendlandC2, 0.1),
        },
        particles: Plummer::new(5, 3).generate().unwrap(),
        integrator_state: vec![0.01, -0.0, 1e-300, 3.5],
        monitor: vec![1.0, 2.0],
        counters: Counters {
            energy_rows: 3,
            snapshots: 2,
            force_evaluations: 40,
            cap_hits: 1,
        },
    }
}

/// Re-seals `bytes` with a correct checksum (a forged file).
fn reseal(bytes: &mut [u8]) {
    let body = bytes.len() - TRAILER_LEN;
    let crc = crc32fast::hash(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
}

/// A version-1 file (no `softening-kernel`, written before the compact
/// kernels) reads back with Plummer softening and everything else intact;
/// a kernel name this build does not know is an error naming the field.
#[test]
fn version_1_files_read_as_plummer_softening() {
    let mut c = sample();
    let v2 = encode(&c);
    // The kernel's name sits after settings, integrator, step and the four
    // f64 of time and couplings.
    let at = HEADER_LEN + 8 + c.settings.len() + 8 + c.integrator.len() + 8 + 4 * 8;
    let name = c.couplings.softening.kernel.name();
    assert_eq!(&v2[at + 8..at + 8 + name.len()], name.as_bytes());
    let mut v1 = [&v2[..at], &v2[at + 8 + name.len()..]].concat();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    let payload = (v1.len() - HEADER_LEN - TRAILER_LEN) as u64;
    v1[12..20].copy_from_slice(&payload.to_le_bytes());
    reseal(&mut v1);
    c.couplings.softening.kernel = covar_kernel::SofteningKernel::Plummer;
    assert_eq!(decode(&v1).unwrap(), c);

    let mut bad = v2.clone();
    bad[at + 8..at + 8 + 4].copy_from_slice(b"gaus");
    reseal(&mut bad);
    let e = decode(&bad).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "field `softening-kernel` at byte {at}: unknown softening kernel"
        )),
        "{e}"
    );
}

#[test]
fn round_trip_is_bit_exact() {
    let c = sample();
    let bytes = encode(&c);
    assert_eq!(&bytes[..8], b"COVARCKP");
    let back = decode(&bytes).unwrap();
    assert_eq!(back, c);
    assert_eq!(back.integrator_state[1].to_bits(), (-0.0f64).to_bits());
    assert_eq!(back.particles.fingerprint(), c.particles.fingerprint());
    assert_eq!(encode(&back), bytes);
}

#[test]
fn every_truncation_is_reported_where_the_file_ends() {
    let bytes = encode(&sample());
    for len in 0..bytes.len() {
        let e = decode(&bytes[..len]).unwrap_err();
        let expected = if len < HEADER_LEN {
            HEADER_LEN
        } else {
            bytes.len()
        };
        assert_eq!(
            e.to_string(),
            format!("truncated at byte {len} (expected {expected} bytes)"),
            "length {len}"
        );
    }
}

#[test]
fn every_flipped_bit_is_an_error() {
    let bytes = encode(&sample());
    for byte in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[byte] ^= 1 << bit;
            let e = decode(&b).expect_err("a flipped bit is detected");
            let ok = match byte {
                0..8 => matches!(e, CheckpointError::Magic { .. }),
                8..12 => matches!(e, CheckpointError::Version { .. }),
                12..20 => matches!(
                    e,
                    CheckpointError::Truncated { .. }
                        | CheckpointError::Trailing { .. }
                        | CheckpointError::Field { .. }
                ),
                _ => matches!(e, CheckpointError::Checksum { .. }),
            };
            assert!(ok, "byte {byte} bit {bit}: {e}");
        }
    }
}

#[test]
fn other_versions_and_foreign_files_are_named() {
    let mut b = encode(&sample());
    b[8..12].copy_from_slice(&3u32.to_le_bytes());
    let e = decode(&b).unwrap_err().to_string();
    assert_eq!(
        e,
        "written by format version 3, this build reads versions 1 to 2"
    );
    let e = decode(b"x,y,z,px,py,pz,m,q\n").unwrap_err().to_string();
    assert!(
        e.starts_with("not a covar checkpoint (starts with \"x,y,z,px\""),
        "{e}"
    );
    let mut b = encode(&sample());
    b.push(0);
    let e = decode(&b).unwrap_err().to_string();
    assert!(
        e.starts_with("1 unexpected bytes after the checksum"),
        "{e}"
    );
}

#[test]
fn forged_files_with_bad_fields_are_errors_naming_the_field() {
    let c = sample();
    let bytes = encode(&c);
    // The settings' length, at the payload's start, claims more than is there.
    let mut b = bytes.clone();
    b[HEADER_LEN..HEADER_LEN + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    reseal(&mut b);
    let e = decode(&b).unwrap_err().to_string();
    assert!(
        e.starts_with("field `settings` at byte 20: a count of"),
        "{e}"
    );
    // A negative mass.
    let n = c.particles.len();
    let m0 = bytes.len() - TRAILER_LEN - 8 * (4 + 1 + 2 + 1 + 4) - 8 * 2 * n;
    let mut b = bytes.clone();
    b[m0..m0 + 8].copy_from_slice(&(-1.0f64).to_le_bytes());
    reseal(&mut b);
    let e = decode(&b).unwrap_err().to_string();
    assert!(e.contains("particle 0 (id 0): field `mass` is -1"), "{e}");
    // An unknown integrator name of the same length.
    let mut b = bytes.clone();
    let at = HEADER_LEN + 8 + c.settings.len() + 8;
    b[at..at + 6].copy_from_slice(b"euler4");
    reseal(&mut b);
    let e = decode(&b).unwrap_err().to_string();
    assert!(
        e.contains("field `integrator`") && e.contains("`euler4`"),
        "{e}"
    );
}

#[test]
fn writing_replaces_the_previous_file_whole() {
    let dir = std::env::temp_dir().join(format!("covar-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(FILE_NAME);
    let mut c = sample();
    write(&c, &path).unwrap();
    c.step = 8;
    write(&c, &path).unwrap();
    assert_eq!(read(&path).unwrap().step, 8);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [FILE_NAME], "no temporary file left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}
