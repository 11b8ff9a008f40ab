"""Whose error a failed closeness check of an example measures: ours, or its torch CPU reference's.

An example's run_example compares kernel(*args) with its torch reference computed on the CPU in the
example's own dtype. torch computes some half-precision functions on the CPU less accurately than our
kernel does (a float16 layer_norm backward sums its gradients in float16), and the check then fails on
the reference's error. When a check fails, `measure` computes the reference again in float64 from the
same inputs and measures both against it with the check's own tolerance (elementwise rtol/atol, the
allowed mismatch fraction, or the relative L2 bound of a backward check). The reference is less
accurate only when ours is inside the tolerance everywhere and the reference is not; anything else
stays a failure of ours, reported with the same measurement.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch


@dataclass
class Tolerance:
    rtol: float
    atol: float
    mismatch: float = 0.0  # the fraction of elements allowed outside rtol/atol (max_mismatch_pct)
    backward: bool = False  # the check compares gradients too
    relative_l2: float | None = None  # a backward check's bound, which replaces rtol/atol there

    def excess(self, got: torch.Tensor, exact: torch.Tensor, backward: bool) -> tuple[bool, str]:
        """Whether `got` is outside this tolerance around `exact`, and its error in words."""
        got, exact = got.double(), exact.double()
        if backward and self.relative_l2 is not None:
            l2 = ((got - exact).norm() / exact.norm().clamp_min(1e-8)).item()
            return not l2 <= self.relative_l2, f"relative L2 error {l2:.3g}"
        err = (got - exact).abs()
        outside = int((~(err <= self.atol + self.rtol * exact.abs())).sum())
        return (outside > self.mismatch * exact.numel(),
                f"off by up to {err.max().item():.4g}, {outside} of {exact.numel()} elements outside")


def tolerance_of(run_example: object, *args: object, **kwargs: object) -> Tolerance:
    """The tolerance a run_example call checks with, from its arguments and run_example's defaults."""
    bound = inspect.signature(run_example).bind(*args, **kwargs)
    bound.apply_defaults()
    p = bound.arguments
    return Tolerance(rtol=p["rtol"], atol=p["atol"], mismatch=(p["max_mismatch_pct"] or 0.0), backward=bool(p["bwd"]),
                     relative_l2=p["bwd_relative_l2"])


class _Float64Wins(torch.overrides.TorchFunctionMode):
    """Inside the float64 reference, an op given a float64 tensor and tensors of a narrower float dtype
    computes in float64, as torch's elementwise type promotion does anyway and matmul refuses to
    (bf16xint16_gemm's reference casts its int16 operand to bfloat16 itself: `x @ w.to(bfloat16)`).
    Casts to a narrower dtype (that bfloat16) still round: they are part of the function computed."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        floats = _float_dtypes([*args, *kwargs.values()])
        if torch.float64 in floats and len(floats) > 1:
            args, kwargs = (tuple(_widened(a) for a in args), {k: _widened(v) for k, v in kwargs.items()})
        return func(*args, **kwargs)


def _float_dtypes(values: list) -> set:
    found = set()
    for v in values:
        if isinstance(v, (list, tuple)):
            found |= _float_dtypes(list(v))
        elif isinstance(v, torch.Tensor) and v.is_floating_point():
            found.add(v.dtype)
    return found


def _widened(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return type(value)(_widened(v) for v in value)
    if isinstance(value, torch.Tensor) and value.is_floating_point() and value.dtype != torch.float64:
        return value.double()
    return value


def _in_float64(args: tuple) -> tuple:
    return tuple(a.detach().double().requires_grad_(a.requires_grad)
                 if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args)


def _clones(args: tuple) -> tuple:
    return tuple(a.detach().clone().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor) else a for a in args)


def _outputs(value: object) -> list[torch.Tensor]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _grads(fn: object, args: tuple, grad_out: torch.Tensor) -> list[torch.Tensor | None]:
    out = fn(*args)
    out.backward(grad_out)
    return [a.grad for a in args if isinstance(a, torch.Tensor) and a.requires_grad]


@dataclass
class Measurement:
    reference_less_accurate: bool  # ours inside the tolerance of float64 everywhere, the reference not
    words: str  # the errors of both, per output and gradient where either is outside (all if neither is)


def measure(kernel: object, reference: object, args: tuple, tol: Tolerance) -> Measurement | None:
    """Ours and the reference against the reference computed in float64 from the same inputs; None when
    the reference cannot be computed in float64 (it raises, or its results are not float64: it fixes
    its own dtype) or a result's shape differs."""
    exact_args = _in_float64(args)
    try:
        with _Float64Wins():
            exact = _outputs(reference(*_clones(exact_args)))
    except Exception:
        return None
    if not all(isinstance(t, torch.Tensor) and t.dtype == torch.float64 for t in exact):
        return None
    # (label, ours, reference's, float64, whether a backward check's tolerance applies)
    cases = list(zip([f"output {i}" for i in range(len(exact))], _outputs(kernel(*_clones(args))),
                     _outputs(reference(*_clones(args))), exact, [False] * len(exact)))
    if tol.backward:
        # One output gradient for all three, in the output's own dtype: float64 sees the same numbers.
        grad_out = torch.randn(exact[0].shape, dtype=torch.float64,
                               generator=torch.Generator().manual_seed(0)).to(cases[0][2].dtype)
        try:
            with _Float64Wins():
                exact_grads = _grads(reference, _clones(exact_args), grad_out.double())
        except Exception:
            return None
        ours, theirs = _grads(kernel, _clones(args), grad_out), _grads(reference, _clones(args), grad_out)
        cases += [(f"gradient {i}", o, r, e, True) for i, (o, r, e) in enumerate(zip(ours, theirs, exact_grads))
                  if e is not None and o is not None and r is not None]
    rows = []  # (ours outside, reference outside, words)
    for label, ours_t, ref_t, exact_t, is_grad in cases:
        if ours_t.shape != exact_t.shape or ref_t.shape != exact_t.shape:
            return None
        (ours_out, ours_words), (ref_out, ref_words) = tol.excess(ours_t, exact_t, is_grad), tol.excess(ref_t, exact_t, is_grad)
        rows.append((ours_out, ref_out, f"{label} {list(exact_t.shape)}: torch {ref_words}, ours {ours_words}"))
    less_accurate = not any(o for o, _, _ in rows) and any(r for _, r, _ in rows)
    shown = [w for o, r, w in rows if o or r] or [w for _, _, w in rows]
    dtypes = sorted({str(a.dtype).removeprefix("torch.") for a in args
                     if isinstance(a, torch.Tensor) and a.is_floating_point()})
    inputs = "/".join(dtypes) + ("; one seeded output gradient for the backward" if tol.backward else "")
    return Measurement(less_accurate, f"against float64 on the same inputs ({inputs}), with the check's tolerance: "
                       + "; ".join(shown))


def measure_check(run_example: object, kernel_fn: object, baseline_fn: object, args: tuple, *rest: object,
                  **kwargs: object) -> Measurement | None:
    """measure for a failed run_example call, with the tolerance it checked with and its first reference
    (the one run_example compares with); the reference is less accurate only where it is so for every
    kernel of the call."""
    tol = tolerance_of(run_example, kernel_fn, baseline_fn, args, *rest, **kwargs)
    kernels = list(kernel_fn.values()) if isinstance(kernel_fn, dict) else [kernel_fn]
    reference = next(iter(baseline_fn.values())) if isinstance(baseline_fn, dict) else baseline_fn
    try:
        found = [measure(k, reference, args, tol) for k in kernels]
    except Exception:  # a kernel or reference that fails on the copies gives no measurement
        return None
    if None in found:
        return None
    return Measurement(all(m.reference_less_accurate for m in found), "; ".join(m.words for m in found))
