"""``python -m equivalence``: the command line (see :mod:`equivalence.cli`)."""

import sys

from .cli import main

sys.exit(main())
