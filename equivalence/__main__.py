"""``python -m equivalence``: the command line (see :mod:`equivalence.cli`)."""

import sys

from .cli import main

# The guard matters: worker processes are spawned, and spawn imports the parent's
# ``__main__`` module (as ``__mp_main__``) in every worker.
if __name__ == "__main__":
    sys.exit(main())
