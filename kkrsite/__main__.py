"""Allow `python -m kkrsite`."""

import sys

from kkrsite.cli import main

sys.exit(main())
