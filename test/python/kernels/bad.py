"""Kernels the capture must reject, each with a one-line error."""

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def returns_expression(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile]
    return out.view(-1)


@helion.kernel(static_shapes=True)
def returns_differently(x: torch.Tensor, flag: bool) -> torch.Tensor:
    out = torch.empty_like(x)
    other = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile]
        other[tile] = x[tile]
    if flag:
        return out
    return other


@helion.kernel(static_shapes=True)
def scalars_only(n: int, m: int) -> int:
    return n + m


@helion.kernel(static_shapes=True)
def writes_a_view(x: torch.Tensor) -> torch.Tensor:
    flat = x.view(-1)
    out = torch.empty_like(flat)
    for tile in hl.tile(flat.size(0)):
        out[tile] = flat[tile] * 2
    return out


def not_a_kernel(x: torch.Tensor) -> torch.Tensor:
    return x


@helion.kernel(static_shapes=True, ignore_warnings=[helion.exc.TensorOperationInWrapper])
def reassigns_an_argument(x: torch.Tensor) -> torch.Tensor:
    x = x * 2
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile]
    return out
