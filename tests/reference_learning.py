"""A slow, obvious oracle of one plastic connection, written from Lava 0.10's bit-approximate
learning models (dense numpy per step, whole-matrix rule evaluation, random streams drawn in
bulk from their seeds). It shares no code with the kernels; use it on small networks."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from neurochip.ir import SignMode
from neurochip.ir.learning import GRADED_SPIKE, TARGETS, TRACES, VARIABLES, WIDTHS

from reference import stored_weights, wrap32


def stochastic_round(value, draw, fraction):
    return (np.asarray(value) + (draw < np.asarray(fraction))).astype(np.int64)


def add_impulse(trace, draw, whole, fraction):
    return np.clip(stochastic_round(trace + whole, draw, fraction), 0, 127)


def decay(trace, tau, draw):
    z = np.exp(-1 / tau) * trace
    return stochastic_round(np.floor(z), draw, z % 1)


class Plastic:
    """One plastic connection's learning state for one sample; `weights` (n_dst, n_src)."""

    def __init__(self, conn, steps: int):
        rule = self.rule = conn.learning
        self.conn = conn
        self.weights = stored_weights(conn)
        self.stored = (self.weights != 0) if sp.issparse(conn.weights) else np.ones(conn.shape, bool)
        self.tag_1 = np.array(np.broadcast_to(conn.tag_1, conn.shape), np.int64)
        self.tag_2 = np.array(np.broadcast_to(conn.tag_2, conn.shape), np.int64)
        n_post, n_pre = conn.shape
        self.x, self.y = np.zeros((2, n_pre), np.int64), np.zeros((3, n_post), np.int64)
        self.tx, self.ty = np.zeros(n_pre, np.int64), np.zeros(n_post, np.int64)
        impulses = np.array([getattr(rule, f"{t}_impulse") for t in TRACES], np.float64)
        if rule.graded_spike != "regular":
            impulses[0] = 0
        self.whole = np.floor(impulses).astype(np.int64)
        self.fraction = np.round((impulses - self.whole) * 256).astype(np.int64)
        self.tau = np.array([getattr(rule, f"{t}_tau") for t in TRACES], np.float64)
        n = 2 * steps + 2
        s = rule.rng_seed
        self.xdec, self.ydec = (np.random.default_rng(s + k).random(n) for k in (0, 2))
        self.ximp, self.yimp = (np.random.default_rng(s + k).integers(0, 128, size=n, dtype=int) for k in (1, 3))
        self.conn_draw = np.random.default_rng(2).random(steps + 2)
        self.updates = self.trace_updates = 0

    def deliver(self, payload):
        """The connection's sum for this step's presynaptic payloads (before the weight exponent)."""
        if self.conn.num_message_bits == 0:
            return self.weights[:, payload != 0].sum(axis=1)
        return wrap32(wrap32(self.weights * payload[None, :]).sum(axis=1))

    def step(self, t, pre, post):
        """Note step t's presynaptic payloads and postsynaptic spikes; run the rule at an epoch's end."""
        rule, e = self.rule, self.rule.t_epoch
        within = t % e or e
        spiked = pre != 0
        multi = (self.tx > 0) & spiked
        stamp, x2_at = spiked.copy(), multi.copy()
        mode = GRADED_SPIKE.index(rule.graded_spike)
        half = np.round((pre if self.conn.num_message_bits else spiked.astype(np.int64)) / 2).astype(np.int64) & 255
        if mode == 0:
            self.x[0, multi] = add_impulse(self.x[0, multi], 0, self.whole[0], self.fraction[0])
            self.trace_updates += int(multi.sum())
        elif mode == 1:
            self.x[0, spiked] = half[spiked]
        elif mode == 2:
            self.x[0] = np.clip((self.x[0] + half) & 255, 0, 127)
        else:
            s = (self.x[0] + half) & 255
            over = s > 127
            stamp &= over
            x2_at &= over
            self.x[0] = np.where(over, s - 127, s)
            self.trace_updates += int((over & ~spiked).sum())
        if mode:
            self.trace_updates += int(spiked.sum())
        self.x[1, x2_at] = add_impulse(self.x[1, x2_at], 0, self.whole[1], self.fraction[1])
        self.trace_updates += int(x2_at.sum())
        self.tx[stamp] = within
        if rule.post_spikes:
            fired = post != 0
            again = (self.ty > 0) & fired
            self.y[:, again] = add_impulse(self.y[:, again], self.yimp[2 * t - 1], self.whole[2:, None],
                                           self.fraction[2:, None])
            self.trace_updates += 3 * int(again.sum())
            self.ty[fired] = within
        if t % e == 0:
            self.learn(t, t // e)

    def _histories(self, t):
        e = self.rule.t_epoch
        hists = []
        for values, stamp, rows, dec, imp in ((self.x, self.tx, slice(0, 2), self.xdec, self.ximp),
                                              (self.y, self.ty, slice(2, 5), self.ydec, self.yimp)):
            h = np.zeros((e + 1, *values.shape), np.int64)
            h[0] = values
            tau, whole, frac = self.tau[rows], self.whole[rows], self.fraction[rows]
            for s in range(1, e + 1):
                for k in range(values.shape[0]):
                    if tau[k] != 0:
                        h[s, k] = decay(h[s - 1, k], tau[k], dec[2 * t])
                        self.trace_updates += int(np.count_nonzero(h[s - 1, k]))
                    at = stamp == s
                    h[s, k, at] = add_impulse(h[s, k, at], imp[2 * t], whole[k], frac[k])
                    self.trace_updates += int(at.sum())
            hists.append(h)
        return hists

    def learn(self, t, epoch):
        e = self.rule.t_epoch
        xh, yh = self._histories(t)
        n_post, n_pre = self.weights.shape
        x_on = np.broadcast_to((self.tx > 0)[None, :], (n_post, n_pre))
        y_on = np.broadcast_to((self.ty > 0)[:, None], (n_post, n_pre))
        k = self.rule.decimate
        has_u = any(p.dependency == 2 for ps in self.rule.products.values() for p in ps)
        u_on = has_u and epoch % 2**k == 0
        olds = {"w": self.weights, "d": self.tag_2, "t": self.tag_1}
        at = {0: (np.broadcast_to(self.tx[None, :], (n_post, n_pre)), x_on),
              1: (np.broadcast_to(self.ty[:, None], (n_post, n_pre)), y_on),
              2: (np.full((n_post, n_pre), e), np.full((n_post, n_pre), u_on))}
        cols, rows = np.arange(n_pre)[None, :], np.arange(n_post)[:, None]
        new = {}
        for target, var in zip(TARGETS, ("w", "d", "t")):
            products = self.rule.products[target]
            if not products:
                continue
            acc = np.clip(olds[var] << 7, -32769, 32767)
            for p in products:
                s, on = at[p.dependency]
                m = on.astype(np.int64)
                for f in p.factors:
                    name = VARIABLES[f.var]
                    if name in ("x1", "x2"):
                        v = xh[s, int(name[1]) - 1, np.broadcast_to(cols, s.shape)]
                    elif name in ("y1", "y2", "y3"):
                        v = yh[s, int(name[1]) - 1, np.broadcast_to(rows, s.shape)]
                    elif name == "x0":
                        v = x_on.astype(np.int64)
                    elif name == "y0":
                        v = y_on.astype(np.int64)
                    else:
                        v = olds[name]
                    v = v + f.const
                    if f.sgn:
                        v = np.sign(v)
                    width = WIDTHS[f.var]
                    m = wrap32(m * np.clip(v, -2**width, 2**width - 1))
                m = wrap32(m * p.mantissa)
                m = np.clip((m >> max(0, p.width - 15)) << (p.exponent + 7), -32769, 32767)
                acc = np.clip(acc + m, -32769, 32767)
            mode = self.conn.sign_mode
            if var == "w":
                acc = np.maximum(acc, 0) if mode is SignMode.EXCITATORY else \
                    np.minimum(acc, 0) if mode is SignMode.INHIBITORY else acc
                lo, hi = {SignMode.MIXED: (-256, 255), SignMode.EXCITATORY: (0, 255),
                          SignMode.INHIBITORY: (-255, 0)}[mode]
            elif var == "d":
                acc, (lo, hi) = np.maximum(acc, 0), (0, 255)
            else:
                lo, hi = -257, 255
            q = acc / 128
            value = np.clip(stochastic_round(np.floor(q), self.conn_draw[epoch], q % 1), lo, hi)
            new[var] = np.where(self.stored, value, olds[var])
        deps = {p.dependency for ps in self.rule.products.values() for p in ps}
        touched = (x_on & (0 in deps)) | (y_on & (1 in deps)) | np.full(x_on.shape, u_on)
        self.updates += int((touched & self.stored).sum())
        self.weights, self.tag_2, self.tag_1 = new.get("w", self.weights), new.get("d", self.tag_2), \
            new.get("t", self.tag_1)
        self.x, self.y = xh[e], yh[e]
        self.tx[:], self.ty[:] = 0, 0
