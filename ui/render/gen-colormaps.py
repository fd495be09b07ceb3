#!/usr/bin/env python3
"""Prints the 257 entries of the cool-warm diverging table in cnn-colormap-tables.h.

Kenneth Moreland, "Diverging Color Maps for Scientific Visualization" (2009):
blue (59, 76, 192) to red (180, 4, 38) interpolated in his Msh space (polar
CIELAB), through an unsaturated middle of lightness M = 88, so both halves
are equally bright at equal distances from the center. Run it to check or
regenerate the table: python3 gen-colormaps.py > coolwarm.txt
"""
import math

WHITE = (0.95047, 1.0, 1.08883)  # D65


def srgb_to_linear(c):
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def linear_to_srgb(c):
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def rgb_to_msh(rgb):
    r, g, b = (srgb_to_linear(v / 255.0) for v in rgb)
    x = 0.4124 * r + 0.3576 * g + 0.1805 * b
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = 0.0193 * r + 0.1192 * g + 0.9505 * b

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x / WHITE[0]), f(y / WHITE[1]), f(z / WHITE[2])
    L, a, bb = 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)
    m = math.sqrt(L * L + a * a + bb * bb)
    return m, math.acos(L / m), math.atan2(bb, a)


def msh_to_rgb(m, s, h):
    L, a, b = m * math.cos(s), m * math.sin(s) * math.cos(h), m * math.sin(s) * math.sin(h)
    fy = (L + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def finv(t):
        return t ** 3 if t ** 3 > 0.008856 else (t - 16 / 116) / 7.787

    x, y, z = finv(fx) * WHITE[0], finv(fy) * WHITE[1], finv(fz) * WHITE[2]
    r = 3.2406 * x - 1.5372 * y - 0.4986 * z
    g = -0.9689 * x + 1.8758 * y + 0.0415 * z
    bl = 0.0557 * x - 0.2040 * y + 1.0570 * z
    return tuple(min(1.0, max(0.0, linear_to_srgb(max(0.0, v)))) for v in (r, g, bl))


def adjust_hue(m, s, h, m_unsat):
    if m >= m_unsat:
        return h
    spin = s * math.sqrt(m_unsat ** 2 - m ** 2) / (m * math.sin(s))
    return h + spin if h > -math.pi / 3 else h - spin


def interpolate(c1, c2, t):
    m1, s1, h1 = rgb_to_msh(c1)
    m2, s2, h2 = rgb_to_msh(c2)
    dh = abs(h1 - h2)
    dh = min(dh, 2 * math.pi - dh)
    if s1 > 0.05 and s2 > 0.05 and dh > math.pi / 3:
        mid = max(m1, m2, 88.0)
        if t < 0.5:
            m2, s2, h2, t = mid, 0.0, 0.0, 2 * t
        else:
            m1, s1, h1, t = mid, 0.0, 0.0, 2 * t - 1
    if s1 < 0.05 and s2 > 0.05:
        h1 = adjust_hue(m2, s2, h2, m1)
    elif s2 < 0.05 and s1 > 0.05:
        h2 = adjust_hue(m1, s1, h1, m2)
    return msh_to_rgb((1 - t) * m1 + t * m2, (1 - t) * s1 + t * s2, (1 - t) * h1 + t * h2)


if __name__ == "__main__":
    for i in range(257):
        r, g, b = interpolate((59, 76, 192), (180, 4, 38), i / 256)
        print(f"{r:.6f} {g:.6f} {b:.6f}")
