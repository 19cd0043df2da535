//! Writing a checkpoint's bytes.

use super::{Checkpoint, FORMAT_VERSION, HEADER_LEN, MAGIC, TRAILER_LEN};

/// The bytes of `c` in the current format (see the [module](super) docs).
pub fn encode(c: &Checkpoint) -> Vec<u8> {
    let p = &c.particles;
    let n = p.len();
    let kernel = c.couplings.softening.kernel.name();
    let payload_len = 8 * 3
        + c.settings.len()
        + c.integrator.len()
        + kernel.len()
        + 8 * 6
        + 8 * 8 * n
        + 8 * (1 + c.integrator_state.len())
        + 8 * (1 + c.monitor.len())
        + 8 * 4;
    let mut out = Vec::with_capacity(HEADER_LEN + payload_len + TRAILER_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload_len as u64).to_le_bytes());
    let u64s = |out: &mut Vec<u8>, v: &[u64]| v.iter().for_each(|x| out.extend(x.to_le_bytes()));
    let f64s = |out: &mut Vec<u8>, v: &[f64]| v.iter().for_each(|x| out.extend(x.to_le_bytes()));
    for s in [&c.settings, &c.integrator] {
        u64s(&mut out, &[s.len() as u64]);
        out.extend_from_slice(s.as_bytes());
    }
    u64s(&mut out, &[c.step]);
    let k = &c.couplings;
    f64s(&mut out, &[c.time, k.k, k.mu, k.softening.length]);
    u64s(&mut out, &[kernel.len() as u64]);
    out.extend_from_slice(kernel.as_bytes());
    u64s(&mut out, &[n as u64]);
    for col in [
        p.x(),
        p.y(),
        p.z(),
        p.px(),
        p.py(),
        p.pz(),
        p.masses(),
        p.charges(),
    ] {
        f64s(&mut out, col);
    }
    for v in [&c.integrator_state, &c.monitor] {
        u64s(&mut out, &[v.len() as u64]);
        f64s(&mut out, v);
    }
    let k = &c.counters;
    u64s(
        &mut out,
        &[k.energy_rows, k.snapshots, k.force_evaluations, k.cap_hits],
    );
    debug_assert_eq!(out.len(), HEADER_LEN + payload_len);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}
