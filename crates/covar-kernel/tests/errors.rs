//! Every bad input gets its own clear error, from every backend, never a
//! panic or a NaN in the outputs.

mod common;

use bumpalo::Bump;
use common::Case;
use covar_kernel::physics::{Particles, covariance_product, vector_potential};
use covar_kernel::{Backend, Direct, Field, KernelError, LaplaceSum, Naive, Outputs, Points, Role};

fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Naive(Naive::new())];
    for isa in common::isas() {
        all.push(Backend::Direct(Direct::with_isa(isa).unwrap()));
    }
    all
}

/// Evaluates `case` (potential + gradient) with every backend and checks
/// that each returns `want`; also checks the message mentions `words`.
fn expect(case: &Case, want: KernelError, words: &[&str]) {
    for b in backends() {
        let mut pot = vec![0.0; case.nd * case.nt()];
        let mut grad = vec![0.0; 3 * case.nd * case.nt()];
        let got = b
            .evaluate(&case.problem(), Outputs::with_gradient(&mut pot, &mut grad))
            .expect_err("bad input must be an error");
        assert_eq!(got, want, "{}", b.name());
        let msg = got.to_string();
        for w in words {
            assert!(msg.contains(w), "{}: message `{msg}` lacks `{w}`", b.name());
        }
    }
}

#[test]
fn source_coordinate_columns_of_different_length() {
    let mut case = Case::random(1, 10, 1, None, 0.0);
    case.y.pop();
    expect(
        &case,
        KernelError::LengthMismatch {
            what: "sources.y",
            expected: 10,
            got: 9,
        },
        &["sources.y", "9", "10"],
    );
}

#[test]
fn target_coordinate_columns_of_different_length() {
    let mut case = Case::random(1, 10, 1, Some(5), 0.0);
    case.targets.as_mut().unwrap()[2].push(0.0);
    expect(
        &case,
        KernelError::LengthMismatch {
            what: "targets.z",
            expected: 5,
            got: 6,
        },
        &["targets.z"],
    );
}

#[test]
fn channel_values_of_wrong_length() {
    let mut case = Case::random(1, 10, 4, None, 0.0);
    case.channels.truncate(39);
    expect(
        &case,
        KernelError::LengthMismatch {
            what: "source channels",
            expected: 40,
            got: 39,
        },
        &["channels"],
    );
}

#[test]
fn output_buffers_of_wrong_length() {
    let case = Case::random(1, 10, 2, None, 0.0);
    for b in backends() {
        let mut pot = vec![0.0; 19];
        let mut grad = vec![0.0; 60];
        let e = b
            .evaluate(&case.problem(), Outputs::with_gradient(&mut pot, &mut grad))
            .unwrap_err();
        assert_eq!(
            e,
            KernelError::LengthMismatch {
                what: "potential output",
                expected: 20,
                got: 19
            }
        );
        let mut pot = vec![0.0; 20];
        let mut grad = vec![0.0; 59];
        let e = b
            .evaluate(&case.problem(), Outputs::with_gradient(&mut pot, &mut grad))
            .unwrap_err();
        assert_eq!(
            e,
            KernelError::LengthMismatch {
                what: "gradient output",
                expected: 60,
                got: 59
            }
        );
    }
}

#[test]
fn zero_channels() {
    let mut case = Case::random(1, 10, 1, None, 0.0);
    case.nd = 0;
    case.channels.clear();
    expect(&case, KernelError::NoChannels, &["nd"]);
}

#[test]
fn non_finite_source_coordinate() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut case = Case::random(2, 10, 1, None, 0.0);
        case.x[3] = bad;
        let want = KernelError::NonFinite {
            role: Role::Source,
            index: 3,
            field: Field::X,
            value: bad,
        };
        // NaN != NaN, so compare messages for NaN.
        for b in backends() {
            let mut pot = vec![0.0; 10];
            let e = b
                .evaluate(&case.problem(), Outputs::potential(&mut pot))
                .unwrap_err();
            assert_eq!(e.to_string(), want.to_string());
            assert!(e.to_string().contains("source 3: field `x`"), "{e}");
        }
    }
}

#[test]
fn non_finite_channel_value() {
    let mut case = Case::random(3, 10, 4, None, 0.0);
    case.channels[2 * 10 + 7] = f64::INFINITY;
    expect(
        &case,
        KernelError::NonFinite {
            role: Role::Source,
            index: 7,
            field: Field::Channel(2),
            value: f64::INFINITY,
        },
        &["source 7", "channel 2"],
    );
}

#[test]
fn non_finite_target_coordinate() {
    let mut case = Case::random(4, 10, 1, Some(6), 0.0);
    case.targets.as_mut().unwrap()[1][5] = f64::NEG_INFINITY;
    expect(
        &case,
        KernelError::NonFinite {
            role: Role::Target,
            index: 5,
            field: Field::Y,
            value: f64::NEG_INFINITY,
        },
        &["target 5", "`y`"],
    );
}

#[test]
fn coordinate_too_large_for_squared_distances() {
    let mut case = Case::random(5, 10, 1, None, 0.0);
    case.z[9] = -1e200;
    expect(
        &case,
        KernelError::OutOfRange {
            role: Role::Source,
            index: 9,
            field: Field::Z,
            value: -1e200,
            limit: 1e150,
        },
        &["source 9", "`z`"],
    );
}

#[test]
fn negative_or_non_finite_softening() {
    for s in [-0.1, f64::INFINITY] {
        let case = Case::random(6, 10, 1, None, s);
        expect(
            &case,
            KernelError::InvalidSoftening { value: s },
            &["softening"],
        );
    }
}

#[test]
fn coincident_sources_without_softening_name_both() {
    // Small and large n (the large one runs the SIMD blocks).
    for (n, i, j) in [(10usize, 2usize, 5usize), (300, 37, 281)] {
        let mut case = Case::random(7, n, 4, None, 0.0);
        case.x[j] = case.x[i];
        case.y[j] = case.y[i];
        case.z[j] = case.z[i];
        expect(
            &case,
            KernelError::Coincident {
                first: i,
                second: j,
            },
            &[&format!("sources {i} and {j}"), "softening"],
        );
    }
}

#[test]
fn coincident_sources_with_softening_are_fine() {
    let mut case = Case::random(8, 100, 1, None, 0.01);
    case.x[1] = case.x[0];
    case.y[1] = case.y[0];
    case.z[1] = case.z[0];
    for b in backends() {
        let (pot, grad) = case.eval(&b);
        assert!(
            pot.iter().chain(&grad).all(|v| v.is_finite()),
            "{}",
            b.name()
        );
    }
}

#[test]
fn negative_zero_is_the_same_point() {
    // -0.0 and 0.0 are the same position: still coincident.
    let mut case = Case::random(9, 12, 1, None, 0.0);
    (case.x[4], case.y[4], case.z[4]) = (0.0, 0.0, 0.0);
    (case.x[8], case.y[8], case.z[8]) = (-0.0, 0.0, -0.0);
    expect(
        &case,
        KernelError::Coincident {
            first: 4,
            second: 8,
        },
        &["4", "8"],
    );
}

#[test]
fn target_on_a_source_without_softening() {
    let mut case = Case::random(10, 20, 1, Some(9), 0.0);
    let t = case.targets.as_mut().unwrap();
    (t[0][6], t[1][6], t[2][6]) = (case.x[13], case.y[13], case.z[13]);
    expect(
        &case,
        KernelError::TargetOnSource {
            target: 6,
            source_index: 13,
        },
        &["target 6", "source 13"],
    );
}

#[test]
fn points_too_close_for_f64_overflow_with_a_clear_error() {
    // 1e-120 apart: 1/r^3 = 1e360 overflows.
    let mut case = Case::random(11, 10, 1, None, 0.0);
    // Put particle 0 at the origin so that 1e-120 is representable next to it.
    (case.x[0], case.y[0], case.z[0]) = (0.0, 0.0, 0.0);
    case.x[1] = 1e-120;
    (case.y[1], case.z[1]) = (case.y[0], case.z[0]);
    for b in backends() {
        let (mut pot, mut grad) = (vec![0.0; 10], vec![0.0; 30]);
        let e = b
            .evaluate(&case.problem(), Outputs::with_gradient(&mut pot, &mut grad))
            .unwrap_err();
        assert!(
            matches!(e, KernelError::Overflow { target: 0 | 1 }),
            "{}: {e}",
            b.name()
        );
    }
}

#[test]
fn physics_helpers_name_the_bad_particle() {
    let (x, y, z) = ([0.0, 1.0, 2.0], [0.0; 3], [0.0; 3]);
    let points = Points::new(&x, &y, &z);
    let scratch = Bump::new();
    let bad_mass = Particles {
        points,
        mass: &[1.0, 0.0, 1.0],
        charge: &[1.0, 1.0, 1.0],
    };
    let mut out = [0.0; 3];
    let e = covariance_product(
        &Direct::new(),
        &bad_mass,
        0.0,
        &[1.0; 3],
        1,
        &mut out,
        &scratch,
    )
    .unwrap_err();
    assert_eq!(
        e,
        KernelError::NonPositiveMass {
            index: 1,
            value: 0.0
        }
    );
    assert!(e.to_string().contains("particle 1: field `mass`"), "{e}");

    let bad_charge = Particles {
        points,
        mass: &[1.0; 3],
        charge: &[1.0, 1.0, f64::NAN],
    };
    let e = covariance_product(
        &Direct::new(),
        &bad_charge,
        0.0,
        &[1.0; 3],
        1,
        &mut out,
        &scratch,
    )
    .unwrap_err();
    assert!(e.to_string().contains("source 2: field `charge`"), "{e}");

    let good = Particles {
        points,
        mass: &[1.0; 3],
        charge: &[1.0; 3],
    };
    // X has 2 columns; the bad value is row 1 of column 1.
    let mut y2 = [0.0; 6];
    let e = covariance_product(
        &Direct::new(),
        &good,
        0.0,
        &[1.0, 1.0, 1.0, 1.0, f64::NAN, 1.0],
        2,
        &mut y2,
        &scratch,
    )
    .unwrap_err();
    assert!(e.to_string().contains("source 1: field `column 1`"), "{e}");

    let mut a = [0.0; 9];
    let e = vector_potential(
        &Direct::new(),
        &good,
        [&[0.0; 3], &[0.0, f64::INFINITY, 0.0], &[0.0; 3]],
        0.0,
        &mut a,
        None,
        &scratch,
    )
    .unwrap_err();
    assert!(e.to_string().contains("source 1: field `py`"), "{e}");
}

/// Coincident sources at every parity of their indices (on AVX2 even and
/// odd sources take different `1/sqrt` paths), potentials only (no
/// gradient to overflow): reported on every instruction set, never summed
/// as a huge finite term.
#[test]
fn coincident_sources_are_reported_from_potentials_alone_on_every_isa() {
    use covar_kernel::{Direct, LaplaceSum, Outputs};
    for isa in common::isas() {
        for (i, j) in [(2, 6), (3, 9), (2, 9), (3, 6), (0, 1), (70, 71)] {
            let mut case = Case::random(11, 100, 1, None, 0.0);
            case.x[j] = case.x[i];
            case.y[j] = case.y[i];
            case.z[j] = case.z[i];
            let mut pot = vec![0.0; 100];
            let err = Direct::with_isa(isa)
                .unwrap()
                .evaluate(&case.problem(), Outputs::potential(&mut pot))
                .unwrap_err();
            assert!(
                matches!(err, KernelError::Coincident { first, second } if (first, second) == (i, j)),
                "{isa} ({i}, {j}): {err}"
            );
        }
    }
}
