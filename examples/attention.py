"""Flash attention forward: softmax(q @ k^T * scale) @ v, one tile of queries at a time, with the online
softmax over tiles of keys (a running max and sum, and the accumulator rescaled as the max grows).

`attention` takes (batch*heads, seq, dim) tensors and computes in base 2 (exp2 with log2(e) folded
into the scale); `attention_4d` takes (batch, heads, seq, dim) tensors, flattens the batch and head
tiles for the batched matmuls and restores them for the softmax state and the store;
`causal_attention` masks the scores past the diagonal with tile indices.
"""

import math

import torch

import helion
import helion.language as hl


@helion.kernel(static_shapes=True)
def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    bh, seq_q, dim = q.size()
    seq_kv = k.size(1)
    dim = hl.specialize(dim)
    out = torch.empty_like(q)
    scale = 1.0 / math.sqrt(dim) * 1.4426950408889634  # log2(e): exp(x) == exp2(x * log2(e))
    for tile_b, tile_q in hl.tile([bh, seq_q]):
        m_i = hl.full([tile_b, tile_q], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_b, tile_q], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_q, dim], dtype=torch.float32)
        q_tile = q[tile_b, tile_q, :]
        for tile_kv in hl.tile(seq_kv):
            s = torch.bmm(q_tile, k[tile_b, tile_kv, :].transpose(1, 2))
            m_new = torch.maximum(m_i, torch.amax(s, -1) * scale)
            p = torch.exp2(s * scale - m_new[:, :, None])
            alpha = torch.exp2(m_i - m_new)
            l_i = l_i * alpha + torch.sum(p, -1)
            acc = torch.baddbmm(acc * alpha[:, :, None], p.to(v.dtype), v[tile_b, tile_kv, :])
            m_i = m_new
        out[tile_b, tile_q, :] = (acc / l_i[:, :, None]).to(out.dtype)
    return out


@helion.kernel(static_shapes=True)
def attention_4d(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    batch, heads, seq_q, dim = q.size()
    seq_kv = k.size(2)
    dim = hl.specialize(dim)
    out = torch.empty_like(q)
    scale = 1.0 / math.sqrt(dim)
    for tile_b, tile_h, tile_q in hl.tile([batch, heads, seq_q]):
        m_i = hl.full([tile_b, tile_h, tile_q], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_b, tile_h, tile_q], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_h, tile_q, dim], dtype=torch.float32)
        q_tile = q[tile_b, tile_h, tile_q, :].reshape(-1, tile_q, dim)
        for tile_kv in hl.tile(seq_kv):
            k_tile = k[tile_b, tile_h, tile_kv, :].reshape(-1, tile_kv, dim)
            v_tile = v[tile_b, tile_h, tile_kv, :].reshape(-1, tile_kv, dim)
            s = torch.bmm(q_tile, k_tile.transpose(1, 2)).reshape(tile_b, tile_h, tile_q, tile_kv) * scale
            m_new = torch.maximum(m_i, torch.amax(s, -1))
            p = torch.exp(s - m_new.unsqueeze(-1))
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + torch.sum(p, -1)
            pv = torch.bmm(p.reshape(-1, tile_q, tile_kv).to(v.dtype), v_tile)
            acc = acc * alpha.unsqueeze(-1) + pv.reshape(tile_b, tile_h, tile_q, dim)
            m_i = m_new
        out[tile_b, tile_h, tile_q, :] = (acc / l_i.unsqueeze(-1)).to(out.dtype)
    return out


@helion.kernel(static_shapes=True)
def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Each query sees the keys at or before its position: scores past the diagonal are -inf."""
    bh, seq, dim = q.size()
    dim = hl.specialize(dim)
    out = torch.empty_like(q)
    scale = 1.0 / math.sqrt(dim)
    for tile_b, tile_q in hl.tile([bh, seq]):
        m_i = hl.full([tile_b, tile_q], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_b, tile_q], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_q, dim], dtype=torch.float32)
        q_tile = q[tile_b, tile_q, :]
        for tile_kv in hl.tile(seq):
            s = torch.bmm(q_tile, k[tile_b, tile_kv, :].transpose(1, 2)) * scale
            visible = tile_q.index[:, None] >= tile_kv.index[None, :]
            s = torch.where(visible[None, :, :], s, float("-inf"))
            m_new = torch.maximum(m_i, torch.amax(s, -1))
            p = torch.exp(s - m_new[:, :, None])
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + torch.sum(p, -1)
            acc = torch.baddbmm(acc * alpha[:, :, None], p.to(v.dtype), v[tile_b, tile_kv, :])
            m_i = m_new
        out[tile_b, tile_q, :] = (acc / l_i[:, :, None]).to(out.dtype)
    return out


def causal_reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    seq = q.size(-2)
    scores = q.float() @ k.float().transpose(-1, -2) / math.sqrt(q.size(-1))
    scores = scores.masked_fill(~torch.ones(seq, seq, dtype=torch.bool).tril(), float("-inf"))
    return (torch.softmax(scores, dim=-1) @ v.float()).to(q.dtype)


def reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    scores = q.float() @ k.float().transpose(-1, -2) / math.sqrt(q.size(-1))
    return (torch.softmax(scores, dim=-1) @ v.float()).to(q.dtype)


# The cases the test suite and scripts/coverage run with `python -m helion_mlir check`
# (scripts/examples_suite/cases.py). Sequence lengths are not multiples of the tiles: the key loop's last
# tile is masked (-inf before the max, 0 before the sum) and padded query rows are never stored.
CHECKS = [
    {"kernel": "attention", "args": ["torch.randn(6, 50, 16)", "torch.randn(6, 70, 16)", "torch.randn(6, 70, 16)"],
     "ref": "reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "attention", "args": ["torch.randn(4, 37, 32)", "torch.randn(4, 45, 32)", "torch.randn(4, 45, 32)"],
     "ref": "reference", "config": {"block_sizes": [1, 32, 16]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "attention", "args": ["torch.randn(3, 50, 16, dtype=torch.float16)", "torch.randn(3, 70, 16, dtype=torch.float16)",
                                     "torch.randn(3, 70, 16, dtype=torch.float16)"],
     "ref": "reference", "rtol": 1e-2, "atol": 1e-2},
    {"kernel": "attention_4d", "args": ["torch.randn(2, 3, 50, 16)", "torch.randn(2, 3, 70, 16)", "torch.randn(2, 3, 70, 16)"],
     "ref": "reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "attention_4d", "args": ["torch.randn(2, 3, 37, 32)", "torch.randn(2, 3, 45, 32)", "torch.randn(2, 3, 45, 32)"],
     "ref": "reference", "config": {"block_sizes": [1, 2, 32, 16]}, "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "attention_4d", "args": ["torch.randn(1, 3, 50, 16, dtype=torch.bfloat16)", "torch.randn(1, 3, 70, 16, dtype=torch.bfloat16)",
                                        "torch.randn(1, 3, 70, 16, dtype=torch.bfloat16)"],
     "ref": "reference", "rtol": 2e-2, "atol": 2e-2},
    {"kernel": "causal_attention", "args": ["torch.randn(3, 50, 16)", "torch.randn(3, 50, 16)", "torch.randn(3, 50, 16)"],
     "ref": "causal_reference", "rtol": 1e-4, "atol": 1e-4},
    {"kernel": "causal_attention", "args": ["torch.randn(2, 45, 32, dtype=torch.float16)", "torch.randn(2, 45, 32, dtype=torch.float16)",
                                            "torch.randn(2, 45, 32, dtype=torch.float16)"],
     "ref": "causal_reference", "config": {"block_sizes": [1, 32, 16]}, "rtol": 1e-2, "atol": 1e-2},
]
