"""covar.Simulation against `covar run`: the same files, bit for bit, and checkpoints across both."""

import os
import pathlib
import signal
import subprocess
import time

import numpy as np
import pytest

import covar

ROOT = pathlib.Path(__file__).resolve().parents[3]


def covar_bin():
    """The command-line program (COVAR_BIN, else the release build of this checkout)."""
    path = pathlib.Path(os.environ.get("COVAR_BIN", ROOT / "target" / "release" / "covar"))
    if not path.is_file():
        pytest.skip(f"no covar binary at {path} (cargo build --release, or set COVAR_BIN)")
    return str(path)


def cli(*args):
    return subprocess.run([covar_bin(), "run", *args], check=True, capture_output=True, text=True)


def same_files(a, b, names):
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def outputs(d):
    return ["energy.csv", "final.csv"] + sorted(p.name for p in d.glob("snapshot_*.npy"))


CASES = [
    dict(n=300, steps=60, energy_every=5, snapshot_every=20),
    dict(preset="seed", n=200, steps=20, energy_every=4),
    dict(ic="plummer", n=400, steps=30, integrator="yoshida4", backend="fast", tol=1e-8),
]


def flags(case):
    out = []
    for key, value in case.items():
        out += ["--" + key.replace("_", "-"), str(value)]
    return out


@pytest.mark.parametrize("case", CASES, ids=["leapfrog", "seed-implicit", "fast-yoshida4"])
def test_a_run_in_chunks_writes_what_covar_run_writes(tmp_path, case):
    py, ref = tmp_path / "py", tmp_path / "cli"
    sim = covar.Simulation(out=py, final_state=py / "final.csv", threads=2, **case)
    seen = []
    taken = sim.integrate(callback=lambda s: seen.append(s.step), every=7)
    assert taken == case["steps"] and sim.step == case["steps"]
    assert seen[:2] == [7, 14] and seen[-1] == case["steps"]
    report = sim.finish()
    cli(*flags(case), "--threads", "2", "--out", str(ref), "--final-state", str(ref / "final.csv"))
    same_files(py, ref, outputs(ref))
    assert report["steps"] == case["steps"]
    assert report["max_rel_h_error"] < 1e-3


def test_a_python_checkpoint_resumes_with_covar_run(tmp_path):
    case = dict(n=300, steps=60, energy_every=5, snapshot_every=20)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    cli(*flags(case), "--out", str(whole), "--final-state", str(whole / "final.csv"))
    sim = covar.Simulation(out=cut, final_state=cut / "final.csv", **case)
    sim.integrate(steps=23)
    path = sim.checkpoint()
    assert pathlib.Path(path).is_file()
    del sim  # a process that ends here: the folder holds the checkpoint of step 23
    subprocess.run([covar_bin(), "run", "--resume", str(cut)], check=True, capture_output=True)
    same_files(cut, whole, outputs(whole))


def test_covar_run_interrupted_resumes_in_python(tmp_path):
    args = ["--n", "1000", "--steps", "3000", "--energy-every", "10"]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    cli(*args, "--out", str(whole), "--final-state", str(whole / "final.csv"))
    proc = subprocess.Popen(
        [covar_bin(), "run", *args, "--out", str(cut), "--final-state", str(cut / "final.csv")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    log = cut / "energy.csv"
    for _ in range(2000):
        if log.is_file() and len(log.read_text().splitlines()) > 5:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    assert proc.wait() == 130, "the run ended before the interrupt; make it longer"
    sim = covar.Simulation.resume(cut)
    assert 0 < sim.step < 3000
    sim.integrate()
    sim.finish()
    same_files(cut, whole, ["energy.csv", "final.csv"])


def test_threads_do_not_change_the_bits(tmp_path):
    runs = []
    for threads in (1, 2):
        sim = covar.Simulation(n=500, steps=10, out=tmp_path / str(threads), threads=threads)
        sim.integrate()
        runs.append((sim.positions, sim.momenta))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_state_time_and_energy(tmp_path):
    sim = covar.Simulation(ic="kepler", dt=0.01, t_end=1.0, energy_every=10, out=tmp_path / "k")
    assert sim.steps == 100 and sim.dt == 0.01
    assert sim.integrate(t_end=0.25) == 25
    assert abs(sim.time - 0.25) < 1e-12
    r, p, m, q = sim.positions, sim.momenta, sim.masses, sim.charges
    assert r.shape == (2, 3) and p.shape == (2, 3) and m.shape == (2,) and q.shape == (2,)
    assert list(sim.ids) == [0, 1]
    e = sim.energy()
    assert e["step"] == 25 and abs(e["rel_h_error"]) < 1e-3  # leapfrog, dt^2 ~ 1e-4
    # Total momentum of the two-body orbit stays zero to round-off.
    assert np.abs(p.sum(axis=0)).max() < 1e-14
    assert "dt = 0.01" in sim.settings
    assert sim.integrate(callback=lambda s: s.step < 50, every=5) == 25
    with pytest.raises(covar.RunError, match="50 of the run's 100 steps"):
        sim.finish()
    with pytest.raises(ValueError, match="60 steps asked and 50 left"):
        sim.integrate(steps=60)
    sim.integrate()
    assert sim.finish()["steps"] == 100
    with pytest.raises(covar.RunError, match="finished"):
        sim.integrate(steps=1)


def test_bad_settings_name_the_setting(tmp_path):
    with pytest.raises(ValueError, match=r"^dt: must be finite and > 0, got -1"):
        covar.Simulation(dt=-1.0, out=tmp_path / "a")
    with pytest.raises(ValueError, match=r"^t_end: give the number of steps or the end time, not both"):
        covar.Simulation(steps=10, t_end=1.0, out=tmp_path / "b")
    with pytest.raises(TypeError, match='unexpected keyword "dtt"'):
        covar.Simulation(dtt=0.1, out=tmp_path / "c")
    with pytest.raises(ValueError, match="integrator"):
        covar.Simulation(integrator="euler", out=tmp_path / "d")
    with pytest.raises(ValueError, match="mu"):
        covar.Simulation(preset="gravity", mu=0.5, out=tmp_path / "e")
    first = covar.Simulation(n=10, steps=2, out=tmp_path / "f")
    first.integrate()
    first.finish()
    with pytest.raises(ValueError, match="overwrite"):
        covar.Simulation(n=10, steps=2, out=tmp_path / "f")
    covar.Simulation(n=10, steps=2, out=tmp_path / "f", overwrite=True)
    with pytest.raises(covar.RunError, match="checkpoint"):
        covar.Simulation.resume(tmp_path / "nowhere")


def test_a_run_from_arrays_is_the_run_of_those_particles(tmp_path):
    gen = covar.Simulation(preset="coulomb", ic="cube", n=200, steps=15, out=tmp_path / "gen")
    r, p, m, q = gen.positions, gen.momenta, gen.masses, gen.charges
    arr = covar.Simulation.from_arrays(r, p, m, q, preset="coulomb", steps=15, out=tmp_path / "arr")
    np.testing.assert_array_equal(arr.positions, r)
    gen.integrate()
    arr.integrate()
    np.testing.assert_array_equal(arr.positions, gen.positions)
    np.testing.assert_array_equal(arr.momenta, gen.momenta)
    assert "initial.csv" in arr.settings
    with pytest.raises(ValueError, match="initial.csv exists"):
        covar.Simulation.from_arrays(r, p, m, q, out=tmp_path / "arr")
    bad = m.copy()
    bad[7] = -1.0
    with pytest.raises(ValueError, match=r"masses has shape|line 9"):
        covar.Simulation.from_arrays(r, p, bad, q, out=tmp_path / "bad")
    with pytest.raises(ValueError, match=r"charges has shape \(199,\)"):
        covar.Simulation.from_arrays(r, p, m, q[:199], out=tmp_path / "short")
