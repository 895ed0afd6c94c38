from __future__ import annotations

import sys

from zcmask.cli import main

sys.exit(main())
