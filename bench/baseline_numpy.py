#!/usr/bin/env python3
"""Vectorised float64 baseline for the streaming C1 check on F(V,T): build q = M(r) by the soft
Bellman backward pass, then max over every response of |log p_q(y) - log p_R(y)| with
Z by summing exp R over all responses. The same computation as armebm's double walk, written
the way a numpy user would. Usage: baseline_numpy.py V T [REPEAT]; the check (everything after
drawing the rewards) runs REPEAT times (default 1); prints the fastest as "seconds S", and the
error."""
import sys
import time

import numpy as np


def check(r, V, T):
    """max_y |log p_q(y) - log p_R(y)| for q = M(r), from the rewards r."""
    # M: backward pass, q_d = r_d + V_{d+1} (children of state i at depth d are i*V + a)
    q = [None] * T
    q[T - 1] = r[T - 1]
    for d in range(T - 2, -1, -1):
        m = q[d + 1].max(axis=1)
        v_child = m + np.log(np.exp(q[d + 1] - m[:, None]).sum(axis=1))
        q[d] = r[d] + v_child.reshape(V ** d, V)
    # top-down: log p_q of every prefix and R of every prefix
    logp = np.zeros(1)
    R = np.zeros(1)
    for d in range(T):
        m = q[d].max(axis=1)
        lse = m + np.log(np.exp(q[d] - m[:, None]).sum(axis=1))
        logp = (logp[:, None] + q[d] - lse[:, None]).reshape(-1)
        R = (R[:, None] + r[d]).reshape(-1)
    mR = R.max()
    logz = mR + np.log(np.exp(R - mR).sum())
    return np.abs(logp - (R - logz)).max()


def main():
    V, T = int(sys.argv[1]), int(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = np.random.default_rng(1)
    # rewards per depth: level d has V^d states x V actions; dyadic k/256, |k| <= 512
    r = [rng.integers(-512, 513, size=(V ** d, V)).astype(np.float64) / 256.0 for d in range(T)]
    # best of repeat: one run of a ~10 ms computation is mostly noise
    secs = float("inf")
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        err = check(r, V, T)
        secs = min(secs, time.perf_counter() - t0)
    print(f"seconds {secs:.6f}")
    print(f"responses {V ** T}")
    print(f"max_abs_log_ratio_error {err:.3e}")


if __name__ == "__main__":
    main()
