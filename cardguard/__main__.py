"""`python -m cardguard` 入口。"""

import sys

from .cli import main

sys.exit(main())
