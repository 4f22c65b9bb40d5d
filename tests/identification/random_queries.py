"""Hypothesis strategy shared by the identification property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from causalbayes.graph import DAG


@st.composite
def queries(draw: st.DrawFn, max_size: int = 8, confound: bool = False) -> tuple[DAG, str, str]:
    """A random DAG (some latent nodes) and a treatment with the outcome after it in the order.

    ``confound=True`` often adds a latent common cause of treatment and outcome.
    """
    size = draw(st.integers(min_value=3, max_value=max_size))
    names = [f"v{i}" for i in range(size)]
    edges = [
        (names[i], names[j]) for i in range(size) for j in range(i + 1, size) if draw(st.booleans())
    ]
    t_index = draw(st.integers(min_value=0, max_value=size - 2))
    y_index = draw(st.integers(min_value=t_index + 1, max_value=size - 1))
    t, y = names[t_index], names[y_index]
    others = [n for n in names if n not in (t, y)]
    latent = set(draw(st.sets(st.sampled_from(others), max_size=2))) if others else set()
    if confound and draw(st.booleans()):
        names.append("u_ty")
        edges += [("u_ty", t), ("u_ty", y)]
        latent.add("u_ty")
    return DAG(names, edges, latent), t, y
