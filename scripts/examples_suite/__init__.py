"""Development tools over the example suite (not part of the runtime packages in python/): `cases`
discovers the CHECKS cases of examples/*.py, `coverage` writes docs/coverage.md (scripts/coverage)."""
