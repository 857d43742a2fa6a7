#!/usr/bin/env python3
"""Side-by-side exact attention benchmark, all in one run on the same machine state:

  * `attnlab bench attention` (flash forward, and backward with --backward),
  * NumPy naive attention (materialises the N×N scores; float32, OpenBLAS batched matmul),
  * an NumPy/OpenBLAS SGEMM with the same FLOP count (4096 × 4096 × K), the machine's practical ceiling,
  * PyTorch's scaled_dot_product_attention (forward, and forward+backward) when `torch` is importable.

Usage: python3 Benchmarks/compare_attention.py [--attnlab PATH] [--seq N] [--heads H] [--head-dim D]
       [--causal] [--backward] [--repeat R] [--rounds K]

FLOPs are counted as 4·H·N²·D for the forward pass (half with --causal) and 2.5× that for the backward.
Ratios are GFLOP/s of attnlab divided by the other's; the median over alternating rounds is reported.
NumPy and PyTorch are yardsticks only: AttentionLab never calls them.
"""
import argparse
import statistics

import numpy as np

from benchcommon import attnlab_binary, attnlab_json, median_seconds


def numpy_attention(q, k, v, causal):
    s = q @ k.transpose(0, 2, 1) * np.float32(1 / np.sqrt(q.shape[-1]))
    if causal:
        n = s.shape[-1]
        s = np.where(np.tril(np.ones((n, n), dtype=bool)), s, np.float32(-np.inf))
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return s @ v


def torch_timers(heads, seq, dim, causal, repeat):
    """(forward seconds, forward+backward seconds) of PyTorch SDPA, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    q, k, v = (torch.randn(1, heads, seq, dim, requires_grad=True) for _ in range(3))
    sdpa = torch.nn.functional.scaled_dot_product_attention
    with torch.no_grad():
        forward = median_seconds(lambda: sdpa(q, k, v, is_causal=causal), repeat)
    grad = torch.randn(1, heads, seq, dim)

    def forward_backward():
        q.grad = k.grad = v.grad = None
        sdpa(q, k, v, is_causal=causal).backward(grad)

    return forward, median_seconds(forward_backward, repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attnlab", help="path to the attnlab binary (default: build with swift -c release)")
    parser.add_argument("--seq", type=int, default=4096)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--backward", action="store_true", help="also time attnlab's and PyTorch's backward")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    binary = attnlab_binary(args.attnlab)
    h, n, d = args.heads, args.seq, args.head_dim
    flops = 4.0 * h * n * n * d / (2 if args.causal else 1)
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((h, n, d), dtype=np.float32) for _ in range(3))
    gemm_k = max(1, round(flops / (2 * 4096 * 4096)))
    a = rng.uniform(-1, 1, (4096, gemm_k)).astype(np.float32)
    b = rng.uniform(-1, 1, (gemm_k, 4096)).astype(np.float32)
    gemm_flops = 2.0 * 4096 * 4096 * gemm_k

    rows = {"attnlab flash forward": [], "NumPy naive attention": [], f"NumPy SGEMM 4096×4096×{gemm_k}": [],
            "PyTorch SDPA forward": []}
    backward_rows = {"attnlab forward+backward": [], "PyTorch SDPA forward+backward": []}
    for _ in range(args.rounds):
        bench = ["bench", "attention", "--seq", str(n), "--heads", str(h), "--head-dim", str(d),
                 "--repeat", str(args.repeat)] + (["--causal"] if args.causal else []) + \
                (["--backward"] if args.backward else [])
        ours = attnlab_json(binary, *bench)
        rows["attnlab flash forward"].append(flops / ours["seconds"] / 1e9)
        if args.backward:
            backward_rows["attnlab forward+backward"].append(
                3.5 * flops / (ours["seconds"] + ours["backward_seconds"]) / 1e9)
        rows["NumPy naive attention"].append(
            flops / median_seconds(lambda: numpy_attention(q, k, v, args.causal), args.repeat) / 1e9)
        rows[f"NumPy SGEMM 4096×4096×{gemm_k}"].append(gemm_flops / median_seconds(lambda: a @ b, args.repeat) / 1e9)
        timed = torch_timers(h, n, d, args.causal, args.repeat)
        if timed:
            rows["PyTorch SDPA forward"].append(flops / timed[0] / 1e9)
            backward_rows["PyTorch SDPA forward+backward"].append(3.5 * flops / timed[1] / 1e9)

    print(f"attention H={h} N={n} D={d}{' causal' if args.causal else ''}, fp32, "
          f"{args.rounds} rounds × median of {args.repeat}")
    ours = statistics.median(rows["attnlab flash forward"])
    print(f"{'':34} {'GFLOP/s':>9} {'attnlab / this':>15}")
    for name, values in list(rows.items()) + (list(backward_rows.items()) if args.backward else []):
        if not values:
            print(f"{name:34} {'n/a':>9}")
            continue
        value = statistics.median(values)
        reference = statistics.median(backward_rows["attnlab forward+backward"]) if "backward" in name else ours
        print(f"{name:34} {value:>9.1f} {reference / value:>15.2f}")


if __name__ == "__main__":
    main()
