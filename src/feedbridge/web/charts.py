"""A small inline-SVG bar chart (no JavaScript, no library): two series per day, with an accessible summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 560, 160, 28, 22, 8


def daily_bars(days: Sequence[date], series: Sequence[tuple[str, str, Sequence[int]]], *, title: str) -> Markup:
    """Grouped bars per day. `series` holds (name, css class, counts per day)."""
    peak = max([1, *(max(values, default=0) for _, _, values in series)])
    plot_w, plot_h = WIDTH - PAD_LEFT, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / max(1, len(days))
    bar = max(2.0, (slot - 4) / max(1, len(series)))
    totals = ", ".join(f"{name}: {sum(values)}" for name, _, values in series)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(title)} from {days[0].isoformat() if days else ""} to '
        f'{days[-1].isoformat() if days else ""}. Totals: {escape(totals)}.</desc>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH}" y2="{PAD_TOP + plot_h}" class="axis"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 8}" class="tick" text-anchor="end">{peak}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + plot_h}" class="tick" text-anchor="end">0</text>',
    ]
    for i, day in enumerate(days):
        x0 = PAD_LEFT + i * slot + 2
        for j, (name, css, values) in enumerate(series):
            value = values[i] if i < len(values) else 0
            h = plot_h * value / peak
            parts.append(f'<rect class="{escape(css)}" x="{x0 + j * bar:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
                         f'width="{bar - 1:.1f}" height="{h:.1f}"><title>{escape(name)} on {day.isoformat()}: '
                         f'{value}</title></rect>')
        if i % 2 == 0 or len(days) <= 7:
            parts.append(f'<text x="{x0 + slot / 2 - 2:.1f}" y="{HEIGHT - 6}" class="tick" text-anchor="middle">'
                         f'{day.strftime("%d")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
