#!/usr/bin/env python3
"""Side-by-side SGEMM benchmark at one instruction set: NumPy/OpenBLAS, PyTorch (torch.matmul) and
`attnlab bench gemm` on the same shapes, in one run.

Usage: python3 Benchmarks/compare_gemm.py [--isa native|avx2|sse] [--attnlab PATH] [--torch-python PY]
       [--threads T] [--repeat R] [--rounds K] [MxNxK ...]

--isa picks the attnlab build (ATTNLAB_TARGET_CPU=avx2|sse, its own --scratch-path; built in release mode
unless --attnlab names a binary) and the matching yardstick kernels: OPENBLAS_CORETYPE=Haswell|Nehalem,
ATEN_CPU_CAPABILITY=avx2|default (with MKL and oneDNN capped alike); native unsets them all. NumPy and
PyTorch run in subprocesses with that environment (PyTorch from the venv ../shared/tools/torch-venv makes,
`n/a` with the reason when torch does not import). Each shape is timed in alternating rounds (NumPy,
PyTorch, attnlab, ...) so all see the same machine state; the table reports each side's median over
rounds, % of `attnlab info`'s measured peak, and attnlab's ratio to each (> 1: attnlab is faster).
NumPy and PyTorch are only yardsticks here: AttentionLab itself never calls them.
"""
import argparse
import statistics
import sys

from benchcommon import ISAS, Yardstick, add_common_arguments, attnlab_json, print_header

DEFAULT_SHAPES = ["1024x1024x1024", "2048x2048x2048", "4096x4096x4096", "4096x64x4096", "4096x4096x64"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per side per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per shape")
    parser.add_argument("shapes", nargs="*", default=DEFAULT_SHAPES, help="MxNxK")
    args = parser.parse_args()
    isa = ISAS[args.isa]
    binary = isa.attnlab_binary(args.attnlab)
    numpy = Yardstick(sys.executable, "numpy", isa, args.threads)
    torch = Yardstick(args.torch_python, "torch", isa, args.threads)
    peak = print_header("SGEMM, fp32", args.isa, binary, [numpy, torch])
    sides = [side for side in (numpy, torch) if side.available]
    print(f"{'shape (m×n×k)':>16} {'NumPy':>14} {'PyTorch':>14} {'attnlab':>14} {'vs NumPy':>9} {'vs PyTorch':>11}")
    for shape in args.shapes:
        m, n, k = (int(x) for x in shape.lower().split("x"))
        times = {"numpy": [], "torch": [], "attnlab": []}
        for _ in range(args.rounds):
            for side in sides:
                times[side.library].append(side.ask(op="gemm", m=m, n=n, k=k, repeat=args.repeat)["seconds"])
            times["attnlab"].append(attnlab_json(binary, "bench", "gemm", "--m", str(m), "--n", str(n), "--k", str(k),
                                                 "--threads", str(args.threads), "--repeat", str(args.repeat))["seconds"])
        gflops = {name: 2.0 * m * n * k / statistics.median(values) / 1e9 for name, values in times.items() if values}
        cells = [f"{gflops[name]:7.1f} ({100 * gflops[name] / peak:3.0f}%)" if name in gflops else f"{'n/a':>14}"
                 for name in ("numpy", "torch", "attnlab")]
        ratios = [f"{gflops['attnlab'] / gflops[name]:.2f}" if name in gflops else "n/a" for name in ("numpy", "torch")]
        print(f"{f'{m}×{n}×{k}':>16} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14} {ratios[0]:>9} {ratios[1]:>11}")
    print("GFLOP/s (% of attnlab info's peak); ratios are attnlab's GFLOP/s over the other's")


if __name__ == "__main__":
    main()
