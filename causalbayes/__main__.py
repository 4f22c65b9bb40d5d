"""``python -m causalbayes``: the command line (see :mod:`causalbayes.cli`)."""

from __future__ import annotations

from causalbayes.cli import main

if __name__ == "__main__":  # guarded: sampler worker processes may import this module
    raise SystemExit(main())
