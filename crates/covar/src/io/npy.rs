//! NumPy `.npy` snapshots (format version 1.0) of the particle state, as a
//! structured array with one record per particle and the fields
//! `id` (`<u8`) and `x y z px py pz m q` (`<f8`), so that
//! `np.load("snapshot.npy")["x"]` works with numpy alone.

use std::path::Path;

use covar_store::ParticleStore;

use super::csv::write_atomically;

/// The record layout, as numpy's `descr`.
const DESCR: &str = "[('id', '<u8'), ('x', '<f8'), ('y', '<f8'), ('z', '<f8'), ('px', '<f8'), \
                     ('py', '<f8'), ('pz', '<f8'), ('m', '<f8'), ('q', '<f8')]";

/// Bytes per record.
pub const RECORD: usize = 9 * 8;

/// The `.npy` encoding of `store`.
pub fn encode(store: &ParticleStore) -> Vec<u8> {
    let n = store.len();
    let mut header = format!("{{'descr': {DESCR}, 'fortran_order': False, 'shape': ({n},), }}");
    // Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + n * RECORD);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for p in store.iter() {
        out.extend_from_slice(&p.id.to_le_bytes());
        for v in [
            p.position.x,
            p.position.y,
            p.position.z,
            p.momentum.x,
            p.momentum.y,
            p.momentum.z,
            p.mass,
            p.charge,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Writes a snapshot of `store` to `path` atomically.
///
/// # Errors
///
/// Any I/O error.
pub fn write(store: &ParticleStore, path: &Path) -> std::io::Result<()> {
    write_atomically(path, &encode(store))
}

#[cfg(test)]
mod tests {
    use super::*;
    use covar_store::ic::UniformCube;

    #[test]
    fn header_is_aligned_and_records_are_packed() {
        let store = UniformCube::new(5, 1).generate().unwrap();
        let bytes = encode(&store);
        assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
        let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0, "data starts on a 64-byte boundary");
        assert_eq!(bytes[10 + hlen - 1], b'\n');
        assert_eq!(bytes.len(), 10 + hlen + 5 * RECORD);
        let rec = &bytes[10 + hlen + 2 * RECORD..10 + hlen + 3 * RECORD];
        assert_eq!(
            u64::from_le_bytes(rec[..8].try_into().unwrap()),
            store.id(2)
        );
        let x = f64::from_le_bytes(rec[8..16].try_into().unwrap());
        assert_eq!(x.to_bits(), store.position(2).x.to_bits());
    }
}
