"""Plain-language conclusions from decision tables: what to do, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: What each ROPE decision means, for a pair read "B - A".
ROPE_MEANINGS = {
    "better": "the whole {hdi} HDI of the lift lies beyond the ROPE on the good side: "
    "{i} is better than {j} by a practically relevant margin",
    "worse": "the whole {hdi} HDI of the lift lies beyond the ROPE on the bad side: "
    "{i} is worse than {j} by a practically relevant margin",
    "equivalent": "the whole {hdi} HDI of the lift lies inside the ROPE: {i} and {j} are "
    "practically equivalent, so choose on other grounds (cost, simplicity)",
    "undecided": "the {hdi} HDI of the lift overlaps the ROPE: the data cannot yet tell a "
    "relevant difference from a negligible one; collect more data before claiming either",
}


def rope_decision(low: float, high: float, rope: tuple[float, float], sign: float = 1.0) -> str:
    """HDI + ROPE rule (Kruschke): 'better', 'worse', 'equivalent' or 'undecided'.

    ``low, high`` bound the HDI of the lift ``B - A``; ``sign`` is -1 when lower is better.

    Examples
    --------
    >>> rope_decision(0.01, 0.05, (-0.005, 0.005))
    'better'
    >>> rope_decision(-0.002, 0.004, (-0.005, 0.005))
    'equivalent'
    >>> rope_decision(0.001, 0.05, (-0.005, 0.005))
    'undecided'
    """
    if low > rope[1]:
        return "better" if sign > 0 else "worse"
    if high < rope[0]:
        return "worse" if sign > 0 else "better"
    if low >= rope[0] and high <= rope[1]:
        return "equivalent"
    return "undecided"


def _num(x: float) -> str:
    return f"{x:+.3g}" if np.isfinite(x) else "undefined"


def write_verdict(arms: pd.DataFrame, pairs: pd.DataFrame, choice: str, settings: dict) -> str:
    """The recommendation, its expected loss and each pair's lift and ROPE decision, as text.

    Examples
    --------
    >>> arms = pd.DataFrame({"p_best": [0.1, 0.9], "expected_loss": [0.02, 0.001]},
    ...                     index=pd.Index(["A", "B"], name="arm"))
    >>> print(write_verdict(arms, pd.DataFrame(), "B", {"hdi_prob": 0.94, "rope": None}))
    Choose B: it has the lowest expected loss (0.001; A: 0.02), i.e. choosing it gives up 0.001 on average against the best arm (nothing in the draws where it is the best), and it is the best arm with probability 90.0%.
    """
    others = "; ".join(f"{a}: {v:.3g}" for a, v in arms["expected_loss"].items() if a != choice)
    loss = arms.loc[choice, "expected_loss"]
    lines = [
        f"Choose {choice}: it has the lowest expected loss ({loss:.3g}; {others}), i.e. choosing "
        f"it gives up {loss:.3g} on average against the best arm (nothing in the draws where it "
        f"is the best), and it is the best arm with probability {arms.loc[choice, 'p_best']:.1%}."
    ]
    hdi = f"{settings['hdi_prob']:.0%}"
    key = f"hdi_{settings['hdi_prob']:.0%}"
    for name, row in pairs.iterrows():
        i, j = name.split(" - ")
        rel = row["relative_lift"]
        rel_text = f", relative {rel:+.1%}" if np.isfinite(rel) else ""
        line = (
            f"{name}: lift {_num(row['lift'])} ({hdi} HDI {_num(row[key + '_low'])} to "
            f"{_num(row[key + '_high'])}){rel_text}; P({i} better than {j}) = {row['p_better']:.1%}."
        )
        if settings.get("rope") is not None:
            low, high = settings["rope"]
            meaning = ROPE_MEANINGS[row["decision"]].format(hdi=hdi, i=i, j=j)
            line += (
                f" ROPE [{low:.3g}, {high:.3g}]: {row['decision']} ({meaning}; "
                f"P(in ROPE) = {row['p_in_rope']:.1%})."
            )
        lines.append(line)
    return "\n".join(lines)
