"""Spaces: sizes against the C library (armebm count), the canonical order against the guide's
formula, and tables built from a prefix function."""
import itertools
import re

import numpy as np
import pytest

import armebm

SPACES = [(k, V, T, P) for k in ("eos", "fixed") for V in (1, 2, 3) for T in (1, 2, 4) for P in (1, 2)]


@pytest.mark.parametrize("kind,V,T,P", SPACES)
def test_sizes_match_the_library(cli, kind, V, T, P):
    sp = armebm.Space(kind, V, T, prompts=P)
    rc, out, err = cli("count", "--space", kind, "--vocab", V, "--horizon", T, "--prompts", P)
    assert rc == 0, err
    field = dict(re.findall(r"^(\w+) +(\S+)", out, re.M))
    assert int(field["states"]) == sp.num_states
    assert int(field["responses"]) == sp.num_responses
    assert int(field["pairs"]) == int(sp.mask().sum())
    assert sp.table_shape == ((sp.num_states, sp.num_actions) if P == 1 else (P, sp.num_states, sp.num_actions))


def guide_index(V, y):
    """doc/guide.md: (V^d - 1)/(V - 1) + sum_i y_i V^(d-i), d for V = 1."""
    d = len(y)
    base = d if V == 1 else (V ** d - 1) // (V - 1)
    return base + sum(t * V ** (d - 1 - i) for i, t in enumerate(y))


@pytest.mark.parametrize("kind,V,T", [("eos", 1, 3), ("eos", 3, 3), ("fixed", 2, 4), ("fixed", 4, 2)])
def test_prefixes_in_canonical_order(kind, V, T):
    sp = armebm.Space(kind, V, T)
    pre = sp.prefixes()
    assert len(pre) == sp.num_states
    assert pre == sorted(pre, key=lambda y: (len(y), y))  # by depth, then first token most significant
    assert [guide_index(V, y) for y in pre] == list(range(sp.num_states))
    assert [sp.index(y) for y in pre] == list(range(sp.num_states))
    assert [sp.prefix(i) for i in range(sp.num_states)] == pre
    for d in range(T):
        assert [tuple(r) for r in sp.depth_prefixes(d)] == list(itertools.product(range(V), repeat=d))


def test_index_refuses_what_is_not_a_state():
    sp = armebm.Space("eos", 3, 3)
    with pytest.raises(ValueError, match="token 3 of prefix"):
        sp.index((0, 3))
    with pytest.raises(ValueError, match="at most 2"):
        sp.index((0, 1, 2))
    with pytest.raises(ValueError, match="kind"):
        armebm.Space("variable", 3, 3)
    with pytest.raises(ValueError, match="vocab"):
        armebm.Space("eos", 0, 3)


def test_from_prefix_fn_rows_mask_and_prompts():
    sp = armebm.Space("eos", 2, 3, prompts=2)
    calls = []

    def fn(prefixes, prompt):
        calls.append((prompt, prefixes.shape))
        # row value encodes the prefix and the prompt; column j adds j/10
        code = np.array([guide_index(2, tuple(y)) for y in prefixes], dtype=float)
        return code[:, None] + 100 * prompt + np.arange(3)[None, :] / 10

    t = sp.from_prefix_fn(fn)
    assert calls == [(p, (2 ** d, d)) for p in range(2) for d in range(3)]
    assert t.shape == (2, 7, 3)
    allowed = sp.mask()
    for p in range(2):
        for s, y in enumerate(sp.prefixes()):
            for a in range(3):
                want = s + 100 * p + a / 10 if allowed[s, a] else -np.inf
                assert t[p, s, a] == want


def test_from_prefix_fn_takes_torch_and_checks_shapes():
    torch = pytest.importorskip("torch")
    sp = armebm.Space("fixed", 3, 2)
    t = sp.from_prefix_fn(lambda x: torch.ones(len(x), 3, dtype=torch.float32, requires_grad=True) * 0.5)
    assert t.dtype == np.float64 and np.all(t == 0.5)
    with pytest.raises(ValueError, match=r"shape \(3, 4\) for the 3 prefixes of depth 1; expected \(3, 3\)"):
        sp.from_prefix_fn(lambda x: np.zeros((len(x), 3 if x.shape[1] == 0 else 4)))
