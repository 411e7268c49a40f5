"""`python -m cli ...` is `todo-api ...`."""

import sys

from cli.main import main

sys.exit(main())
