"""Defaults shared by every layer (a module of their own, at the bottom of the floors)."""

#: Probability mass of the intervals reported by default (highest-density or central),
#: as in ArviZ: not 95%, to avoid reading them as significance tests.
HDI_PROB = 0.94
