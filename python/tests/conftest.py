"""Shared fixtures: the armebm CLI of the same build, and the check API's presence."""
import os
import subprocess

import numpy as np
import pytest

import armebm

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.environ.get("ARMEBM_CLI", os.path.join(HERE, "..", "..", "armebm"))

needs_check = pytest.mark.skipif(not armebm.has_check(),
                                 reason="the loaded libarmebm lacks ae_check_d (the check API)")


def run_cli(*args):
    p = subprocess.run([CLI] + [str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def cli():
    if not os.access(CLI, os.X_OK):
        pytest.skip("no armebm program at %s (set ARMEBM_CLI)" % CLI)
    return run_cli


def random_rewards(space, seed, scale=2.0):
    """Finite rewards at allowed entries, -inf at masked ones."""
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0, scale, (space.prompts, space.num_states, space.num_actions))
    r[:, ~space.mask()] = -np.inf
    return r[0] if space.prompts == 1 else r
