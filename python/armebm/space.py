"""Spaces of responses and their tables in the canonical layout (doc/guide.md)."""
import itertools

import numpy as np

KINDS = {"fixed": 0, "eos": 1}  # space_kind of the flat C API (ae_space_kind)


def as_numpy(x, what):
    """A float64 numpy array from a numpy array, a torch tensor or a nested sequence."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, without importing torch
        x = x.detach().cpu()
        if hasattr(x, "double"):
            x = x.double()
        x = x.numpy()
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError("%s: cannot be read as float64 numbers (%s)" % (what, e)) from None


class Space:
    """E(V,T) (kind "eos": responses of up to T-1 tokens followed by EOS) or F(V,T) (kind
    "fixed": exactly T tokens), with `prompts` independent prompts.

    States are prefixes of depth 0..T-1 ordered by depth, then lexicographically with the first
    token most significant: prefix (y_1..y_d) has index (V^d - 1)/(V - 1) + sum_i y_i V^(d-i)
    (d when V = 1). Columns are the tokens 0..V-1, then EOS in E. A table is a float64 array
    (num_states, num_actions), or (prompts, num_states, num_actions); masked entries (tokens at
    depth T-1 in E) are -inf."""

    def __init__(self, kind, vocab, horizon, prompts=1):
        if kind not in KINDS:
            raise ValueError("kind must be 'eos' or 'fixed', not %r" % (kind,))
        for name, v, hi in (("vocab", vocab, 65536), ("horizon", horizon, 64), ("prompts", prompts, 65536)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or not 1 <= v <= hi:
                raise ValueError("%s must be an integer in [1, %d], not %r" % (name, hi, v))
        self.kind, self.vocab, self.horizon, self.prompts = kind, int(vocab), int(horizon), int(prompts)
        V, T = self.vocab, self.horizon
        self.num_actions = V + 1 if kind == "eos" else V
        self.first = [0]  # first[d]: index of the first state of depth d, d = 0..T
        for d in range(T):
            self.first.append(self.first[-1] + V ** d)
        self.num_states = self.first[T]
        self.num_responses = self.num_states if kind == "eos" else V ** T

    def __repr__(self):
        return "Space(%r, %d, %d, prompts=%d)" % (self.kind, self.vocab, self.horizon, self.prompts)

    @property
    def name(self):
        return "%s(%d,%d)" % ("E" if self.kind == "eos" else "F", self.vocab, self.horizon)

    @property
    def table_shape(self):
        if self.prompts == 1:
            return (self.num_states, self.num_actions)
        return (self.prompts, self.num_states, self.num_actions)

    def depth_prefixes(self, d):
        """The prefixes of depth d, in index order, as an int64 array of shape (V^d, d)."""
        if not 0 <= d < self.horizon:
            raise ValueError("depth %d is outside [0, %d]" % (d, self.horizon - 1))
        n = self.vocab ** d
        out = np.empty((n, d), dtype=np.int64)
        k = np.arange(n, dtype=np.int64)
        for i in range(d - 1, -1, -1):  # last token least significant
            out[:, i] = k % self.vocab
            k //= self.vocab
        return out

    def prefixes(self):
        """Every state as a tuple of tokens, in index order."""
        return [p for d in range(self.horizon) for p in itertools.product(range(self.vocab), repeat=d)]

    def index(self, prefix):
        """The state index of a prefix (a sequence of tokens)."""
        toks = [int(t) for t in prefix]
        if len(toks) >= self.horizon:
            raise ValueError("prefix %r has %d tokens; states of %s have at most %d"
                             % (tuple(toks), len(toks), self.name, self.horizon - 1))
        k = 0
        for t in toks:
            if not 0 <= t < self.vocab:
                raise ValueError("token %d of prefix %r is outside [0, %d]" % (t, tuple(toks), self.vocab - 1))
            k = k * self.vocab + t
        return self.first[len(toks)] + k

    def prefix(self, index):
        """The tokens of the state with this index (the inverse of index())."""
        if not 0 <= index < self.num_states:
            raise ValueError("state index %d is outside [0, %d]" % (index, self.num_states - 1))
        d = max(k for k in range(self.horizon) if self.first[k] <= index)
        k, toks = index - self.first[d], []
        for _ in range(d):
            toks.append(k % self.vocab)
            k //= self.vocab
        return tuple(reversed(toks))

    def mask(self):
        """Boolean (num_states, num_actions): True where the action is allowed."""
        m = np.ones((self.num_states, self.num_actions), dtype=bool)
        if self.kind == "eos":
            m[self.first[self.horizon - 1]:, :self.vocab] = False
        return m

    def response_entry(self):
        """(state, action) of the entry that ends each response, in response order."""
        if self.kind == "eos":
            return np.arange(self.num_states), np.full(self.num_states, self.vocab)
        last = np.arange(self.vocab ** (self.horizon - 1)) + self.first[self.horizon - 1]
        return np.repeat(last, self.vocab), np.tile(np.arange(self.vocab), len(last))

    def _rows(self, out, what, n, prompt, depth):
        a = as_numpy(out, what)
        if a.shape != (n, self.num_actions):
            raise ValueError("%s returned shape %s for the %d prefixes of depth %d%s; expected (%d, %d) "
                             "(columns: tokens 0..%d%s)" % (what, a.shape, n, depth,
                                                           "" if prompt is None else " of prompt %d" % prompt,
                                                           n, self.num_actions, self.vocab - 1,
                                                           ", then EOS" if self.kind == "eos" else ""))
        return a

    def _shape_out(self, table):
        table[:, ~self.mask()] = -np.inf
        return table[0] if self.prompts == 1 else table

    def from_prefix_fn(self, fn):
        """The table whose rows at depth d are fn(prefixes), prefixes an int64 array (V^d, d) of
        the states of depth d in index order (fn(prefixes, prompt=p) when prompts > 1). fn
        returns (V^d, num_actions) numbers (numpy or torch); masked entries are set to -inf."""
        table = np.empty((self.prompts, self.num_states, self.num_actions))
        for p in range(self.prompts):
            for d in range(self.horizon):
                x = self.depth_prefixes(d)
                out = fn(x) if self.prompts == 1 else fn(x, prompt=p)
                table[p, self.first[d]:self.first[d + 1]] = self._rows(out, "fn", len(x), None if self.prompts == 1 else p, d)
        return self._shape_out(table)

    def from_causal_lm(self, fn, bos, batch_size=None):
        """The table of a causal model, from one pass over the longest sequences: fn(tokens)
        (fn(tokens, prompt=p) when prompts > 1) gets an int64 array (n, T) of sequences
        [bos, y_1, ..., y_{T-1}] and returns (n, T, num_actions) next-action logits, position t
        giving the row of the prefix (y_1..y_t). Every prefix's row is read from the first
        sequence (in index order) that starts with it. batch_size bounds n per call."""
        T, V = self.horizon, self.vocab
        seqs = np.concatenate([np.full((V ** (T - 1), 1), bos, dtype=np.int64), self.depth_prefixes(T - 1)], axis=1)
        n = len(seqs)
        step = n if batch_size is None else max(1, int(batch_size))
        # sequence k covers prefix (y_1..y_t) first when its tail after t is all zeros, that is
        # when k is a multiple of V^(T-1-t); the prefix's index within its depth is k / V^(T-1-t)
        table = np.empty((self.prompts, self.num_states, self.num_actions))
        for p in range(self.prompts):
            for lo in range(0, n, step):
                chunk = seqs[lo:lo + step]
                out = fn(chunk) if self.prompts == 1 else fn(chunk, prompt=p)
                a = as_numpy(out, "fn")
                if a.shape != (len(chunk), T, self.num_actions):
                    raise ValueError("fn returned shape %s for %d sequences of length %d; expected (%d, %d, %d)"
                                     % (a.shape, len(chunk), T, len(chunk), T, self.num_actions))
                k = np.arange(lo, lo + len(chunk))
                for t in range(T):
                    stride = V ** (T - 1 - t)
                    sel = k % stride == 0
                    table[p, self.first[t] + k[sel] // stride] = a[sel, t]
        return self._shape_out(table)
