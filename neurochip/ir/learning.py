"""Learning rules of Loihi's learning engine, as Lava 0.10 states them (sum-of-products strings over
pre/post traces, weights and tags), parsed into products the kernels evaluate in fixed point.

A rule's string is a sum of products, e.g. ``"2^-2 * x1 * y0 - 2 * y1 * x0"``. Each product has
one dependency (``x0``: a presynaptic spike in the epoch, ``y0``: a postsynaptic spike, ``uk``:
every 2**k-th epoch), a scale ``mantissa * 2**exponent`` (mantissa in [-8, 7], exponent in [-7, 8],
even mantissas above 7 normalised into the exponent) and factors: traces ``x1 x2 y1 y2 y3``
(7 bits), synaptic variables ``w d t`` (9 bits: weight, tag_2, tag_1), ``(var + c)``,
``sgn(var + c)`` (w, d, t only) and ``x0``/``y0`` after the dependency (1 bit).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ._checks import int_scalar
from ..errors import NetworkError, network_error

#: Synaptic variables a rule can update, in the order the engine applies them (each update reads
#: the values from before the epoch's updates): weight, tag_2 ("delay", d), tag_1 ("tag", t).
TARGETS = ("dw", "dd", "dt")
#: Dependency codes: x0, y0, u.
DEPENDENCIES = ("x0", "y0", "u")
#: Factor variable codes, in kernel order: traces, synaptic variables, dependency flags.
VARIABLES = ("x1", "x2", "y1", "y2", "y3", "w", "d", "t", "x0", "y0")
#: Bits of each factor (`VARIABLES` order); a factor of width b is clipped to [-2**b, 2**b - 1].
WIDTHS = (7, 7, 7, 7, 7, 9, 9, 9, 1, 1)
#: How a graded presynaptic payload updates trace x1 (Lava's GradedSpikeCfg, in its order).
GRADED_SPIKE = ("regular", "overwrite", "add_saturate", "add_wrap")
#: Trace names with an impulse and a decay time constant.
TRACES = ("x1", "x2", "y1", "y2", "y3")
#: Added to every product's width sum (the scale mantissa's bits) and the accumulator's width.
SCALE_BITS, ACCUMULATOR_BITS = 4, 15
MANTISSA_RANGE, EXPONENT_RANGE = (-8, 7), (-7, 8)

_TOKEN = re.compile(r"(?P<op>[-+*])|(?P<dep>x0|y0|u\d)|(?P<var>x[12]|y[123]|[wdt])|(?P<open>sgn\(|\()|"
                    r"(?P<lit>\d+\*2\^[-+]?\d+|2\^[-+]?\d+|\d+)")


@dataclass(frozen=True)
class Factor:
    """One factor of a product: `VARIABLES[var] + const`, or its sign when `sgn`."""

    var: int
    const: int = 0
    sgn: bool = False


@dataclass(frozen=True)
class Product:
    """``dependency * mantissa * 2**exponent * factors``. `decimate` is k of a ``uk`` dependency."""

    dependency: int
    mantissa: int
    exponent: int
    factors: tuple[Factor, ...]
    decimate: int = 0

    @property
    def width(self) -> int:
        """Bits of the product before scaling: its factors' widths plus the mantissa's."""
        return sum(WIDTHS[f.var] for f in self.factors) + SCALE_BITS


def _literal(text: str) -> tuple[int, int]:
    """(mantissa, exponent) of a literal ``m*2^e``, ``2^e`` or ``m``."""
    if "^" not in text:
        return int(text), 0
    head, exp = text.split("^")
    return (int(head.split("*")[0]) if "*" in head else 1), int(exp)


def _bracket(text: str, start: int) -> int:
    """Index just past the parenthesis that closes the one opened before `start`."""
    depth = 1
    for k in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[k], 0)
        if depth == 0:
            return k + 1
    raise ValueError(f"unclosed '(' at character {start}")


def _terms(text: str) -> list[tuple[int, list]]:
    """Split `text` (no whitespace) into signed products, each a list of (kind, value) tokens."""
    products: list[tuple[int, list]] = []
    sign, tokens, pos = 1, [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"cannot read {text[pos:]!r} at character {pos}")
        kind, value = m.lastgroup, m.group()
        pos = m.end()
        if kind == "op" and value in "+-":
            if tokens:
                products.append((sign, tokens))
                tokens, sign = [], 1
            sign *= -1 if value == "-" else 1
            continue
        if kind == "op":
            continue
        if kind == "open":
            end = _bracket(text, pos)
            tokens.append(("sgn" if value == "sgn(" else "group", text[pos:end - 1]))
            pos = end
            continue
        tokens.append((kind, value))
    if not tokens:
        raise ValueError("a rule ends with an operator or is empty")
    products.append((sign, tokens))
    return products


def _group(text: str, sgn: bool) -> tuple[int, Factor | None, int, int]:
    """A bracket's content: (sign, factor or None, literal mantissa, literal exponent). ``(lit)``
    scales the product; ``(var + lit)`` is a factor with a constant; a negated variable flips the
    product's sign and the constant's."""
    parts = _terms(text)
    lits = [(s, t[0][1]) for s, t in parts if len(t) == 1 and t[0][0] == "lit"]
    var = [(s, t[0][1]) for s, t in parts if len(t) == 1 and t[0][0] == "var"]
    if len(parts) == 1 and lits and not sgn:
        mant, exp = _literal(lits[0][1])
        return 1, None, lits[0][0] * mant, exp
    if len(var) != 1 or len(lits) != len(parts) - 1 or len(lits) > 1:
        raise ValueError(f"({text}): expected a variable, a literal, or a variable plus or minus a literal")
    vsign, name = var[0]
    const = 0
    if lits:
        mant, exp = _literal(lits[0][1])
        if exp != 0:
            raise ValueError(f"({text}): the constant must be an integer")
        const = lits[0][0] * mant
    if sgn and (name not in ("w", "d", "t") or vsign < 0):
        raise ValueError(f"sgn({text}): expected sgn of w, d or t (not negated) plus or minus a literal")
    return vsign, Factor(VARIABLES.index(name), const * vsign, sgn), 1, 0


def _product(sign: int, tokens: list) -> Product:
    dependency, decimate, mant, exp, factors = None, 0, sign, 0, []
    for kind, value in tokens:
        if kind == "dep" and dependency is None:
            dependency = 2 if value[0] == "u" else DEPENDENCIES.index(value)
            decimate = int(value[1]) if value[0] == "u" else 0
        elif kind == "dep":
            if value[0] == "u":
                raise ValueError(f"{value} after the product's dependency {DEPENDENCIES[dependency]}")
            factors.append(Factor(VARIABLES.index(value)))
        elif kind == "var":
            factors.append(Factor(VARIABLES.index(value)))
        elif kind == "lit":
            m, e = _literal(value)
            mant, exp = mant * m, exp + e
        else:
            s, factor, m, e = _group(value, kind == "sgn")
            mant, exp = mant * s * m, exp + e
            if factor is not None:
                factors.append(factor)
    if dependency is None:
        raise ValueError("a product without a dependency (x0, y0 or u0..u9)")
    while abs(mant) > MANTISSA_RANGE[1] and mant % 2 == 0 and exp < EXPONENT_RANGE[1]:
        mant, exp = mant // 2, exp + 1
    if not (MANTISSA_RANGE[0] <= mant <= MANTISSA_RANGE[1] and EXPONENT_RANGE[0] <= exp <= EXPONENT_RANGE[1]):
        raise ValueError(f"scale {mant}*2^{exp}: expected a mantissa in {list(MANTISSA_RANGE)} and an exponent "
                         f"in {list(EXPONENT_RANGE)}")
    return Product(dependency, mant, exp, tuple(factors), decimate)


def parse_rule(text: str) -> tuple[Product, ...]:
    """The products of one rule string (empty string: no products). Raises ValueError."""
    text = re.sub(r"\s+", "", text)
    return tuple(_product(s, t) for s, t in _terms(text)) if text else ()


def float_literal(x: float) -> str:
    """`x` as a rule literal the way Lava's STDP helpers write it: an integer part m and, when x is
    not an integer, the nearest power of two of x / m (so 0.3 -> ``(1) * 2 ^ -2``, 2.4 -> ``(2)``)."""
    if x == 0:
        return "0"
    sign, m = int(np.sign(x)), max(int(abs(x)), 1)
    ratio = abs(x) / m
    return f"({sign * m})" if ratio == 1 else f"({sign * m}) * 2 ^ {int(np.round(np.log2(ratio)))}"


@dataclass(frozen=True)
class LearningRule:
    """A Loihi learning rule (Lava's ``Loihi2FLearningRule``; ``LoihiLearningRule`` with
    ``post_spikes=False``).

    Parameters
    ----------
    dw, dd, dt : sum-of-products strings updating the weight, tag_2 and tag_1 once per epoch
        ("" leaves the variable alone).
    x1_impulse ... y3_impulse : added to a trace (clipped to [0, 127]) when its neuron spikes; the
        fraction rounds stochastically.
    x1_tau ... y3_tau : decay time constants in steps (trace *= exp(-1/tau) each step, rounded
        stochastically); 0 keeps no value from one step to the next.
    t_epoch : steps per learning epoch; the rule runs at the last step of each.
    rng_seed : seed of the trace streams (Lava's ``rng_seed``: seed .. seed + 3).
    post_spikes : whether the target population's spikes reach the y traces (a back-propagating
        action potential wired into ``s_in_bap``).
    graded_spike : how a graded presynaptic payload p updates x1: "regular" (an impulse, as a
        binary spike), "overwrite" (x1 = p / 2), "add_saturate" (x1 += p / 2, saturating at 127),
        "add_wrap" (x1 += p / 2; overflow past 127 counts as the spike and adds x2's impulse).
    """

    dw: str = ""
    dd: str = ""
    dt: str = ""
    x1_impulse: float = 0.0
    x1_tau: float = 0.0
    x2_impulse: float = 0.0
    x2_tau: float = 0.0
    y1_impulse: float = 0.0
    y1_tau: float = 0.0
    y2_impulse: float = 0.0
    y2_tau: float = 0.0
    y3_impulse: float = 0.0
    y3_tau: float = 0.0
    t_epoch: int = 1
    rng_seed: int = 0
    post_spikes: bool = True
    graded_spike: str = "regular"
    products: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parsed = {}
        for target in TARGETS:
            text = getattr(self, target)
            if not isinstance(text, str):
                raise network_error("LearningRule", target, "a rule string", repr(text))
            try:
                parsed[target] = parse_rule(text)
            except ValueError as e:
                raise NetworkError(f"'LearningRule': field {target!r}: {e} (in {text!r})") from None
        if not any(parsed.values()):
            raise network_error("LearningRule", "dw", "at least one of dw, dd, dt with a product", "none")
        ks = {p.decimate for ps in parsed.values() for p in ps if p.dependency == 2}
        if len(ks) > 1:
            raise network_error("LearningRule", "dw", "one u-dependency exponent across dw, dd and dt",
                                sorted(ks))
        for name in TRACES:
            for suffix, lo, hi in (("_impulse", 0, 127), ("_tau", 0, 2**16 - 1)):
                value = getattr(self, name + suffix)
                if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or \
                        not math.isfinite(value) or not lo <= value <= hi:
                    raise network_error("LearningRule", name + suffix, f"a number in [{lo}, {hi}]", repr(value))
        object.__setattr__(self, "t_epoch", int_scalar("LearningRule", "t_epoch", self.t_epoch, 1, 2**16))
        object.__setattr__(self, "rng_seed", int_scalar("LearningRule", "rng_seed", self.rng_seed, 0, 2**62))
        if self.graded_spike not in GRADED_SPIKE:
            raise network_error("LearningRule", "graded_spike", f"one of {GRADED_SPIKE}", repr(self.graded_spike))
        if not isinstance(self.post_spikes, (bool, np.bool_)):
            raise network_error("LearningRule", "post_spikes", "a bool", repr(self.post_spikes))
        object.__setattr__(self, "products", parsed)

    @property
    def decimate(self) -> int:
        """k of the rule's ``uk`` dependency (0 when it has none)."""
        return next((p.decimate for ps in self.products.values() for p in ps if p.dependency == 2), 0)

    def reads(self, var: str) -> bool:
        """Whether a product of the rule reads `var` (a `VARIABLES` name)."""
        k = VARIABLES.index(var)
        return any(f.var == k for ps in self.products.values() for p in ps for f in p.factors)


def stdp(learning_rate: float, a_plus: float, a_minus: float, tau_plus: float, tau_minus: float,
         *, t_epoch: int = 1, rng_seed: int = 0, x1_impulse: float = 16, y1_impulse: float = 16) -> LearningRule:
    """Pair-based STDP as Lava's ``STDPLoihi`` writes it: a presynaptic spike after a postsynaptic
    one changes w by ``learning_rate * a_minus * y1``, a postsynaptic spike after a presynaptic one by
    ``learning_rate * a_plus * x1`` (each factor rounded to a rule literal, `float_literal`)."""
    lr, ap, am = (float_literal(v) for v in (learning_rate, a_plus, a_minus))
    return LearningRule(dw=f"{lr} * {am} * x0 * y1 + {lr} * {ap} * y0 * x1", x1_impulse=x1_impulse,
                        x1_tau=tau_plus, y1_impulse=y1_impulse, y1_tau=tau_minus, t_epoch=t_epoch,
                        rng_seed=rng_seed)
