//! HDF5 snapshots in the GADGET/SWIFT layout, so that h5py, yt and pynbody
//! open them as they open a GADGET-2 or SWIFT snapshot.
//!
//! Available with the cargo feature `hdf5` (which links the HDF5 C
//! library); without it, [`write()`] and [`read()`] return
//! [`Hdf5Error::NotBuilt`].
//!
//! # Layout
//!
//! All particles are of GADGET type 1 (the "dark matter" slot, the one for
//! collisionless particles with individual masses). Arrays are little-endian
//! `f64` (ids `u64`), row `i` is particle `i` of the store, `N x 3` arrays
//! are row-major (`Coordinates[i] = (x_i, y_i, z_i)`).
//!
//! | object | type | value |
//! |---|---|---|
//! | `Header/NumPart_ThisFile` | `i64[6]` | `[0, N, 0, 0, 0, 0]` |
//! | `Header/NumPart_Total` | `u32[6]` | `[0, N mod 2^32, 0, 0, 0, 0]` |
//! | `Header/NumPart_Total_HighWord` | `u32[6]` | `[0, N >> 32, 0, 0, 0, 0]` |
//! | `Header/MassTable` | `f64[6]` | zeros: every mass is in `Masses` |
//! | `Header/Time` | `f64` | simulated time `t = step * dt` |
//! | `Header/Redshift` | `f64` | 0 (no cosmology) |
//! | `Header/BoxSize` | `f64` | side of the origin-centred cube holding every particle, see below |
//! | `Header/NumFilesPerSnapshot` | `i32` | 1 |
//! | `Header/Omega0`, `OmegaLambda`, `HubbleParam` | `f64` | 0, 0, 1 (no cosmology) |
//! | `Header/Flag_Sfr`, `Flag_Cooling`, `Flag_StellarAge`, `Flag_Metals`, `Flag_Feedback` | `i32` | 0 |
//! | `Header/Flag_DoublePrecision` | `i32` | 1 |
//! | `Header/Dimension` | `i32` | 3 |
//! | `PartType1/Coordinates` | `f64[N][3]` | positions `r_i` |
//! | `PartType1/Velocities` | `f64[N][3]` | `u_i = P_i / m_i` |
//! | `PartType1/Masses` | `f64[N]` | masses `m_i` (> 0) |
//! | `PartType1/ParticleIDs` | `u64[N]` | the store's ids |
//! | `PartType1/Charges` | `f64[N]` | charges `q_i` (covar's own) |
//! | `PartType1/CanonicalMomenta` | `f64[N][3]` | canonical momenta `P_i` (covar's own) |
//! | `Parameters/*` | attributes | covar's run: `Code`, `CodeVersion`, `Step`, `TimeStep`, `Preset`, `CouplingK`, `CouplingMu`, `Softening`, `SofteningKernel` (`plummer`, `spline` or `wendland-c2`), `Integrator`, `RunSettings` (the run's `run.toml`); and `Omega0`, `OmegaLambda`, `HubbleParam` as in `Header` (GADGET-4 keeps them here) |
//!
//! Each dataset carries a `Description` attribute saying what it holds.
//!
//! # Conventions
//!
//! The state of a particle is its position and its **canonical** momentum
//! `P` (DESIGN.md section 1); `CanonicalMomenta` is that state, bit for
//! bit. `Velocities` is derived: `u = P / m`, which is `dr/dt` when the
//! magnetic coupling `mu` is 0 (gravity, coulomb). With `mu != 0` the
//! particles move with `dr/dt = u - mu (q / m) A`, where `A` is the vector
//! potential, so `Velocities` is then the "bare" velocity, not `dr/dt`.
//!
//! Units are covar's: whatever units the initial conditions are in (Hénon
//! units `G = M = 1`, `E = -1/4` for the generated Plummer sphere). There is
//! no `Units` group; tools that assume GADGET's default units (yt, pynbody)
//! should be given unit 1 for length, mass and velocity, or their values
//! read as plain numbers.
//!
//! covar has open boundaries: nothing is periodic, and positions are
//! wherever the particles are, negative ones included. `BoxSize` is
//! `2.02 max_i max(|x_i|, |y_i|, |z_i|)` (1 if every particle is at the
//! origin), so every particle lies strictly inside
//! `[-BoxSize/2, BoxSize/2]^3` (tools that take the box as half-open drop
//! none). yt
//! assumes GADGET's `[0, BoxSize]^3`; give it that cube as `bounding_box`.
//!
//! # Reading
//!
//! [`read`] takes covar's own snapshots and GADGET-style files of type-1
//! particles: `Coordinates`, `Masses` (or a non-zero `MassTable[1]`),
//! `Charges`, and `CanonicalMomenta` or else `Velocities` (then `P = m v`,
//! exact for `mu = 0`). Values are checked (finite; masses > 0) and an
//! error names the field and the particle. Particles take the store's ids
//! `0..N` in file order; the file's `ParticleIDs` are returned beside.

use std::path::{Path, PathBuf};

use covar_store::ParticleStore;

/// File name extensions taken as HDF5 (`snapshot.hdf5`, `state.h5`).
pub const EXTENSIONS: [&str; 3] = ["hdf5", "h5", "hdf"];

/// The GADGET particle type covar writes and reads.
pub const PART_TYPE: usize = 1;

/// Whether `path` names an HDF5 file by its extension (one of
/// [`EXTENSIONS`], any case).
pub fn is_hdf5_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Whether this build of covar reads and writes HDF5 (cargo feature `hdf5`).
pub const fn available() -> bool {
    cfg!(feature = "hdf5")
}

/// The message for a build without HDF5.
pub const NOT_BUILT: &str = "this covar was built without HDF5; rebuild with --features hdf5 \
                             (it needs the HDF5 library: apt-get install libhdf5-dev pkg-config)";

/// covar's description of the run a snapshot belongs to, written to the
/// `Parameters` group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunInfo {
    /// Steps taken.
    pub step: u64,
    /// Time step `dt` (`Header/Time` is `step * dt`).
    pub dt: f64,
    /// The preset (`gravity`, `coulomb`, `darwin`, `seed`).
    pub preset: String,
    /// Coulomb coupling `k` (`-G` for gravity).
    pub k: f64,
    /// Magnetic coupling `mu`.
    pub mu: f64,
    /// Softening length `s`.
    pub softening: f64,
    /// Softening kernel (`plummer`, `spline`, `wendland-c2`).
    pub softening_kernel: String,
    /// The integrator's name.
    pub integrator: String,
    /// The run's resolved settings (`run.toml`), empty if unknown.
    pub settings: String,
}

impl RunInfo {
    /// The simulated time of the snapshot, `step * dt`.
    pub fn time(&self) -> f64 {
        self.step as f64 * self.dt
    }
}

/// A snapshot read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The particles, in file order (store ids `0..N`).
    pub particles: ParticleStore,
    /// The file's `ParticleIDs`, if it has them.
    pub ids: Option<Vec<u64>>,
    /// `Header/Time`.
    pub time: f64,
}

/// A problem with an HDF5 snapshot. Every message names the file, and the
/// field (`PartType1/Masses`) where there is one.
#[derive(Debug, thiserror::Error)]
pub enum Hdf5Error {
    /// This covar was built without the `hdf5` feature.
    #[error("{path}: {NOT_BUILT}")]
    NotBuilt {
        /// The file asked for.
        path: PathBuf,
    },
    /// The HDF5 library refused (not an HDF5 file, no permission, disk full).
    #[error("{path}: {what}: {message}")]
    Library {
        /// The file.
        path: PathBuf,
        /// What was being done (`opening`, `writing PartType1/Masses`).
        what: String,
        /// The library's message.
        message: String,
    },
    /// Syncing or renaming the written file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A group, dataset or attribute covar needs is not there.
    #[error("{path}: missing field `{field}`{hint}")]
    Missing {
        /// The file.
        path: PathBuf,
        /// The field, as a path inside the file (`PartType1/Masses`).
        field: String,
        /// What it is for or what may replace it (starts with "; " or is empty).
        hint: String,
    },
    /// A field has the wrong shape.
    #[error("{path}: field `{field}` has shape {got:?}, expected {expected}")]
    Shape {
        /// The file.
        path: PathBuf,
        /// The field.
        field: String,
        /// The shape expected, in words (`[N, 3] with N = 100`).
        expected: String,
        /// The shape found.
        got: Vec<usize>,
    },
    /// A value is out of range.
    #[error("{path}: field `{field}`, particle {particle}: {value} ({why})")]
    Value {
        /// The file.
        path: PathBuf,
        /// The field.
        field: String,
        /// 0-based particle index (row).
        particle: usize,
        /// The value found.
        value: f64,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The header does not fit the data, or asks for what covar cannot do.
    #[error("{path}: field `{field}`: {reason}")]
    Header {
        /// The file.
        path: PathBuf,
        /// The header attribute.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

/// Writes `store` as a snapshot of the run `info` to `path`, atomically
/// (a temporary file in the same folder, synced, renamed over `path`).
///
/// # Errors
///
/// [`Hdf5Error::NotBuilt`] without the `hdf5` feature; else
/// [`Hdf5Error::Library`] or [`Hdf5Error::Io`] naming the file.
///
/// # Examples
///
/// ```
/// # if !covar::io::hdf5::available() { return Ok(()); }
/// use covar::io::hdf5::{self, RunInfo};
/// use covar::store::ic::Plummer;
///
/// let store = Plummer::new(100, 1).generate()?;
/// let path = std::env::temp_dir().join(format!("covar-doc-{}.hdf5", std::process::id()));
/// hdf5::write(&store, &RunInfo { step: 10, dt: 0.01, ..RunInfo::default() }, &path)?;
/// let back = hdf5::read(&path)?;
/// assert_eq!(back.particles.x(), store.x());
/// assert_eq!(back.time, 0.1);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write(store: &ParticleStore, info: &RunInfo, path: &Path) -> Result<(), Hdf5Error> {
    #[cfg(feature = "hdf5")]
    {
        imp::write(store, info, path)
    }
    #[cfg(not(feature = "hdf5"))]
    {
        let _ = (store, info);
        Err(Hdf5Error::NotBuilt {
            path: path.to_path_buf(),
        })
    }
}

/// Reads a snapshot (see the module docs for what it needs).
///
/// # Errors
///
/// [`Hdf5Error::NotBuilt`] without the `hdf5` feature; else an
/// [`Hdf5Error`] naming the file and the missing or bad field.
pub fn read(path: &Path) -> Result<Snapshot, Hdf5Error> {
    #[cfg(feature = "hdf5")]
    {
        imp::read(path)
    }
    #[cfg(not(feature = "hdf5"))]
    {
        Err(Hdf5Error::NotBuilt {
            path: path.to_path_buf(),
        })
    }
}

#[cfg(feature = "hdf5")]
mod imp {
    use std::path::Path;

    use covar_store::{DVec3, Particle, ParticleStore};
    use hdf5_metno as h5;
    use hdf5_metno::types::VarLenUnicode;

    use super::{Hdf5Error, PART_TYPE, RunInfo, Snapshot};

    /// `BoxSize`: the side of the origin-centred cube holding every particle.
    pub(super) fn box_size(store: &ParticleStore) -> f64 {
        let reach = [store.x(), store.y(), store.z()]
            .iter()
            .flat_map(|c| c.iter())
            .fold(0.0_f64, |m, v| m.max(v.abs()));
        if reach > 0.0 { 2.02 * reach } else { 1.0 }
    }

    /// `PartType1`.
    fn group_name() -> String {
        format!("PartType{PART_TYPE}")
    }

    /// A library error while doing `what` to `path`.
    fn lib(path: &Path, what: impl Into<String>) -> impl FnOnce(h5::Error) -> Hdf5Error {
        let (path, what) = (path.to_path_buf(), what.into());
        move |e| Hdf5Error::Library {
            path,
            what,
            message: e.to_string(),
        }
    }

    /// The six-slot per-type array with `v` in covar's slot.
    fn per_type<T: Copy + Default>(v: T) -> [T; 6] {
        let mut a = [T::default(); 6];
        a[PART_TYPE] = v;
        a
    }

    pub(super) fn write(
        store: &ParticleStore,
        info: &RunInfo,
        path: &Path,
    ) -> Result<(), Hdf5Error> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let result = write_file(store, info, &tmp).and_then(|()| {
            let io = |source| Hdf5Error::Io {
                path: path.to_path_buf(),
                source,
            };
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(io)?;
            std::fs::rename(&tmp, path).map_err(io)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Writes the whole file at `path` (closed on return).
    fn write_file(store: &ParticleStore, info: &RunInfo, path: &Path) -> Result<(), Hdf5Error> {
        let file = h5::File::create(path).map_err(lib(path, "creating the file"))?;
        let n = store.len();

        let header = file
            .create_group("Header")
            .map_err(lib(path, "creating Header"))?;
        let attr = |name: &str| lib(path, format!("writing Header/{name}"));
        let put_f64 = |g: &h5::Location, name: &str, v: f64| {
            g.new_attr::<f64>()
                .create(name)
                .and_then(|a| a.write_scalar(&v))
        };
        let put_i32 = |g: &h5::Location, name: &str, v: i32| {
            g.new_attr::<i32>()
                .create(name)
                .and_then(|a| a.write_scalar(&v))
        };
        header
            .new_attr::<i64>()
            .shape(6)
            .create("NumPart_ThisFile")
            .and_then(|a| a.write_raw(&per_type(n as i64)))
            .map_err(attr("NumPart_ThisFile"))?;
        header
            .new_attr::<u32>()
            .shape(6)
            .create("NumPart_Total")
            .and_then(|a| a.write_raw(&per_type(n as u64 as u32)))
            .map_err(attr("NumPart_Total"))?;
        header
            .new_attr::<u32>()
            .shape(6)
            .create("NumPart_Total_HighWord")
            .and_then(|a| a.write_raw(&per_type(((n as u64) >> 32) as u32)))
            .map_err(attr("NumPart_Total_HighWord"))?;
        header
            .new_attr::<f64>()
            .shape(6)
            .create("MassTable")
            .and_then(|a| a.write_raw(&[0.0; 6]))
            .map_err(attr("MassTable"))?;
        for (name, v) in [
            ("Time", info.time()),
            ("Redshift", 0.0),
            ("BoxSize", box_size(store)),
            ("Omega0", 0.0),
            ("OmegaLambda", 0.0),
            ("HubbleParam", 1.0),
        ] {
            put_f64(&header, name, v).map_err(attr(name))?;
        }
        for (name, v) in [
            ("NumFilesPerSnapshot", 1),
            ("Flag_Sfr", 0),
            ("Flag_Cooling", 0),
            ("Flag_StellarAge", 0),
            ("Flag_Metals", 0),
            ("Flag_Feedback", 0),
            ("Flag_DoublePrecision", 1),
            ("Dimension", 3),
        ] {
            put_i32(&header, name, v).map_err(attr(name))?;
        }

        let params = file
            .create_group("Parameters")
            .map_err(lib(path, "creating Parameters"))?;
        let text = |g: &h5::Location, name: &str, v: &str| {
            let s: VarLenUnicode = v.replace('\0', " ").parse().unwrap_or_default();
            g.new_attr::<VarLenUnicode>()
                .create(name)
                .and_then(|a| a.write_scalar(&s))
        };
        let pattr = |name: &str| lib(path, format!("writing Parameters/{name}"));
        for (name, v) in [
            ("Code", "covar"),
            ("CodeVersion", env!("CARGO_PKG_VERSION")),
            ("Preset", info.preset.as_str()),
            ("Integrator", info.integrator.as_str()),
            ("SofteningKernel", info.softening_kernel.as_str()),
            ("RunSettings", info.settings.as_str()),
        ] {
            text(&params, name, v).map_err(pattr(name))?;
        }
        params
            .new_attr::<u64>()
            .create("Step")
            .and_then(|a| a.write_scalar(&info.step))
            .map_err(pattr("Step"))?;
        // The cosmology again, as GADGET-4 keeps it in `Parameters` (where
        // pynbody looks when the group exists).
        for (name, v) in [
            ("TimeStep", info.dt),
            ("CouplingK", info.k),
            ("CouplingMu", info.mu),
            ("Softening", info.softening),
            ("Omega0", 0.0),
            ("OmegaLambda", 0.0),
            ("HubbleParam", 1.0),
        ] {
            put_f64(&params, name, v).map_err(pattr(name))?;
        }

        let gname = group_name();
        let group = file
            .create_group(&gname)
            .map_err(lib(path, format!("creating {gname}")))?;
        let interleave = |f: &dyn Fn(usize) -> DVec3| -> Vec<f64> {
            (0..n).flat_map(|i| f(i).to_array()).collect()
        };
        let vectors: [(&str, Vec<f64>, &str); 3] = [
            (
                "Coordinates",
                interleave(&|i| store.position(i)),
                "positions r_i (x, y, z)",
            ),
            (
                "Velocities",
                interleave(&|i| store.velocity(i)),
                "u_i = P_i / m_i; dr/dt when mu = 0 (dr/dt = u_i - mu (q_i/m_i) A_i otherwise)",
            ),
            (
                "CanonicalMomenta",
                interleave(&|i| store.momentum(i)),
                "canonical momenta P_i = m_i v_i + mu q_i A_i (the state covar integrates)",
            ),
        ];
        for (name, data, what) in &vectors {
            let ds = group
                .new_dataset::<f64>()
                .shape((n, 3))
                .create(*name)
                .map_err(lib(path, format!("creating {gname}/{name}")))?;
            ds.write_raw(data)
                .map_err(lib(path, format!("writing {gname}/{name}")))?;
            text(&ds, "Description", what).map_err(lib(path, format!("describing {name}")))?;
        }
        let scalars: [(&str, &[f64], &str); 2] = [
            ("Masses", store.masses(), "masses m_i (> 0)"),
            ("Charges", store.charges(), "charges q_i (any sign)"),
        ];
        for (name, data, what) in scalars {
            let ds = group
                .new_dataset::<f64>()
                .shape(n)
                .create(name)
                .map_err(lib(path, format!("creating {gname}/{name}")))?;
            ds.write_raw(data)
                .map_err(lib(path, format!("writing {gname}/{name}")))?;
            text(&ds, "Description", what).map_err(lib(path, format!("describing {name}")))?;
        }
        let ids = group
            .new_dataset::<u64>()
            .shape(n)
            .create("ParticleIDs")
            .map_err(lib(path, format!("creating {gname}/ParticleIDs")))?;
        ids.write_raw(store.ids())
            .map_err(lib(path, format!("writing {gname}/ParticleIDs")))?;
        text(&ids, "Description", "particle ids (covar's store ids)")
            .map_err(lib(path, "describing ParticleIDs"))?;
        file.close().map_err(lib(path, "closing the file"))
    }

    /// The object `name` of `group`, or [`Hdf5Error::Missing`].
    fn need(group: &h5::Group, name: &str, path: &Path, hint: &str) -> Result<(), Hdf5Error> {
        if group.link_exists(name) {
            Ok(())
        } else {
            Err(Hdf5Error::Missing {
                path: path.to_path_buf(),
                field: full(group, name),
                hint: hint.to_string(),
            })
        }
    }

    /// Whether `loc` has the attribute `name`.
    fn has_attr(loc: &h5::Location, name: &str) -> bool {
        loc.attr_names().is_ok_and(|a| a.iter().any(|s| s == name))
    }

    /// The attribute `name` of `group`, or [`Hdf5Error::Missing`].
    fn need_attr(group: &h5::Group, name: &str, path: &Path) -> Result<(), Hdf5Error> {
        if has_attr(group, name) {
            Ok(())
        } else {
            Err(Hdf5Error::Missing {
                path: path.to_path_buf(),
                field: full(group, name),
                hint: String::new(),
            })
        }
    }

    /// `group/name` without the leading slash.
    fn full(group: &h5::Group, name: &str) -> String {
        let g = group.name();
        let g = g.trim_start_matches('/');
        if g.is_empty() {
            name.to_string()
        } else {
            format!("{g}/{name}")
        }
    }

    /// Reads the `f64` dataset `name` of `group`, checking its shape
    /// (`[n]` or `[n, 3]`) and that every value is finite.
    fn column(
        group: &h5::Group,
        name: &str,
        n: usize,
        width: usize,
        path: &Path,
    ) -> Result<Vec<f64>, Hdf5Error> {
        let field = full(group, name);
        let ds = group
            .dataset(name)
            .map_err(lib(path, format!("opening {field}")))?;
        let shape = ds.shape();
        let ok = match width {
            1 => shape == [n],
            w => shape == [n, w],
        };
        if !ok {
            return Err(Hdf5Error::Shape {
                path: path.to_path_buf(),
                field,
                expected: if width == 1 {
                    format!("[{n}] (one value per particle)")
                } else {
                    format!("[{n}, {width}] (one row per particle)")
                },
                got: shape,
            });
        }
        let data: Vec<f64> = ds
            .read_raw()
            .map_err(lib(path, format!("reading {field} as f64")))?;
        if let Some(k) = data.iter().position(|v| !v.is_finite()) {
            return Err(Hdf5Error::Value {
                path: path.to_path_buf(),
                field,
                particle: k / width,
                value: data[k],
                why: "must be finite",
            });
        }
        Ok(data)
    }

    pub(super) fn read(path: &Path) -> Result<Snapshot, Hdf5Error> {
        let file = h5::File::open(path).map_err(lib(path, "opening as HDF5"))?;
        let root: &h5::Group = &file;
        need(root, "Header", path, "; not a GADGET/SWIFT-style snapshot")?;
        let header = file.group("Header").map_err(lib(path, "opening Header"))?;
        let header_err = |field: &str, reason: String| Hdf5Error::Header {
            path: path.to_path_buf(),
            field: format!("Header/{field}"),
            reason,
        };

        let files: i64 = if has_attr(&header, "NumFilesPerSnapshot") {
            header
                .attr("NumFilesPerSnapshot")
                .and_then(|a| a.read_scalar())
                .map_err(lib(path, "reading Header/NumFilesPerSnapshot"))?
        } else {
            1
        };
        if files != 1 {
            return Err(header_err(
                "NumFilesPerSnapshot",
                format!("is {files}; covar reads single-file snapshots only"),
            ));
        }
        need_attr(&header, "NumPart_ThisFile", path)?;
        let counts: Vec<i64> = header
            .attr("NumPart_ThisFile")
            .and_then(|a| a.read_raw())
            .map_err(lib(path, "reading Header/NumPart_ThisFile"))?;
        if counts.len() != 6 {
            return Err(header_err(
                "NumPart_ThisFile",
                format!("has {} entries, expected 6", counts.len()),
            ));
        }
        let n = match usize::try_from(counts[PART_TYPE]) {
            Ok(0) | Err(_) => {
                return Err(header_err(
                    "NumPart_ThisFile",
                    format!(
                        "holds {} particles of type {PART_TYPE}; covar needs at least one",
                        counts[PART_TYPE]
                    ),
                ));
            }
            Ok(n) => n,
        };
        let mass_table: Vec<f64> = if has_attr(&header, "MassTable") {
            header
                .attr("MassTable")
                .and_then(|a| a.read_raw())
                .map_err(lib(path, "reading Header/MassTable"))?
        } else {
            vec![0.0; 6]
        };
        let table_mass = mass_table.get(PART_TYPE).copied().unwrap_or(0.0);
        need_attr(&header, "Time", path)?;
        let time: f64 = header
            .attr("Time")
            .and_then(|a| a.read_scalar())
            .map_err(lib(path, "reading Header/Time"))?;

        let gname = group_name();
        need(
            root,
            &gname,
            path,
            &format!("; covar reads particles of type {PART_TYPE}"),
        )?;
        let group = file
            .group(&gname)
            .map_err(lib(path, format!("opening {gname}")))?;
        need(&group, "Coordinates", path, "; positions, [N, 3]")?;
        let r = column(&group, "Coordinates", n, 3, path)?;
        let masses = if group.link_exists("Masses") {
            column(&group, "Masses", n, 1, path)?
        } else if table_mass != 0.0 {
            vec![table_mass; n]
        } else {
            return Err(Hdf5Error::Missing {
                path: path.to_path_buf(),
                field: format!("{gname}/Masses"),
                hint: format!(
                    "; every particle needs a mass, and Header/MassTable[{PART_TYPE}] is 0"
                ),
            });
        };
        if let Some(i) = masses.iter().position(|&m| m <= 0.0) {
            return Err(Hdf5Error::Value {
                path: path.to_path_buf(),
                field: format!("{gname}/Masses"),
                particle: i,
                value: masses[i],
                why: "a mass must be > 0",
            });
        }
        need(
            &group,
            "Charges",
            path,
            "; covar needs each particle's charge (for gravity, the charges are the masses)",
        )?;
        let charges = column(&group, "Charges", n, 1, path)?;
        let momenta = if group.link_exists("CanonicalMomenta") {
            column(&group, "CanonicalMomenta", n, 3, path)?
        } else if group.link_exists("Velocities") {
            let v = column(&group, "Velocities", n, 3, path)?;
            v.iter()
                .enumerate()
                .map(|(k, v)| v * masses[k / 3])
                .collect()
        } else {
            return Err(Hdf5Error::Missing {
                path: path.to_path_buf(),
                field: format!("{gname}/CanonicalMomenta"),
                hint: format!("; neither it nor {gname}/Velocities is there"),
            });
        };
        let ids = if group.link_exists("ParticleIDs") {
            let field = format!("{gname}/ParticleIDs");
            let ds = group
                .dataset("ParticleIDs")
                .map_err(lib(path, format!("opening {field}")))?;
            if ds.shape() != [n] {
                return Err(Hdf5Error::Shape {
                    path: path.to_path_buf(),
                    field,
                    expected: format!("[{n}] (one id per particle)"),
                    got: ds.shape(),
                });
            }
            Some(
                ds.read_raw::<u64>()
                    .map_err(lib(path, format!("reading {field} as u64")))?,
            )
        } else {
            None
        };

        let v3 = |a: &[f64], i: usize| DVec3::new(a[3 * i], a[3 * i + 1], a[3 * i + 2]);
        let particles = ParticleStore::from_particles(
            (0..n).map(|i| Particle::new(v3(&r, i), v3(&momenta, i), masses[i], charges[i])),
        );
        Ok(Snapshot {
            particles,
            ids,
            time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_recognized_in_any_case() {
        assert!(is_hdf5_path(Path::new("a/snapshot_10.hdf5")));
        assert!(is_hdf5_path(Path::new("s.H5")));
        assert!(!is_hdf5_path(Path::new("s.csv")));
        assert!(!is_hdf5_path(Path::new("hdf5")));
    }

    #[cfg(feature = "hdf5")]
    #[test]
    fn box_holds_every_particle() {
        use covar_store::ic::Plummer;
        let store = Plummer::new(200, 4).generate().unwrap();
        let half = imp::box_size(&store) / 2.0;
        for c in [store.x(), store.y(), store.z()] {
            assert!(c.iter().all(|v| v.abs() < half));
        }
        assert!((half / c_max(&store) - 1.01).abs() < 1e-12, "{half}");
    }

    #[cfg(feature = "hdf5")]
    fn c_max(store: &ParticleStore) -> f64 {
        [store.x(), store.y(), store.z()]
            .iter()
            .flat_map(|c| c.iter())
            .fold(0.0, |m: f64, v| m.max(v.abs()))
    }

    #[cfg(not(feature = "hdf5"))]
    #[test]
    fn without_the_feature_both_directions_say_how_to_get_it() {
        let store = covar_store::ic::UniformCube::new(3, 1).generate().unwrap();
        let e = write(&store, &RunInfo::default(), Path::new("x.hdf5"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("rebuild with --features hdf5"), "{e}");
        let e = read(Path::new("x.hdf5")).unwrap_err().to_string();
        assert!(
            e.starts_with("x.hdf5: this covar was built without HDF5"),
            "{e}"
        );
    }
}
