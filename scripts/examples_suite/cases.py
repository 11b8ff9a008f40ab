"""The example suite: every `CHECKS` case declared in examples/*.py, run as `python -m helion_mlir check`.

An example module declares its cases as a literal list of dicts (read with `ast.literal_eval`, so
discovering the suite imports no kernel):

    CHECKS = [
        {"kernel": "add", "args": ["torch.randn(100, 77)", "torch.randn(100, 77)"]},
        {"kernel": "matmul", "args": [...], "config": {"block_sizes": [32, 32, 16]},
         "ref": "reference", "rtol": 1e-4, "atol": 1e-4},
    ]

`args` are expressions evaluated in the example's namespace; `ref` names a torch function of the same
module (default: Helion's interpreter); `modes` lists the extra lowerings to verify (default: both
"symbolic" and "torch"); a case that cannot run gives its reason in "skip".
"""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ALL_MODES = ("symbolic", "torch")
KNOWN_KEYS = {"kernel", "args", "config", "ref", "rtol", "atol", "modes", "skip", "id"}


class SuiteError(Exception):
    """An example's CHECKS list is malformed."""


@dataclasses.dataclass(frozen=True)
class Case:
    file: Path
    kernel: str
    args: tuple[str, ...]
    config: dict | None = None
    ref: str | None = None
    rtol: float | None = None
    atol: float | None = None
    modes: tuple[str, ...] = ALL_MODES
    skip: str | None = None
    name: str = ""

    @property
    def entry(self) -> str:
        return f"{self.file.relative_to(REPO)}:{self.kernel}"

    def check_argv(self) -> list[str]:
        """The `python -m helion_mlir check` command line for this case."""
        argv = ["check", "--entry", self.entry]
        for arg in self.args:
            argv += ["--arg", arg]
        if self.config is not None:
            argv += ["--config", json.dumps(self.config)]
        if self.ref:
            argv += ["--ref", f"{self.file.relative_to(REPO)}:{self.ref}"]
        if self.rtol is not None:
            argv += ["--rtol", str(self.rtol)]
        if self.atol is not None:
            argv += ["--atol", str(self.atol)]
        return argv


def _checks_literal(path: Path) -> list[dict[str, Any]]:
    tree = ast.parse(path.read_text(), str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CHECKS" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError as e:
                raise SuiteError(f"{path}:{node.lineno}: CHECKS must be a literal list of dicts: {e}") from None
            if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
                raise SuiteError(f"{path}:{node.lineno}: CHECKS must be a list of dicts")
            return value
    return []


def _case(path: Path, index: int, raw: dict[str, Any]) -> Case:
    where = f"{path.name}: CHECKS[{index}]"
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise SuiteError(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(raw.get("kernel"), str) or not isinstance(raw.get("args"), list):
        raise SuiteError(f"{where}: needs 'kernel' (a name) and 'args' (a list of expressions)")
    modes = tuple(raw.get("modes", ALL_MODES))
    if set(modes) - set(ALL_MODES):
        raise SuiteError(f"{where}: modes must be among {ALL_MODES}")
    name = raw.get("id") or f"{path.stem}.{raw['kernel']}[{index}]"
    return Case(file=path, kernel=raw["kernel"], args=tuple(raw["args"]), config=raw.get("config"),
                ref=raw.get("ref"), rtol=raw.get("rtol"), atol=raw.get("atol"), modes=modes,
                skip=raw.get("skip"), name=name)


def discover(directory: Path = EXAMPLES) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.py")):
        cases += [_case(path, i, raw) for i, raw in enumerate(_checks_literal(path))]
    return cases
