#!/usr/bin/env python3
"""A yardstick subprocess of the side-by-side benchmarks: NumPy or PyTorch, started by benchcommon.Worker
with the instruction-set environment of the build being compared (OPENBLAS_CORETYPE, ATEN_CPU_CAPABILITY),
which only takes effect in a fresh process. Reads one JSON request per line on stdin and answers one JSON
line on stdout:

  {"op": "about"}                                        -> library, version and the kernels it runs
  {"op": "gemm", "m", "n", "k", "repeat"}                -> {"seconds": median}
  {"op": "attention", "heads", "seq", "dim", "causal", "repeat", "backward"}
                                                         -> {"seconds": forward median[, "backward_seconds"]}

Usage: python benchworker.py numpy|torch THREADS
NumPy's attention is the naive one (materialises the N×N scores); PyTorch's is
torch.nn.functional.scaled_dot_product_attention, whose backward is timed as forward+backward.
"""
import ctypes
import json
import sys

from benchcommon import median_seconds


class NumpyYardstick:
    def __init__(self, threads):
        import numpy as np
        self.np = np
        self.rng = np.random.default_rng(0)

    def about(self):
        return {"library": f"NumPy {self.np.__version__}", "kernels": f"OpenBLAS core {openblas_core()}"}

    def gemm(self, m, n, k, repeat):
        a = self.rng.uniform(-1, 1, (m, k)).astype(self.np.float32)
        b = self.rng.uniform(-1, 1, (k, n)).astype(self.np.float32)
        return {"seconds": median_seconds(lambda: a @ b, repeat)}

    def attention(self, heads, seq, dim, causal, repeat, backward):
        np = self.np
        q, k, v = (self.rng.standard_normal((heads, seq, dim), dtype=np.float32) for _ in range(3))

        def naive():
            s = q @ k.transpose(0, 2, 1) * np.float32(1 / np.sqrt(dim))
            if causal:
                s = np.where(np.tril(np.ones((seq, seq), dtype=bool)), s, np.float32(-np.inf))
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            return s @ v

        return {"seconds": median_seconds(naive, repeat)}


class TorchYardstick:
    def __init__(self, threads):
        import torch
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        self.torch = torch

    def about(self):
        torch = self.torch
        return {"library": f"PyTorch {torch.__version__}",
                "kernels": f"ATen {torch.backends.cpu.get_cpu_capability()}, {torch.get_num_threads()} threads"}

    def gemm(self, m, n, k, repeat):
        a, b = self.torch.rand(m, k) * 2 - 1, self.torch.rand(k, n) * 2 - 1
        return {"seconds": median_seconds(lambda: self.torch.matmul(a, b), repeat)}

    def attention(self, heads, seq, dim, causal, repeat, backward):
        torch = self.torch
        sdpa = torch.nn.functional.scaled_dot_product_attention
        q, k, v = (torch.randn(1, heads, seq, dim, requires_grad=True) for _ in range(3))
        with torch.no_grad():
            result = {"seconds": median_seconds(lambda: sdpa(q, k, v, is_causal=causal), repeat)}
        if backward:
            grad = torch.randn(1, heads, seq, dim)

            def forward_backward():
                q.grad = k.grad = v.grad = None
                sdpa(q, k, v, is_causal=causal).backward(grad)

            result["backward_seconds"] = median_seconds(forward_backward, repeat) - result["seconds"]
        return result


def openblas_core():
    """The OpenBLAS kernel family in use (e.g. "Haswell"), asked from the loaded library itself."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1].lower()}
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        for symbol in ("openblas_get_corename", "openblas_get_corename64_", "scipy_openblas_get_corename64_",
                       "scipy_openblas_get_corename"):
            if hasattr(library, symbol):
                function = getattr(library, symbol)
                function.restype = ctypes.c_char_p
                return function().decode()
    return "unknown"


def main():
    library, threads = sys.argv[1], int(sys.argv[2])
    yardstick = {"numpy": NumpyYardstick, "torch": TorchYardstick}[library](threads)
    for line in sys.stdin:
        request = json.loads(line)
        op = request.pop("op")
        answer = yardstick.about() if op == "about" else getattr(yardstick, op)(**request)
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
