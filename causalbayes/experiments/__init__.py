"""Experiments and decisions: exact A/B/n posteriors, looks, money, uplift, bandits (numpy core)."""
