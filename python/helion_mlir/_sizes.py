"""A spec's size expressions (a tensor's symbolic size, the extent a tile spans) as Python functions
of the size symbols' values, for the checks before a launch.

The expressions are sympy's printing of Helion's shapes ("s27", "77 - u1", "64*ceiling(s0/64)").
The launcher builds its checks when a kernel is compiled, also in a process whose compile the on-disk
cache answered, where sympy's `sympify` and `lambdify` were most of the time to the first result
(6-11 ms for add: parsing, printing, importing sympy.codegen). So the arithmetic sympy prints for
integer sizes is read here with Python's own parser into a lambda of plain integer operations, exact
as sympy's (`/` is a Fraction, not a float); an expression with anything else (another function, a
float, a name that is no size symbol) takes sympy's way, as every expression did before."""

from __future__ import annotations

import ast
import math
import operator
import re
from fractions import Fraction
from typing import Callable

# sympy's names for the integer functions it prints; sympify reads them as these.
_FUNCTIONS = {"floor": math.floor, "ceiling": math.ceil, "Max": max, "Min": min, "Mod": operator.mod,
              "Abs": abs}
# Helion's symbols (s27, u1, zuf0): letters, then digits, never one of sympy's own names (E, I, pi).
_SYMBOL = re.compile(r"[A-Za-z_]+[0-9]+")
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def _div(a: int | Fraction, b: int | Fraction) -> Fraction:
    return Fraction(a) / b


def _pow(a: int | Fraction, b: int | Fraction) -> int | Fraction | float:
    if isinstance(b, Fraction) and b.denominator != 1:
        return float(a) ** float(b)  # a root: what lambdify's math module computes
    b = int(b)
    return 1 / Fraction(a) ** -b if b < 0 else a ** b


class _Plain(ast.NodeTransformer):
    """Checks that a parsed expression is only sympy's integer arithmetic, collecting its symbols;
    rewrites `/` and `**` to the exact helpers, each parameter to its slot and each constant to
    its value."""

    def __init__(self, slots: dict[str, str] | None = None, constants: dict[str, int] | None = None) -> None:
        self.symbols: set[str] = set()
        self._slots = slots or {}
        self._constants = constants or {}

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.UAdd, ast.USub,
                                 ast.Load, *_OPERATORS)):
            raise ValueError(type(node).__name__)
        return super().generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if type(node.value) is not int:
            raise ValueError(repr(node.value))
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if not _SYMBOL.fullmatch(node.id):
            raise ValueError(node.id)
        self.symbols.add(node.id)
        if node.id in self._slots:
            return ast.Name(self._slots[node.id], ast.Load())
        if node.id in self._constants:
            return ast.Constant(self._constants[node.id])
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise ValueError("call")
        node.args = [self.visit(a) for a in node.args]
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = {ast.Div: "_div", ast.Pow: "_pow"}.get(type(node.op))
        if helper is None:
            return node
        return ast.Call(func=ast.Name(helper, ast.Load()), args=[node.left, node.right], keywords=[])


class SizeExpr:
    """One size expression: its symbols, and functions of their values."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            plain = _Plain()
            plain.visit(ast.parse(text, mode="eval"))
            self.plain = True
            self.symbols = frozenset(plain.symbols)
        except (SyntaxError, ValueError):
            self.plain = False
            self.symbols = frozenset(str(s) for s in self._sympy().free_symbols)
        self._compiled: dict[tuple, Callable] = {}

    def _sympy(self, constants: dict[str, int] | None = None):
        import sympy

        return sympy.sympify(self.text).subs({sympy.Symbol(k): v for k, v in (constants or {}).items()})

    def _exact(self, params: tuple[str, ...], constants: dict[str, int]) -> Callable:
        """The expression as a lambda of `params`: its exact value, an int or a Fraction."""
        key = (params, tuple(sorted(constants.items())))
        if key not in self._compiled:
            # The parameters are renamed so that no symbol can shadow a helper.
            slots = {name: f"_p{i}" for i, name in enumerate(params)}
            body = _Plain(slots, constants).visit(ast.parse(self.text, mode="eval")).body
            args = ast.arguments(posonlyargs=[], args=[ast.arg(slots[n]) for n in params], kwonlyargs=[],
                                 kw_defaults=[], defaults=[])
            tree = ast.fix_missing_locations(ast.Expression(ast.Lambda(args=args, body=body)))
            scope = {"__builtins__": {}, "_div": _div, "_pow": _pow, **_FUNCTIONS}
            # Only the nodes _Plain admits are compiled: arithmetic on the parameters.
            self._compiled[key] = eval(compile(tree, f"<size {self.text}>", "eval"), scope)  # noqa: S307
        return self._compiled[key]

    def function(self, params: list[str], constants: dict[str, int] | None = None) -> Callable[..., int]:
        """The expression's value as an int (truncated, as int() of sympy's value), a function of
        `params`' values in that order; the `constants` (a block size's value) are fixed."""
        constants = constants or {}
        if not self.plain or not self.symbols <= set(params) | set(constants):
            return _sympy_function(self._sympy(constants), params)
        fn = self._exact(tuple(params), constants)
        return lambda *values: int(fn(*values))

    def value(self, sizes: dict[str, int]) -> int | None:
        """The expression's value where `sizes` gives all its symbols and it is an integer, else
        None."""
        if not self.plain:
            value = self._sympy(sizes)
            return int(value) if value.is_Integer else None
        if not self.symbols <= sizes.keys():
            return None
        params = tuple(sorted(self.symbols))
        value = self._exact(params, {})(*(sizes[s] for s in params))
        if isinstance(value, Fraction):
            return int(value) if value.denominator == 1 else None
        if isinstance(value, float):
            return int(value) if value.is_integer() else None
        return value


def _sympy_function(expr, params: list[str]) -> Callable[..., int]:
    """sympy's way, for what SizeExpr does not read itself."""
    import sympy

    symbols = [sympy.Symbol(n, integer=True) for n in params]
    expr = expr.subs({sympy.Symbol(s.name): s for s in symbols})
    try:
        fn = sympy.lambdify(symbols, expr, modules="math")
        return lambda *values: int(fn(*values))
    except (TypeError, NameError, SyntaxError):  # torch's FloorDiv/Mod have no printer
        return lambda *values: int(expr.subs(dict(zip(symbols, values))))
