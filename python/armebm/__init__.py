"""armebm: certified checks of the ARM <-> EBM bijection, from Python.

A thin layer over libarmebm (loaded with ctypes; ARMEBM_LIB overrides where from):

    import armebm
    sp = armebm.Space("eos", vocab=3, horizon=4)
    r = sp.from_prefix_fn(lambda prefixes: my_rewards(prefixes))   # (n, num_actions) per depth
    q = armebm.soft_bellman(sp, r)                                  # certified M(r), float64
    assert armebm.check(sp, r, my_soft_bellman(r), atol=1e-12).passed

See python/README.md and doc/guide.md."""
from ._lib import has_check
from .maps import CheckResult, check, ebm_to_arm, soft_bellman, soft_bellman_inverse
from .space import Space

__all__ = ["Space", "soft_bellman", "soft_bellman_inverse", "ebm_to_arm", "check", "CheckResult",
           "has_check"]
