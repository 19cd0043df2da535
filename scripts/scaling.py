#!/usr/bin/env python3
"""The model of docs/scaling.md: one evaluation's time (a leapfrog step) of
covar over MPI on a cluster, from the rates and volumes scripts/scaling.sh
measured on one machine.

  scaling.py calibrate DIR OUT.json
      Reads the `covar fields --json` reports scripts/scaling.sh wrote in DIR
      (direct.json: one thread; fast.json: the fast backend; ranks.json: two
      ranks; fast-ranks.json: the fast backend on two ranks) and writes the figures the model rests on.
  scaling.py model CALIBRATION.json PNG [--cores C] [--latency S] [--bandwidth B]
      Prints the model's table (markdown) and draws the strong- and
      weak-scaling curves: 16 to 256 nodes of C cores (64), linked by a
      network of the given latency (2e-6 s) and per-node bandwidth (24e9
      bytes/s: 200 Gb/s InfiniBand HDR).

Three designs, every term written out in docs/scaling.md:
  served direct   what runs today: rank 0 broadcasts the problem, every rank
                  sums a share of the targets over all sources, rank 0
                  collects the sums (O(N) bytes to and from rank 0).
  served fast     the same exchange, the fast backend on every rank: the
                  tree and its upward pass repeated on each rank, the rest
                  split.
  LET fast        the design of exafmm-t and kifmm (not built yet): each rank
                  keeps its Morton share, builds its tree and receives the
                  multipoles and near-field particles its targets need.
"""
import json
import math
import sys


def calibrate(folder, out):
    def load(name):
        with open(f"{folder}/{name}") as f:
            return json.load(f)

    direct, fast, ranks = load("direct.json"), load("fast.json"), load("ranks.json")
    fast_ranks = load("fast-ranks.json")
    f = fast["fast"]
    x = ranks["exchange"]
    n, nx = fast["n"], ranks["n"]
    cal = {
        "cpu": open(f"{folder}/cpu.txt").read().strip(),
        "nd": direct["nd"],
        # One core's direct pair rate (potential + gradient, nd channels).
        "direct_pairs_per_core_second": direct["pairs_per_second"],
        "direct_n": direct["n"],
        # Core-seconds per particle of one fast evaluation.
        "fast_core_seconds_per_particle": fast["seconds"] * fast["threads"] / n,
        "fast_n": n,
        "fast_threads": fast["threads"],
        "fast_tolerance": f["tolerance"],
        "fast_order": f["order"],
        "fast_leaf_size": f["leaf_size"],
        # Tree build and upward pass: what every rank repeats when served.
        "fast_replicated_fraction": (f["tree"] + f["upward"]) / f["total"],
        "multipole_bytes_per_node": f["multipole_bytes"] / f["nodes"],
        # Bytes per particle per evaluation to and from rank 0, measured.
        "served_bytes_out_per_particle": x["bytes_out"] / nx,
        "served_bytes_in_per_particle": x["bytes_in"] / nx,
        "exchange_n": nx,
        "exchange_ranks": ranks["ranks"],
        # Shared-memory figures of the same exchange (for reference only).
        "shm_broadcast_bytes_per_second": x["bytes_out"] / max(x["broadcast_seconds"], 1e-9),
        "exchange_compute_seconds": x["compute_seconds"],
        # The fast evaluation on 2 ranks of half the threads, over 1 rank.
        "fast_two_ranks_over_one": fast_ranks["seconds"] / fast["seconds"],
        "exchange_imbalance": x["imbalance"],
    }
    with open(out, "w") as f:
        json.dump(cal, f, indent=2)
    print(json.dumps(cal, indent=2))


def terms(cal, n, nodes, cores, latency, bandwidth):
    """Seconds per evaluation of each design and its parts."""
    nd = cal["nd"]
    p = nodes * cores
    hops = math.log2(max(nodes, 2))
    out_bytes = cal["served_bytes_out_per_particle"] * n
    in_bytes = cal["served_bytes_in_per_particle"] * n
    # Broadcast as scatter + allgather (2 m / B + log P latencies); the
    # gather of the sums ends on rank 0's one link (m / B).
    bcast = 2 * out_bytes / bandwidth + hops * latency
    gather = in_bytes / bandwidth + hops * latency
    served = bcast + gather
    direct = n * (n - 1) / (p * cal["direct_pairs_per_core_second"])
    tf = cal["fast_core_seconds_per_particle"] * n
    rep = cal["fast_replicated_fraction"]
    fast_served = tf * rep / cores + tf * (1 - rep) / p
    # LET: a rank owning a cube of m particles in leaves of s particles gets
    # the multipoles of about 8 w (m / s)^(2/3) remote cells (w = 3 cells of
    # interaction-list depth, summed over levels), the particles of one
    # leaf layer around its domain (6 (m / s)^(2/3) leaves), and the top
    # tree's P cells; 26 neighbours, then an allreduce of H, P, L.
    m = n / nodes
    s = cal["fast_leaf_size"]
    mb = cal["multipole_bytes_per_node"]
    faces = (m / s) ** (2 / 3)
    let_bytes = 8 * 3 * faces * mb + 6 * faces * s * (3 + nd) * 8 + nodes * mb
    let = let_bytes / bandwidth + 26 * latency + 2 * hops * latency
    fast_let = tf / p
    return {
        "served direct": direct + served,
        "served fast": fast_served + served,
        "LET fast": fast_let + let,
        "direct compute": direct,
        "fast compute": fast_let,
        "served exchange": served,
        "served bytes": out_bytes + in_bytes,
        "LET exchange": let,
        "LET bytes": let_bytes,
        # Per node: served holds every source (and rank 0 the whole state),
        # LET its share, a halo and its tree.
        "served memory": out_bytes + 72 * n,
        "LET memory": (m + 6 * faces * s) * (72 + 8 * 4 * nd) + 8 * 3 * faces * mb,
    }


def model(cal_path, png, cores=64, latency=2e-6, bandwidth=24e9):
    with open(cal_path) as f:
        cal = json.load(f)
    nodes = [16, 32, 64, 128, 256]
    print(f"calibration: {cal['cpu']}; nodes of {cores} cores, network latency "
          f"{latency:.1e} s, {bandwidth / 1e9:.0f} GB/s per node")
    print()
    print("| N | nodes | served direct (s) | served fast (s) | LET fast (s) | fast compute (s) "
          "| served exchange (s) | LET exchange (s) | served MB | LET MB | served GB/node | LET GB/node |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in [1e8, 1e9]:
        for k in nodes:
            t = terms(cal, n, k, cores, latency, bandwidth)
            print(f"| {n:.0e} | {k} | {t['served direct']:.3g} | {t['served fast']:.3g} "
                  f"| {t['LET fast']:.3g} | {t['fast compute']:.3g} | {t['served exchange']:.3g} "
                  f"| {t['LET exchange']:.3g} | {t['served bytes'] / 1e6:.4g} | {t['LET bytes'] / 1e6:.4g} "
                  f"| {t['served memory'] / 1e9:.3g} | {t['LET memory'] / 1e9:.3g} |")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter
    fig, (strong, weak) = plt.subplots(1, 2, figsize=(11, 4.5))
    styles = {"served direct": ":", "served fast": "--", "LET fast": "-"}
    for n, color in [(1e8, "tab:blue"), (1e9, "tab:red")]:
        for design, ls in styles.items():
            ys = [terms(cal, n, k, cores, latency, bandwidth)[design] for k in nodes]
            strong.plot(nodes, ys, ls, color=color, marker="o", ms=3,
                        label=f"{design}, N = {n:.0e}")
    ideal = [terms(cal, 1e9, 16, cores, latency, bandwidth)["fast compute"] * 16 / k for k in nodes]
    strong.plot(nodes, ideal, color="gray", lw=0.8, label="fast compute alone, N = 1e9")
    strong.set(xscale="log", yscale="log", xlabel="nodes", ylabel="seconds per evaluation",
               title="strong scaling")
    strong.set_xticks(nodes, [str(k) for k in nodes])
    strong.xaxis.set_minor_formatter(NullFormatter())
    strong.legend(fontsize=7)
    per_node = 4e6
    for design, ls in styles.items():
        if design == "served direct":
            continue
        ys = [terms(cal, per_node * k, k, cores, latency, bandwidth)[design] for k in nodes]
        weak.plot(nodes, ys, ls, color="black", marker="o", ms=3, label=design)
    ys = [terms(cal, per_node * k, k, cores, latency, bandwidth)["fast compute"] for k in nodes]
    weak.plot(nodes, ys, color="gray", lw=3, alpha=0.4, label="fast compute alone")
    weak.set(xscale="log", yscale="log", xlabel="nodes (4e6 bodies each)",
             ylabel="seconds per evaluation", title="weak scaling")
    weak.set_xticks(nodes, [str(k) for k in nodes])
    weak.xaxis.set_minor_formatter(NullFormatter())
    weak.legend(fontsize=7)
    fig.suptitle(f"covar over MPI, modelled: nd = {cal['nd']}, fast at tolerance "
                 f"{cal['fast_tolerance']:g}; {cores}-core nodes, {bandwidth / 1e9:.0f} GB/s, "
                 f"{latency * 1e6:g} us; cores as measured on {cal['cpu']}", fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"\nwrote {png}")


def main(argv):
    if len(argv) >= 3 and argv[0] == "calibrate":
        calibrate(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "model":
        opts = dict(zip(argv[3::2], argv[4::2]))
        model(argv[1], argv[2], cores=int(opts.get("--cores", 64)),
              latency=float(opts.get("--latency", 2e-6)),
              bandwidth=float(opts.get("--bandwidth", 24e9)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
