#!/usr/bin/env python3
"""Vectorised float64 baseline for the streaming C1 check on F(V,T): build q = M(r) by the soft
Bellman backward pass, then max over every response of |log p_q(y) - log p_R(y)| with
Z by summing exp R over all responses. The same computation as armebm's double walk, written
the way a numpy user would. Usage: baseline_numpy.py V T; prints "seconds S" and the error."""
import sys
import time

import numpy as np


def main():
    V, T = int(sys.argv[1]), int(sys.argv[2])
    rng = np.random.default_rng(1)
    # rewards per depth: level d has V^d states x V actions; dyadic k/256, |k| <= 512
    r = [rng.integers(-512, 513, size=(V ** d, V)).astype(np.float64) / 256.0 for d in range(T)]
    t0 = time.perf_counter()
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
    err = np.abs(logp - (R - logz)).max()
    secs = time.perf_counter() - t0
    print(f"seconds {secs:.6f}")
    print(f"responses {V ** T}")
    print(f"max_abs_log_ratio_error {err:.3e}")


if __name__ == "__main__":
    main()
