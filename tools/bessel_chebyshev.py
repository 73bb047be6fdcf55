#!/usr/bin/env python3
"""Writes plugins_sdk/include/ember/bessel_chebyshev.h: Chebyshev expansions of the Bessel
functions on the intervals their evaluators split them into: I0 and I1 for bessel_functions.h
(plain ones up to 2 as well, for K's sake),
J0, J1, Y0 and Y1 for bessel_jy.h, K0 and K1 for bessel_k.h. Near 0 a series is the part of the
function left once its logarithm and pole are taken out (and, for J, its zeros below 8 divided
out, so that J keeps its relative precision there); far out, the amplitudes of the Hankel
asymptotic forms.

Each function f(t), t in [-1, 1], is sampled at the N Chebyshev nodes with mpmath at 50 digits;
its coefficients c_k = (2 / N) sum_j f(t_j) T_k(t_j) (c_0 halved) are kept while the tail they
leave exceeds a quarter of the precision's epsilon times f's smallest value on the interval, so
the truncation costs under a quarter of an ulp: the double count for float64, a shorter prefix
for float32 (still summed in double: see bessel_functions.h). A series that crosses zero (Y's
smooth parts) is held to its largest value instead: what it is added to sets the scale there.

Run from the repository root: python3 tools/bessel_chebyshev.py (needs mpmath).
"""
import mpmath as mp

mp.mp.dps = 50
NODES = 80


def scaled_i(order, x):
    return mp.exp(-x) * mp.besseli(order, x)


# The first two positive zeros of J0 and of J1, which the near J series divide out.
J0_ZEROS = [mp.besseljzero(0, k) for k in (1, 2)]
J1_ZEROS = [mp.besseljzero(1, k) for k in (1, 2)]
# A stand-in for t = -1 (x = 0) in the near series, whose formulas divide there: the terms it
# leaves out are far below double's precision at 50 digits.
TINY = mp.mpf(10) ** -40


def near_x(t, width):
    """x for t = x^2 / width - 1 (width 32 on [0, 8], 2 on [0, 2]), kept off 0."""
    return mp.sqrt(width * max(t + 1, TINY))


def zeros_product(x, zeros):
    result = mp.mpf(1)
    for z in zeros:
        result *= x * x - z * z
    return result


def hankel_amplitudes(order, x):
    """P and Q of J = sqrt(2 / (pi x)) (P cos chi - Q sin chi), Y = ... (P sin chi + Q cos chi),
    chi = x - (2 order + 1) pi / 4."""
    chi = x - (2 * order + 1) * mp.pi / 4
    j, y = mp.besselj(order, x), mp.bessely(order, x)
    root = mp.sqrt(mp.pi * x / 2)
    return root * (j * mp.cos(chi) + y * mp.sin(chi)), root * (y * mp.cos(chi) - j * mp.sin(chi))


def far_jy(order, part, t):
    """For x >= 8, t = 128 / x^2 - 1: P, or x Q, which tends to (4 order^2 - 1) / 8."""
    if t <= -1:
        return mp.mpf(1) if part == 0 else (4 * order * order - mp.mpf(1)) / 8
    x = mp.sqrt(128 / (t + 1))
    amplitude = hankel_amplitudes(order, x)[part]
    return amplitude if part == 0 else x * amplitude


def far_k(order, t):
    """sqrt(x) e^x K(x) for x >= 2, t = 4 / x - 1 (sqrt(pi / 2) at infinity)."""
    if t <= -1:
        return mp.sqrt(mp.pi / 2)
    x = 4 / (t + 1)
    return mp.sqrt(x) * mp.exp(x) * mp.besselk(order, x)


# (name, what it is, f(t)): near x in [0, 8] with t = x / 4 - 1; far x >= 8 with t = 16 / x - 1.
SERIES = [
    ("i0e_near", "e^-x I0(x) for x in [0, 8], t = x / 4 - 1",
     lambda t: scaled_i(0, 4 * (t + 1))),
    ("i1e_over_x_near", "e^-x I1(x) / x for x in [0, 8], t = x / 4 - 1 (1/2 at x = 0)",
     lambda t: scaled_i(1, 4 * (t + 1)) / (4 * (t + 1)) if t > -1 else mp.mpf(1) / 2),
    ("i0e_far", "sqrt(x) e^-x I0(x) for x >= 8, t = 16 / x - 1 (1 / sqrt(2 pi) at infinity)",
     lambda t: mp.sqrt(16 / (t + 1)) * scaled_i(0, 16 / (t + 1)) if t > -1 else 1 / mp.sqrt(2 * mp.pi)),
    ("i1e_far", "sqrt(x) e^-x I1(x) for x >= 8, t = 16 / x - 1 (1 / sqrt(2 pi) at infinity)",
     lambda t: mp.sqrt(16 / (t + 1)) * scaled_i(1, 16 / (t + 1)) if t > -1 else 1 / mp.sqrt(2 * mp.pi)),
    ("i0_small", "I0(x) for x in [0, 2], t = x^2 / 2 - 1", lambda t: mp.besseli(0, near_x(t, 2))),
    ("i1_over_x_small", "I1(x) / x for x in [0, 2], t = x^2 / 2 - 1",
     lambda t: mp.besseli(1, near_x(t, 2)) / near_x(t, 2)),
    ("j0_near", "J0(x) / ((x^2 - j01^2) (x^2 - j02^2)) for x in [0, 8], t = x^2 / 32 - 1",
     lambda t: mp.besselj(0, near_x(t, 32)) / zeros_product(near_x(t, 32), J0_ZEROS)),
    ("j1_near", "J1(x) / (x (x^2 - j11^2) (x^2 - j12^2)) for x in [0, 8], t = x^2 / 32 - 1",
     lambda t: mp.besselj(1, near_x(t, 32)) / (near_x(t, 32) * zeros_product(near_x(t, 32), J1_ZEROS))),
    ("y0_near", "Y0(x) - (2 / pi) ln(x / 2) J0(x) for x in [0, 8], t = x^2 / 32 - 1",
     lambda t: mp.bessely(0, near_x(t, 32)) - 2 / mp.pi * mp.log(near_x(t, 32) / 2) * mp.besselj(0, near_x(t, 32)),
     "largest"),
    ("y1_near", "(Y1(x) - (2 / pi) (ln(x / 2) J1(x) - 1 / x)) / x for x in [0, 8], t = x^2 / 32 - 1",
     lambda t: (mp.bessely(1, near_x(t, 32)) - 2 / mp.pi * (mp.log(near_x(t, 32) / 2) * mp.besselj(1, near_x(t, 32))
                                                             - 1 / near_x(t, 32))) / near_x(t, 32),
     "largest"),
    ("p0_far", "P0(x) for x >= 8, t = 128 / x^2 - 1 (1 at infinity)", lambda t: far_jy(0, 0, t)),
    ("q0_far", "x Q0(x) for x >= 8, t = 128 / x^2 - 1 (-1/8 at infinity)", lambda t: far_jy(0, 1, t)),
    ("p1_far", "P1(x) for x >= 8, t = 128 / x^2 - 1 (1 at infinity)", lambda t: far_jy(1, 0, t)),
    ("q1_far", "x Q1(x) for x >= 8, t = 128 / x^2 - 1 (3/8 at infinity)", lambda t: far_jy(1, 1, t)),
    ("k0_near", "K0(x) + ln(x / 2) I0(x) for x in [0, 2], t = x^2 / 2 - 1",
     lambda t: mp.besselk(0, near_x(t, 2)) + mp.log(near_x(t, 2) / 2) * mp.besseli(0, near_x(t, 2))),
    ("k1_near", "(K1(x) - ln(x / 2) I1(x) - 1 / x) / x for x in [0, 2], t = x^2 / 2 - 1",
     lambda t: (mp.besselk(1, near_x(t, 2)) - mp.log(near_x(t, 2) / 2) * mp.besseli(1, near_x(t, 2))
                - 1 / near_x(t, 2)) / near_x(t, 2)),
    ("k0e_far", "sqrt(x) e^x K0(x) for x >= 2, t = 4 / x - 1 (sqrt(pi / 2) at infinity)", lambda t: far_k(0, t)),
    ("k1e_far", "sqrt(x) e^x K1(x) for x >= 2, t = 4 / x - 1 (sqrt(pi / 2) at infinity)", lambda t: far_k(1, t)),
]


def coefficients(f):
    angles = [mp.pi * (j + mp.mpf(1) / 2) / NODES for j in range(NODES)]
    values = [f(mp.cos(a)) for a in angles]
    c = [2 * mp.fsum(v * mp.cos(k * a) for v, a in zip(values, angles)) / NODES for k in range(NODES)]
    c[0] /= 2
    return c


def terms_for(c, f, epsilon, scale):
    samples = [abs(f(mp.mpf(t) / 64)) for t in range(-64, 65)]
    smallest = max(samples) if scale == "largest" else min(samples)
    magnitudes = [abs(x) for x in c]
    for n in range(1, len(c)):
        if mp.fsum(magnitudes[n:]) < epsilon * smallest / 4:
            return n
    raise RuntimeError("the series needs more nodes")


def function_text(name, what, f, scale="smallest"):
    c = coefficients(f)
    double_terms = terms_for(c, f, mp.mpf(2) ** -52, scale)
    float_terms = terms_for(c, f, mp.mpf(2) ** -23, scale)
    rows = ",\n".join("      " + ", ".join(repr(float(x)) for x in c[i:min(i + 3, double_terms)]) for i in range(0, double_terms, 3))
    return (f"// {what}.\n"
            f"template <bool kFloat>\n"
            f"EMBER_HOST_DEVICE double {name}(double t) {{\n"
            f"  const double c[{double_terms}] = {{\n{rows}}};\n"
            f"  return chebyshev_sum<kFloat ? {float_terms} : {double_terms}>(c, t);\n"
            f"}}\n")


HEADER = """// Generated by tools/bessel_chebyshev.py (Chebyshev coefficients computed with mpmath at 50
// digits); regenerate rather than edit. Each function is sum_k c_k T_k(t); kFloat sums the
// shorter prefix that already reaches float32's precision.
#pragma once

#include "ember/chebyshev.h"
#include "ember/host_device.h"

namespace ember::sdk::bessel_chebyshev {

"""

def zeros_text():
    """The divided-out zeros as double pairs hi + lo, so that x - hi - lo keeps its digits near
    the zero; scalars, which device code may read as it may not a host array."""
    rows = []
    for order, zeros in ((0, J0_ZEROS), (1, J1_ZEROS)):
        for k, z in enumerate(zeros, start=1):
            hi = float(z)
            rows.append(f"inline constexpr double j{order}{k}_hi = {hi!r}, j{order}{k}_lo = {float(z - mp.mpf(hi))!r};")
    return "// The first two positive zeros of J0 (j01, j02) and J1 (j11, j12), each as hi + lo.\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    body = zeros_text() + "\n" + "\n".join(function_text(*series) for series in SERIES)
    with open("plugins_sdk/include/ember/bessel_chebyshev.h", "w") as out:
        out.write(HEADER + body + "\n}  // namespace ember::sdk::bessel_chebyshev\n")
