"""soft_bellman and its inverse against the armebm program, ebm_to_arm against the EBM's
distribution computed here, and input errors."""
import numpy as np
import pytest

import armebm
from conftest import random_rewards

CASES = [("eos", 3, 4, 1), ("fixed", 2, 5, 1), ("eos", 2, 3, 2), ("fixed", 4, 3, 2), ("eos", 1, 4, 1)]


@pytest.mark.parametrize("kind,V,T,P", CASES)
@pytest.mark.parametrize("inverse", [False, True])
def test_bytes_equal_to_cli(cli, tmp_path, kind, V, T, P, inverse):
    sp = armebm.Space(kind, V, T, prompts=P)
    x = random_rewards(sp, seed=V * 100 + T * 10 + P)
    np.save(tmp_path / "in.npy", x)
    rc, _, err = cli("unmap" if inverse else "map", "--space", kind, "--vocab", V, "--horizon", T,
                     "--prompts", P, "--in", tmp_path / "in.npy", "--out", tmp_path / "out.npy")
    assert rc == 0, err
    want = np.load(tmp_path / "out.npy")
    got = (armebm.soft_bellman_inverse if inverse else armebm.soft_bellman)(sp, x)
    assert got.dtype == np.float64 and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


def log_p_from_logits(sp, q, y):
    """log p_q(y): sum of log-softmaxes of q's rows along y (EOS ends y in E)."""
    acts = list(y) + ([sp.vocab] if sp.kind == "eos" else [])
    total, prefix = 0.0, ()
    for a in acts:
        row = q[sp.index(prefix)]
        fin = row[np.isfinite(row)]
        m = fin.max()
        total += row[a] - (m + np.log(np.exp(fin - m).sum()))
        prefix = prefix + (a,)
    return total


def responses(sp):
    if sp.kind == "eos":
        return sp.prefixes()
    import itertools
    return list(itertools.product(range(sp.vocab), repeat=sp.horizon))


@pytest.mark.parametrize("kind,V,T", [("eos", 3, 4), ("fixed", 3, 3), ("eos", 1, 5)])
def test_ebm_to_arm_gives_the_ebm_distribution(kind, V, T):
    sp = armebm.Space(kind, V, T)
    R = np.random.default_rng(7).normal(0, 3, sp.num_responses)
    q = armebm.ebm_to_arm(sp, R)
    logp = R - (R.max() + np.log(np.exp(R - R.max()).sum()))
    ys = responses(sp)
    assert len(ys) == sp.num_responses
    for k, y in enumerate(ys):
        assert abs(log_p_from_logits(sp, q, y) - logp[k]) <= 1e-12 * max(1.0, abs(logp[k]))


@pytest.mark.parametrize("kind,V,T,P", [("eos", 3, 3, 1), ("fixed", 2, 3, 2)])
def test_ebm_to_arm_equals_cli_map_scores(cli, tmp_path, kind, V, T, P):
    """The reward table built in C (map --scores) and in Python give the same bytes."""
    sp = armebm.Space(kind, V, T, prompts=P)
    R = np.random.default_rng(3).normal(0, 2, (P, sp.num_responses)).astype(np.float32)
    np.save(tmp_path / "s.npy", R[0] if P == 1 else R)
    rc, _, err = cli("map", "--space", kind, "--vocab", V, "--horizon", T, "--prompts", P,
                     "--scores", tmp_path / "s.npy", "--out", tmp_path / "q.npy")
    assert rc == 0, err
    assert np.load(tmp_path / "q.npy").tobytes() == armebm.ebm_to_arm(sp, R[0] if P == 1 else R).tobytes()


def test_ebm_to_arm_puts_scores_on_ending_actions():
    sp = armebm.Space("fixed", 2, 2, prompts=2)
    R = np.arange(8.0).reshape(2, 4)
    q = armebm.ebm_to_arm(sp, R)
    # at depth T-1 every action ends: q = R there; F(2,2) responses 00, 01, 10, 11 -> states 1, 2
    assert q[:, 1:, :].reshape(2, 4).tolist() == R.tolist()
    with pytest.raises(ValueError, match=r"expects \(2, 4\)"):
        armebm.ebm_to_arm(sp, np.zeros(4))


def test_bad_tables_are_refused_with_the_entry():
    sp = armebm.Space("eos", 2, 3)
    r = random_rewards(sp, 1)
    r[4, 2] = np.nan
    with pytest.raises(ValueError, match=r'^rewards:index 14 \(prompt 0, prefix "0 1", action EOS\): NaN is not allowed$'):
        armebm.soft_bellman(sp, r)
    r = random_rewards(sp, 1)
    r[6, 0] = 0.0
    with pytest.raises(ValueError, match=r"finite value at a masked entry"):
        armebm.soft_bellman(sp, r)
    with pytest.raises(ValueError, match=r"shape \(7, 2\); E\(2,3\) with 1 prompt\(s\) expects \(7, 3\)"):
        armebm.soft_bellman(sp, np.zeros((7, 2)))
    with pytest.raises(TypeError, match="armebm.Space"):
        armebm.soft_bellman("eos", r)


def test_check_without_the_api_says_so():
    if armebm.has_check():
        pytest.skip("this libarmebm has ae_check_d")
    sp = armebm.Space("eos", 2, 2)
    r = random_rewards(sp, 2)
    with pytest.raises(RuntimeError, match="lacks ae_check_d"):
        armebm.check(sp, r, armebm.soft_bellman(sp, r))


def test_verdict_names_either_encoding():
    """ae_check_result.verdict: 0/1/2 (flat API) or ae_verdict's 1/-1/0, read consistently."""
    from armebm.maps import _verdict
    assert _verdict(True, 0) == _verdict(True, 1) == "verified"
    assert _verdict(False, 1) == _verdict(False, -1) == "violated"
    assert _verdict(False, 2) == _verdict(False, 0) == "undecided"
