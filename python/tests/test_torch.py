"""A PyTorch implementation of M, written here, checked with armebm; planted bugs caught by
the right criterion; and a small causal Transformer enumerated two ways."""
import numpy as np
import pytest

import armebm
from conftest import needs_check, random_rewards

torch = pytest.importorskip("torch")


def torch_soft_bellman(sp, r, dtype=torch.float64, bug=None):
    """q = M(r) in PyTorch: deepest states first, q(s,a) = r(s,a) + V(s.a) for a that does not
    end the response, V = logsumexp of the child's row. `bug` plants one mistake."""
    V, T = sp.vocab, sp.horizon
    r = torch.as_tensor(r, dtype=dtype)
    q = r.clone()
    for d in range(T - 2, -1, -1):  # depth T-1 rows are final: every allowed action ends there
        lo, hi = sp.first[d], sp.first[d + 1]
        n = hi - lo
        kids = q[sp.first[d + 1]:sp.first[d + 2]]
        if bug == "eos-left-out" and sp.kind == "eos" and d + 1 < T - 1:  # rows that have tokens
            value = torch.logsumexp(kids[:, :V], dim=1)
        else:
            value = torch.logsumexp(kids, dim=1)
        value = value.reshape(n, V)  # child of (s, a) is first[d+1] + (s - first[d]) V + a
        if bug == "child-order":
            value = value.reshape(V, n).T if d > 0 else value  # token-major: wrong for d >= 1
        if bug == "dropped-depth" and d == 0:
            continue
        q[lo:hi, :V] = r[lo:hi, :V] + value
    return q


SPACES = [("eos", 3, 4), ("fixed", 3, 4), ("eos", 2, 5)]
BUGS = ["eos-left-out", "child-order", "dropped-depth"]


def rel_err(a, b):
    fin = np.isfinite(b)
    if not np.array_equal(fin, np.isfinite(a)):
        return np.inf
    return np.max(np.abs(a[fin] - b[fin]) / np.maximum(1.0, np.abs(b[fin])))


@pytest.mark.parametrize("kind,V,T", SPACES)
def test_torch_m_agrees_with_armebm(kind, V, T):
    sp = armebm.Space(kind, V, T)
    r = random_rewards(sp, 11)
    q = torch_soft_bellman(sp, r).numpy()
    assert rel_err(q, armebm.soft_bellman(sp, r)) <= 4e-15 * T


@pytest.mark.parametrize("kind,V,T", SPACES)
@pytest.mark.parametrize("bug", BUGS)
def test_planted_bugs_differ_from_m(kind, V, T, bug):
    if bug == "eos-left-out" and kind == "fixed":
        pytest.skip("no EOS in F")
    sp = armebm.Space(kind, V, T)
    r = random_rewards(sp, 12)
    assert rel_err(torch_soft_bellman(sp, r, bug=bug).numpy(), armebm.soft_bellman(sp, r)) > 1e-3


def test_float32_is_close_but_not_exact():
    sp = armebm.Space("eos", 3, 4)
    r = random_rewards(sp, 13)
    err = rel_err(torch_soft_bellman(sp, r, dtype=torch.float32).double().numpy(), armebm.soft_bellman(sp, r))
    assert 1e-12 < err < 1e-5


@needs_check
@pytest.mark.parametrize("kind,V,T", SPACES)
def test_check_passes_torch_m(kind, V, T):
    sp = armebm.Space(kind, V, T)
    r = random_rewards(sp, 11)
    res = armebm.check(sp, r, torch_soft_bellman(sp, r), atol=1e-12)
    assert res.passed, res
    assert res.verdict == "verified" and res.abs_err <= 1e-12
    assert res.as_dict()["passed"] is True


@needs_check
@pytest.mark.parametrize("kind,V,T", SPACES)
@pytest.mark.parametrize("bug", BUGS)
def test_check_catches_planted_bugs_by_kl(kind, V, T, bug):
    if bug == "eos-left-out" and kind == "fixed":
        pytest.skip("no EOS in F")
    sp = armebm.Space(kind, V, T)
    r = random_rewards(sp, 12)
    res = armebm.check(sp, r, torch_soft_bellman(sp, r, bug=bug), tol=1e-9)
    assert not res.passed and res.verdict == "violated"
    assert max(res.kl_forward, res.kl_reverse) > 1e-9  # the distribution is wrong, not just shifted
    assert "FAILED" in repr(res)


@needs_check
def test_float32_passes_kl_and_fails_atol():
    sp = armebm.Space("eos", 3, 4)
    r = random_rewards(sp, 13)
    q32 = torch_soft_bellman(sp, r, dtype=torch.float32)
    assert armebm.check(sp, r, q32, tol=1e-9).passed
    res = armebm.check(sp, r, q32, tol=1e-9, atol=1e-12)
    assert not res.passed and res.abs_err > 1e-12


class TinyCausalLM(torch.nn.Module):
    """Token + position embeddings, two causal self-attention layers, a head over the actions."""

    def __init__(self, vocab, actions, length, prompts=1, width=16):
        super().__init__()
        g = torch.Generator().manual_seed(5)
        self.tok = torch.nn.Embedding(vocab + 1, width)  # + BOS
        self.pos = torch.nn.Embedding(length, width)
        self.prompt = torch.nn.Embedding(prompts, width)
        layer = torch.nn.TransformerEncoderLayer(width, nhead=2, dim_feedforward=32, dropout=0.0, batch_first=True)
        self.body = torch.nn.TransformerEncoder(layer, num_layers=2)
        self.head = torch.nn.Linear(width, actions)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
        self.double().eval()

    def forward(self, tokens, prompt=0):
        tokens = torch.as_tensor(tokens)
        L = tokens.shape[1]
        h = self.tok(tokens) + self.pos(torch.arange(L)) + self.prompt(torch.tensor(prompt))
        causal = torch.triu(torch.full((L, L), float("-inf"), dtype=torch.float64), diagonal=1)
        return self.head(self.body(h, mask=causal))


@pytest.mark.parametrize("kind,V,T,P", [("eos", 3, 4, 1), ("fixed", 2, 5, 1), ("eos", 2, 3, 2)])
def test_causal_lm_one_pass_equals_per_prefix(kind, V, T, P):
    sp = armebm.Space(kind, V, T, prompts=P)
    model = TinyCausalLM(V, sp.num_actions, T, prompts=P)
    bos = V

    def last_position(prefixes, prompt=0):  # one forward pass per depth, the last position's row
        x = np.concatenate([np.full((len(prefixes), 1), bos), prefixes], axis=1)
        with torch.no_grad():
            return model(x, prompt)[:, -1]

    def whole(tokens, prompt=0):
        with torch.no_grad():
            return model(tokens, prompt)

    per_prefix = sp.from_prefix_fn(last_position)
    one_pass = sp.from_causal_lm(whole, bos=bos)
    chunked = sp.from_causal_lm(whole, bos=bos, batch_size=5)
    fin = np.isfinite(per_prefix)
    assert np.array_equal(fin, sp.mask() if P == 1 else np.broadcast_to(sp.mask(), per_prefix.shape))
    assert np.array_equal(fin, np.isfinite(one_pass))
    assert np.max(np.abs(one_pass[fin] - per_prefix[fin])) <= 1e-12
    assert np.max(np.abs(chunked[fin] - one_pass[fin])) <= 1e-12
    # the model's logits are some ARM: M^{-1} gives its rewards, and M maps them back
    r = armebm.soft_bellman_inverse(sp, one_pass)
    assert rel_err(armebm.soft_bellman(sp, r), one_pass) <= 1e-14
