"""The certified maps and the regression check, through libarmebm's flat float64 API."""
import ctypes
import math

import numpy as np

from . import _lib
from .space import KINDS, Space, as_numpy

_ERRLEN = 1024


def _table(space, x, what):
    """x as a C-contiguous float64 array in the space's layout, and the shape to return."""
    if not isinstance(space, Space):
        raise TypeError("space must be an armebm.Space, not %s" % type(space).__name__)
    a = as_numpy(x, what)
    full = (space.prompts, space.num_states, space.num_actions)
    if a.shape not in (space.table_shape, full):
        raise ValueError("%s has shape %s; %s with %d prompt(s) expects %s" % (
            what, a.shape, space.name, space.prompts, space.table_shape))
    return np.ascontiguousarray(a), a.shape


def _ptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))


def _map(fn, space, x, what):
    a, shape = _table(space, x, what)
    out = np.empty_like(a)
    err = ctypes.create_string_buffer(_ERRLEN)
    rc = fn(KINDS[space.kind], space.vocab, space.horizon, space.prompts, _ptr(a), _ptr(out), err, _ERRLEN)
    if rc != 0:
        raise ValueError(err.value.decode("utf-8", "replace"))
    return out.reshape(shape)


def soft_bellman(space, rewards):
    """q = M(r): the soft Bellman backward pass, each value the correctly rounded float64 of the
    exact one (certified arithmetic). rewards: a table of the space (numpy or torch); -inf at an
    allowed entry is a banned token (q = -inf there, its subtree has probability 0)."""
    return _map(_lib.lib.ae_map_d, space, rewards, "rewards")


def soft_bellman_inverse(space, logits):
    """r = M^{-1}(q), each value correctly rounded; a row of logits all -inf is refused (the reward
    above it is not determined)."""
    return _map(_lib.lib.ae_unmap_d, space, logits, "logits")


def ebm_to_arm(space, scores):
    """The ARM logits of the EBM p(y) ∝ exp R(y) given one score per response, in the canonical
    response order (by length, then tokens; shape (num_responses,) or (prompts,
    num_responses)): M of the reward table holding R(y) on the action that ends y, 0 elsewhere."""
    s = as_numpy(scores, "scores")
    if s.shape not in ((space.prompts, space.num_responses),) + (((space.num_responses,),) if space.prompts == 1 else ()):
        raise ValueError("scores has shape %s; %s with %d prompt(s) has %d responses per prompt, so "
                         "expects %s" % (s.shape, space.name, space.prompts, space.num_responses,
                                         (space.num_responses,) if space.prompts == 1 else
                                         (space.prompts, space.num_responses)))
    s = s.reshape(space.prompts, space.num_responses)
    r = np.zeros((space.prompts, space.num_states, space.num_actions))
    r[:, ~space.mask()] = -np.inf
    st, ac = space.response_entry()
    r[:, st, ac] = s
    return soft_bellman(space, r[0] if space.prompts == 1 else r)


def _verdict(passed, code):
    """The verdict's name. The flat API documents 0 verified, 1 violated, 2 undecided, while
    ae_verdict numbers them 1, -1, 0: read either way, a result that passed is verified, and one
    that failed is violated (1 or -1) or undecided (2 or 0)."""
    if passed:
        return "verified"
    return {1: "violated", -1: "violated", 2: "undecided", 0: "undecided"}.get(code, "unknown(%d)" % code)


class CheckResult:
    """What armebm.check found. Upper bounds are certified (the true value is at most the
    number); a criterion not asked for is None. Truthy when passed, and its repr is the whole
    story, so `assert result.passed` in pytest prints it on failure."""

    def __init__(self, space, c, asked):
        self.space = space
        self.passed = bool(c.passed)
        self.verdict = _verdict(self.passed, c.verdict)
        self.kl_forward = c.kl_fwd_upper
        self.kl_reverse = c.kl_rev_upper
        self.abs_err = c.abs_err_upper
        self.rel_err = c.rel_err_upper
        self.centered_err = c.centered_err_upper if asked["centered"] else None
        self.prec = c.prec
        self.message = c.message.decode("utf-8", "replace")
        self.tolerances = asked
        if c.abs_state >= 0 and c.abs_state < space.num_states:
            pre = space.prefix(c.abs_state)
            act = "EOS" if c.abs_action == space.vocab else int(c.abs_action)
            self.where = {"prompt": int(c.abs_prompt), "prefix": pre, "action": act}
        else:
            self.where = None

    def __bool__(self):
        return self.passed

    def as_dict(self):
        return {"space": self.space.name, "prompts": self.space.prompts, "passed": self.passed,
                "verdict": self.verdict, "kl_forward_upper": self.kl_forward,
                "kl_reverse_upper": self.kl_reverse, "abs_err_upper": self.abs_err,
                "rel_err_upper": self.rel_err, "centered_err_upper": self.centered_err,
                "worst_abs_at": self.where, "prec": self.prec, "tolerances": dict(self.tolerances),
                "message": self.message}

    def __repr__(self):
        t = self.tolerances
        parts = ["KL <= %.3g forward, %.3g reverse (tol %g)" % (self.kl_forward, self.kl_reverse, t["tol"]),
                 "|q - M(r)| <= %.3g%s" % (self.abs_err, "" if t["atol"] is None else " (atol %g)" % t["atol"])]
        if t["rtol"] is not None:
            parts.append("|q - M(r)|/max(1,|M(r)|) <= %.3g (rtol %g)" % (self.rel_err, t["rtol"]))
        if t["centered"]:
            parts.append("centered <= %.3g" % self.centered_err)
        if self.where is not None:
            parts[1] += " at prompt %d, prefix %s, action %s" % (
                self.where["prompt"], self.where["prefix"], self.where["action"])
        return "CheckResult(%s, %s on %s: %s; %s)" % ("passed" if self.passed else "FAILED", self.verdict,
                                                     self.space.name, "; ".join(parts), self.message)


def check(space, rewards, logits, tol=1e-9, atol=None, rtol=None, centered=False, mask_below=None,
          prec=None, max_prec=None):
    """Certified regression check of logits against M(rewards): KL both ways per prompt within
    tol (KL grows like the square of a logit error: tol 1e-9 catches errors of about 1e-4 and
    up), and when asked |q - M(r)| <= atol, the mixed relative error |q - M(r)|/max(1, |M(r)|)
    <= rtol, and centered=True the errors after removing each row's best constant."""
    fns = _lib.check_functions()
    if fns is None:
        raise RuntimeError("armebm.check: the loaded libarmebm (%s) lacks ae_check_d; build a "
                           "libarmebm that has the check API" % _lib.path)
    init, run = fns
    r, _ = _table(space, rewards, "rewards")
    q, _ = _table(space, logits, "logits")
    o = _lib.CheckOpts()
    init(ctypes.byref(o))
    o.tol = float(tol)
    o.atol = -1.0 if atol is None else float(atol)
    o.rtol = -1.0 if rtol is None else float(rtol)
    o.centered = 1 if centered else 0
    o.mask_below = -math.inf if mask_below is None else float(mask_below)
    if prec is not None:
        o.prec = int(prec)
    if max_prec is not None:
        o.max_prec = int(max_prec)
    res = _lib.CheckResultC()
    err = ctypes.create_string_buffer(_ERRLEN)
    rc = run(ctypes.byref(res), KINDS[space.kind], space.vocab, space.horizon, space.prompts,
             _ptr(r), _ptr(q), ctypes.byref(o), err, _ERRLEN)
    if rc != 0:
        raise ValueError(err.value.decode("utf-8", "replace"))
    return CheckResult(space, res, {"tol": tol, "atol": atol, "rtol": rtol, "centered": bool(centered)})
