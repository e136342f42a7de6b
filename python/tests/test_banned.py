"""-inf at allowed reward entries (banned tokens, constrained decoding): the certified map, its
inverse and the check, against a soft Bellman written here from the definition (a log-sum-exp
over each prefix's continuations, numpy's logaddexp taking -inf as a zero weight)."""
import math

import numpy as np
import pytest

import armebm
from conftest import needs_check, random_rewards


def reference_map(sp, r):
    """q(s,a) = r(s,a) + log sum_b exp q(s.a, b) for a non-ending a, by recursion over prefixes
    (tuples), never through libarmebm."""
    q = np.full_like(r, -np.inf)
    eos = sp.kind == "eos"

    def value(prefix):
        s, d = sp.index(prefix), len(prefix)
        v = -np.inf
        for a in range(sp.num_actions):
            if not sp.mask()[s, a]:
                continue
            ends = (eos and a == sp.vocab) or (not eos and d == sp.horizon - 1)
            q[s, a] = r[s, a] if ends else r[s, a] + value(prefix + (a,))
            v = np.logaddexp(v, q[s, a])
        return v

    value(())
    return q


def banned_rewards():
    """E(3,3) rewards with the root's token 1 banned and every action of prefix (2) banned (a
    state of value -inf, so q*(root, 2) = -inf too)."""
    sp = armebm.Space("eos", 3, 3)
    r = random_rewards(sp, 7)
    r[0, 1] = -np.inf
    r[sp.index((2,)), :] = -np.inf
    return sp, r


def test_map_keeps_bans_and_matches_the_definition():
    sp, r = banned_rewards()
    q = armebm.soft_bellman(sp, r)
    want = reference_map(sp, r)
    assert np.array_equal(np.isneginf(q), np.isneginf(want))
    assert q[0, 1] == -np.inf and q[0, 2] == -np.inf and np.isfinite(q[0, 0])
    fin = np.isfinite(want)
    assert np.allclose(q[fin], want[fin], rtol=1e-13, atol=1e-13)


def test_inverse_where_injective_and_refused_where_not():
    sp = armebm.Space("eos", 3, 3)
    r = random_rewards(sp, 8)
    r[0, 1] = -np.inf  # a banned token above live states: M is still injective
    r[sp.index((0,)), 3] = -np.inf
    back = armebm.soft_bellman_inverse(sp, armebm.soft_bellman(sp, r))
    assert np.array_equal(np.isneginf(back), np.isneginf(r))
    fin = np.isfinite(r)
    assert np.allclose(back[fin], r[fin], rtol=1e-13, atol=1e-13)
    sp, r = banned_rewards()  # prefix (2) of value -inf: r(root, 2) is lost in M(r)
    with pytest.raises(ValueError, match=r'^logits: prompt 0, prefix "", action 2: the logits of '
                                         r'its child \(prompt 0, prefix "2"\) are all -inf'):
        armebm.soft_bellman_inverse(sp, armebm.soft_bellman(sp, r))


def test_a_dead_root_is_refused():
    sp = armebm.Space("eos", 2, 2)
    r = random_rewards(sp, 9)
    r[0, :] = -np.inf
    with pytest.raises(ValueError, match=r"^rewards: prompt 0: every response has reward -inf"):
        armebm.soft_bellman(sp, r)


@needs_check
def test_check_with_bans():
    sp, r = banned_rewards()
    q = armebm.soft_bellman(sp, r)
    res = armebm.check(sp, r, q, atol=1e-12)
    assert res.passed, res
    unbanned = q.copy()
    unbanned[0, 1] = 0.0  # mass on responses that p_R gives probability 0
    res = armebm.check(sp, r, unbanned)
    assert not res.passed and res.verdict == "violated"
    assert res.kl_reverse == math.inf and math.isfinite(res.kl_forward)
    assert "KL(p_q||p_r) = inf: p_q puts mass on responses that p_r gives probability 0" in res.message
    with pytest.raises(ValueError, match="every response has reward -inf"):
        dead = r.copy()
        dead[0, :] = -np.inf
        armebm.check(sp, dead, q)
