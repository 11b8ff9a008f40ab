"""The config sweep's part in the test suite (scripts/examples_suite/sweep.py; scripts/config-sweep runs
the larger one): every example kernel at every size 1 and at odd sizes (also in bf16), with Helion's
default config and one random config from Helion's generator. A wrong result, a refusal that names
our internals or MLIR's, or a crash fails the kernel's test."""

from __future__ import annotations

from collections import defaultdict

import pytest

from examples_suite.cases import discover
from examples_suite.sweep import FAILURES, ci_variants, run_variant

BY_KERNEL = defaultdict(list)
for _variant in ci_variants(discover()):
    BY_KERNEL[f"{_variant.case.file.stem}.{_variant.case.kernel}"].append(_variant)


@pytest.mark.parametrize("kernel", sorted(BY_KERNEL))
def test_sweep(kernel):
    failures = [f"{o.variant.name} {o.config or 'default'}: {o.status}: {o.detail}"
                for v in BY_KERNEL[kernel] for o in run_variant(v, configs_per_shape=1) if o.status in FAILURES]
    assert not failures, "\n".join(failures)
