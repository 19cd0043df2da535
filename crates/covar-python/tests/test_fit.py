"""covar.fit against `covar fit` on the same data."""

import json
import subprocess

import numpy as np
import pytest

import covar
from test_run import covar_bin


def planted(t=3000, seed=0, bits=False):
    """Three hidden spins, each copied into a few noisy variables (one with a flipped sign)."""
    rng = np.random.default_rng(seed)
    hidden = rng.choice([-1, 1], size=(t, 3))
    cols = np.repeat(hidden, [3, 2, 4], axis=1)
    cols[:, 4] *= -1
    noise = np.where(rng.random(cols.shape) < 0.08, -1, 1)
    x = (cols * noise).astype(np.int8)
    return (x + 1) // 2 if bits else x


def test_the_same_fit_as_covar_fit(tmp_path):
    data = planted()
    np.save(tmp_path / "data.npy", data)
    out = subprocess.run(
        [covar_bin(), "fit", str(tmp_path / "data.npy"), "--out", str(tmp_path / "p.csv"), "--json",
         "--threads", "2"],
        check=True, capture_output=True, text=True,
    ).stdout
    cli = json.loads(out)
    py = covar.fit(data, threads=2)
    assert py.report["clusters"] == cli["clusters"]
    for key in ["exact", "first_order", "seed", "eps", "coupling", "covariance_min_eigenvalue"]:
        assert py.report["loss"][key] == cli["loss"][key], key
    assert [c["members"] for c in py.clusters] == [[0, 1, 2], [3, 4], [5, 6, 7, 8]]
    table = np.loadtxt(tmp_path / "p.csv", delimiter=",", skiprows=1, ndmin=2)
    np.testing.assert_array_equal(py.positions, table[:, 0:3])
    np.testing.assert_array_equal(py.masses, table[:, 6])
    np.testing.assert_array_equal(py.charges, table[:, 7])
    # Charges carry the clusters' signs: +-sqrt(m).
    np.testing.assert_allclose(np.abs(py.charges), np.sqrt(py.masses), rtol=1e-15)


def test_encodings_and_types_give_the_same_fit():
    spins = covar.fit(planted())
    bits = covar.fit(planted(bits=True))
    as_bool = covar.fit(planted(bits=True).astype(bool))
    as_float = covar.fit(planted().astype(np.float32))
    for other in (bits, as_bool, as_float):
        np.testing.assert_array_equal(other.positions, spins.positions)
        np.testing.assert_array_equal(other.masses, spins.masses)
    assert bits.report["encoding"] == "bit" and spins.report["encoding"] == "spin"


def test_bad_data_names_the_row_and_column():
    data = planted().astype(float)
    data[17, 4] = 0.5
    with pytest.raises(ValueError, match=r"row 17.*column 4|column 4.*row 17"):
        covar.fit(data)
    mixed = planted()
    mixed[3, 2] = 0
    with pytest.raises(ValueError, match="row 3"):
        covar.fit(mixed)
    constant = planted()
    constant[:, 5] = 1
    with pytest.raises(ValueError, match="column 5"):
        covar.fit(constant)
    with pytest.raises(ValueError, match=r"^threshold: must be in \(0, 1\], got 1.5"):
        covar.fit(planted(), threshold=1.5)
    with pytest.raises(ValueError, match=r"^probes"):
        covar.fit(planted(), probes=1)
    with pytest.raises(ValueError, match=r"expected \(T, M\)"):
        covar.fit(planted()[0])
