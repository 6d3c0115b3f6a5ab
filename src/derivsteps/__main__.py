"""`python -m derivsteps ...` runs the `deriv` command."""

from .cli import main

raise SystemExit(main())
