#!/usr/bin/env python3
"""Side-by-side exact attention benchmark at one instruction set, all in one run on the same machine state:

  * `attnlab bench attention` (flash forward, and backward with --backward),
  * PyTorch's torch.nn.functional.scaled_dot_product_attention (forward, and forward+backward),
  * NumPy naive attention (materialises the N×N scores; float32, OpenBLAS batched matmul),
  * a NumPy/OpenBLAS SGEMM with the same FLOP count (4096 × 4096 × K), the machine's practical ceiling.

Usage: python3 Benchmarks/compare_attention.py [--isa native|avx2|sse] [--attnlab PATH] [--torch-python PY]
       [--threads T] [--seq N] [--heads H] [--head-dim D] [--causal] [--backward] [--repeat R] [--rounds K]

--isa picks the attnlab build and the yardsticks' kernels as in compare_gemm.py (OPENBLAS_CORETYPE,
ATEN_CPU_CAPABILITY, ...; only in their subprocesses). FLOPs are counted as 4·H·N²·D for the forward
pass (half with --causal) and 2.5× that for the backward (B = 1). Each side's median over alternating
rounds is reported with % of `attnlab info`'s measured peak and attnlab's ratio to it; PyTorch prints
`n/a` with the reason when torch does not import. NumPy and PyTorch are yardsticks only.
"""
import argparse
import statistics
import sys

from benchcommon import ISAS, Yardstick, add_common_arguments, attnlab_json, print_header


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--seq", type=int, default=4096)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--backward", action="store_true", help="also time attnlab's and PyTorch's backward")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    isa = ISAS[args.isa]
    binary = isa.attnlab_binary(args.attnlab)
    numpy = Yardstick(sys.executable, "numpy", isa, args.threads)
    torch = Yardstick(args.torch_python, "torch", isa, args.threads)
    h, n, d = args.heads, args.seq, args.head_dim
    title = f"attention B=1 H={h} N={n} D={d}{' causal' if args.causal else ''}, fp32"
    peak = print_header(title, args.isa, binary, [numpy, torch])
    flops = 4.0 * h * n * n * d / (2 if args.causal else 1)
    gemm_k = max(1, round(flops / (2 * 4096 * 4096)))
    shape = dict(heads=h, seq=n, dim=d, causal=args.causal, repeat=args.repeat, backward=args.backward)

    forward = {"attnlab flash": [], "PyTorch SDPA": [], "NumPy naive": [], f"NumPy SGEMM 4096×4096×{gemm_k}": []}
    backward = {"attnlab flash": [], "PyTorch SDPA": []}
    for _ in range(args.rounds):
        ours = attnlab_json(binary, "bench", "attention", "--seq", str(n), "--heads", str(h), "--head-dim", str(d),
                            "--threads", str(args.threads), "--repeat", str(args.repeat),
                            *(["--causal"] if args.causal else []), *(["--backward"] if args.backward else []))
        forward["attnlab flash"].append(ours["seconds"])
        if args.backward:
            backward["attnlab flash"].append(ours["backward_seconds"])
        if torch.available:
            theirs = torch.ask(op="attention", **shape)
            forward["PyTorch SDPA"].append(theirs["seconds"])
            if args.backward:
                backward["PyTorch SDPA"].append(theirs["backward_seconds"])
        forward["NumPy naive"].append(numpy.ask(op="attention", **dict(shape, backward=False))["seconds"])
        gemm = numpy.ask(op="gemm", m=4096, n=4096, k=gemm_k, repeat=args.repeat)["seconds"]
        forward[f"NumPy SGEMM 4096×4096×{gemm_k}"].append(gemm * flops / (2.0 * 4096 * 4096 * gemm_k))

    def row(name, seconds, work, reference, extra=""):
        """One line: GFLOP/s, % of peak, and attnlab's speed over this one (`reference`: attnlab's seconds)."""
        if not seconds:
            print(f"{name:40} {'n/a':>9}   {torch.reason if 'PyTorch' in name else ''}")
            return
        gflops = work / statistics.median(seconds) / 1e9
        print(f"{name:40} {gflops:9.1f} {100 * gflops / peak:6.0f}% {statistics.median(seconds) / reference:15.2f}{extra}")

    print(f"{'':40} {'GFLOP/s':>9} {'% peak':>7} {'attnlab / this':>15}")
    ours = statistics.median(forward["attnlab flash"])
    for name, seconds in forward.items():
        row(f"{name} forward" if "SGEMM" not in name else f"{name} (equal FLOPs)", seconds, flops, ours)
    if args.backward:
        totals = {name: [f + b for f, b in zip(forward[name], backward[name])] for name in backward}
        ours_total = statistics.median(totals["attnlab flash"])
        for name, seconds in totals.items():
            ratio = statistics.median(seconds) / statistics.median(forward[name]) if seconds else None
            row(f"{name} forward+backward", seconds, 3.5 * flops, ours_total,
                f"   (fwd+bwd = {ratio:.2f}× fwd)" if ratio else "")
    print("FLOPs: forward 4·H·N²·D" + (" / 2 (causal)" if args.causal else "") + ", forward+backward 3.5× that; "
          "ratios > 1: attnlab is faster")


if __name__ == "__main__":
    main()
