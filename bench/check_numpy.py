#!/usr/bin/env python3
"""The float64 check a numpy user would write for armebm check's job: q* = M(r) by the soft
Bellman backward pass, the worst |q - q*| over the allowed entries, and both KL divergences
over every response (chain rule: sum over states of p(s) times the per-state KL), vectorised
per depth. Tables in armebm's canonical layout, one prompt.
Usage: check_numpy.py fixed|eos V T R.npy Q.npy [REPEAT]; loads and checks REPEAT times
(default 3) and prints the fastest as "seconds S cpu C" (wall clock and CPU time of the process),
then the values."""
import sys
import time

import numpy as np


def lse(x):
    m = x.max(axis=1)
    return m + np.log(np.exp(x - m[:, None]).sum(axis=1))


def check(rfile, qfile, V, T, eos):
    r = np.load(rfile).reshape(-1, V + 1 if eos else V)
    q = np.load(qfile).reshape(r.shape)
    first = [sum(V ** j for j in range(d)) for d in range(T + 1)]
    qs = [None] * T
    for d in range(T - 1, -1, -1):  # q*_d = r_d + V*_{d+1} on the token columns
        qd = r[first[d]:first[d + 1]].copy()
        if d < T - 1:
            qd[:, :V] += lse(qs[d + 1]).reshape(-1, V)
        qs[d] = qd
    worst, kl_f, kl_r = 0.0, 0.0, 0.0
    lp_s, lp_q = np.zeros(1), np.zeros(1)  # log p of the states of depth d
    for d in range(T):
        a, b = qs[d], q[first[d]:first[d + 1]]
        ok = np.isfinite(a)
        worst = max(worst, np.abs(np.where(ok, b - a, 0.0)).max())
        la, lb = a - lse(a)[:, None], b - lse(b)[:, None]
        diff = np.where(ok, la - lb, 0.0)
        kl_f += (np.exp(lp_s) * (np.exp(la) * diff).sum(axis=1)).sum()
        kl_r -= (np.exp(lp_q) * (np.exp(lb) * diff).sum(axis=1)).sum()
        if d < T - 1:
            lp_s = (lp_s[:, None] + la[:, :V]).reshape(-1)
            lp_q = (lp_q[:, None] + lb[:, :V]).reshape(-1)
    return worst, kl_f, kl_r


def main():
    eos, V, T = sys.argv[1] == "eos", int(sys.argv[2]), int(sys.argv[3])
    repeat = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    secs, cpu = float("inf"), float("inf")
    for _ in range(max(repeat, 1)):
        t0, c0 = time.perf_counter(), time.process_time()
        res = check(sys.argv[4], sys.argv[5], V, T, eos)
        secs = min(secs, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    print(f"seconds {secs:.6f} cpu {cpu:.6f}")
    print("abs_error %.3e kl_r_q %.3e kl_q_r %.3e" % res)


if __name__ == "__main__":
    main()
