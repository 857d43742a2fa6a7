#!/usr/bin/env python3
"""Side-by-side SGEMM benchmark: NumPy/OpenBLAS and `attnlab bench gemm` on the same shapes, in one run.

Usage: python3 Benchmarks/compare_gemm.py [--attnlab PATH] [--repeat R] [--rounds K] [MxNxK ...]

Builds attnlab in release mode unless --attnlab names a binary. Each shape is timed in alternating rounds
(NumPy, attnlab, NumPy, ...) so both see the same machine state; the table reports the median over rounds
of each side's median, and the ratio attnlab / NumPy in GFLOP/s (> 1 means attnlab is faster).
NumPy is only a yardstick here: AttentionLab itself never calls it.
"""
import argparse
import statistics

import numpy as np

from benchcommon import attnlab_binary, attnlab_json, median_seconds

DEFAULT_SHAPES = ["1024x1024x1024", "2048x2048x2048", "4096x4096x4096", "4096x64x4096", "4096x4096x64"]


def numpy_seconds(m, n, k, repeat):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
    return median_seconds(lambda: a @ b, repeat)


def attnlab_result(binary, m, n, k, repeat):
    return attnlab_json(binary, "bench", "gemm", "--m", str(m), "--n", str(n), "--k", str(k), "--repeat", str(repeat))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attnlab", help="path to the attnlab binary (default: build with swift -c release)")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per side per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per shape")
    parser.add_argument("shapes", nargs="*", default=DEFAULT_SHAPES, help="MxNxK")
    args = parser.parse_args()
    binary = attnlab_binary(args.attnlab)
    print(f"{'shape (m×n×k)':>18} {'numpy GFLOP/s':>14} {'attnlab GFLOP/s':>16} {'ratio':>7} {'% peak':>7}")
    for shape in args.shapes:
        m, n, k = (int(x) for x in shape.lower().split("x"))
        flops = 2.0 * m * n * k
        numpy_times, ours, peaks = [], [], []
        for _ in range(args.rounds):
            numpy_times.append(numpy_seconds(m, n, k, args.repeat))
            result = attnlab_result(binary, m, n, k, args.repeat)
            ours.append(result["seconds"])
            peaks.append(result["peak_gflops"])
        numpy_gflops = flops / statistics.median(numpy_times) / 1e9
        our_gflops = flops / statistics.median(ours) / 1e9
        peak = max(peaks)
        label = f"{m}×{n}×{k}"
        print(f"{label:>18} {numpy_gflops:>14.1f} {our_gflops:>16.1f} "
              f"{our_gflops / numpy_gflops:>7.2f} {100 * our_gflops / peak:>6.1f}%")


if __name__ == "__main__":
    main()
