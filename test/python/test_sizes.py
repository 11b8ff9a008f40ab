"""The launch checks' size expressions (helion_mlir._sizes) read without sympy agree with sympy's
value of them, and what they cannot read goes to sympy."""

import ast
import itertools

import pytest
import sympy

from helion_mlir._sizes import SizeExpr, _Plain

PLAIN = ["s27", "77 - u1", "-u1 + u2", "s29 - 1", "64*ceiling(s0/64)", "floor(s0/3) + Mod(s0, 3)",
         "(s0 + 63)//64", "s0 % 7", "Max(1, s0 - u1)", "Min(s0, 2*u1)", "Abs(u1 - s0)", "s0**2/4",
         "s0**(-1)*u1", "-(s0//-5)", "+s0"]


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_expression_is_exact_as_sympy(text):
    expr = SizeExpr(text)
    assert expr.plain
    assert expr.symbols == {str(s) for s in sympy.sympify(text).free_symbols}
    params = sorted(expr.symbols)
    fn = expr.function(params)
    for values in itertools.product([1, 2, 3, 63, 64, 65, 1000], repeat=len(params)):
        want = sympy.sympify(text).subs(dict(zip(params, values)))
        assert fn(*values) == int(want), (text, values)
        assert expr.value(dict(zip(params, values))) == (int(want) if want.is_Integer else None)


def test_constants_are_fixed_and_parameters_keep_their_order():
    fn = SizeExpr("u2*s0 - u1").function(["u1", "s0"], {"u2": 16})
    assert fn(5, 3) == 16 * 3 - 5


def test_a_missing_symbol_has_no_value():
    assert SizeExpr("s0 + u1").value({"s0": 4}) is None


@pytest.mark.parametrize("text, value, want, exact", [("sqrt(s0)", 16, 4, 4), ("s0*1.5", 4, 6, None),
                                                       ("S(s0)", 3, 3, 3), ("pi*s0", 1, 3, None)])
def test_anything_else_is_sympys(text, value, want, exact):
    expr = SizeExpr(text)
    assert not expr.plain
    assert expr.function(["s0"])(value) == want
    assert expr.value({"s0": value}) == exact


@pytest.mark.parametrize("text", ["__import__('os')", "s0.real", "[s0][0]", "(lambda: 1)()", "s0 if s0 else 1",
                                  "s0 < 4", "True", "s0 @ s0"])
def test_only_arithmetic_is_compiled(text):
    with pytest.raises((SyntaxError, ValueError)):
        _Plain().visit(ast.parse(text, mode="eval"))
