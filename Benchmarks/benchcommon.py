"""Shared helpers of the side-by-side benchmark scripts: the instruction set being compared, building and
running attnlab for it, the NumPy and PyTorch yardstick subprocesses with the same instruction set, timing."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "Benchmarks", "benchworker.py")
TORCH_VENV_PYTHON = os.path.join(os.environ.get("TORCH_VENV", os.path.expanduser("~/.cache/attnlab-torch-venv")),
                                 "bin", "python")


@dataclass(frozen=True)
class ISA:
    """One instruction set to compare at: how attnlab is built for it and the environment that makes
    NumPy's OpenBLAS and PyTorch (ATen, MKL, oneDNN) use their kernels for it. None removes a variable,
    so the library picks its own (native); the variables only reach the subprocesses."""
    target_cpu: str
    scratch_path: str
    yardstick_env: dict

    def attnlab_binary(self, path=None):
        """`path` if given, else attnlab built with `swift build -c release` for this instruction set."""
        if path:
            return path
        env = dict(os.environ, ATTNLAB_TARGET_CPU=self.target_cpu)
        build = ["swift", "build", "-c", "release", "--scratch-path", self.scratch_path]
        subprocess.run(build + ["--product", "attnlab"], check=True, stdout=sys.stderr, cwd=ROOT, env=env)
        bin_dir = subprocess.run(build + ["--show-bin-path"], check=True, capture_output=True, text=True,
                                 cwd=ROOT, env=env).stdout.strip()
        return os.path.join(bin_dir, "attnlab")


ISAS = {
    "native": ISA("native", ".build", {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None,
                                       "ATEN_CPU_CAPABILITY": None, "MKL_ENABLE_INSTRUCTIONS": None,
                                       "ONEDNN_MAX_CPU_ISA": None}),
    "avx2": ISA("avx2", ".build-avx2", {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": None,
                                        "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
                                        "ONEDNN_MAX_CPU_ISA": "AVX2"}),
    "sse": ISA("sse", ".build-sse", {"OPENBLAS_CORETYPE": "Nehalem", "OPENBLAS_L2_SIZE": None,
                                     "ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
                                     "ONEDNN_MAX_CPU_ISA": "SSE41"}),
}


def add_common_arguments(parser):
    """--isa, --attnlab, --torch-python, --threads, --repeat, --rounds."""
    parser.add_argument("--isa", choices=sorted(ISAS), default="native",
                        help="instruction set of attnlab (ATTNLAB_TARGET_CPU), OpenBLAS and PyTorch (default: native)")
    parser.add_argument("--attnlab", help="an attnlab binary built for --isa (default: build it with swift -c release)")
    parser.add_argument("--torch-python", default=TORCH_VENV_PYTHON if os.path.exists(TORCH_VENV_PYTHON) else sys.executable,
                        help="a python with torch (default: the venv of ../shared/tools/torch-venv if made, else this one)")
    parser.add_argument("--threads", type=int, default=2, help="threads of every side")


class Yardstick:
    """A benchworker.py subprocess running NumPy or PyTorch with `isa`'s environment, or, when it cannot
    start (torch not importable), a record of why: `available` is False and `reason` says it."""

    def __init__(self, python, library, isa, threads):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        for name, value in isa.yardstick_env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen([python, WORKER, library, str(threads)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env)
        self.library = library
        self.reason = None
        try:
            self.about = self.ask(op="about")
        except RuntimeError as error:
            self.reason = str(error)
            self.about = {"library": library, "kernels": "n/a"}

    @property
    def available(self):
        return self.reason is None

    def ask(self, **request):
        """Sends one request and returns the answer; RuntimeError with the worker's last error line if it died."""
        if self.process.poll() is None:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            if line:
                return json.loads(line)
        self.process.wait()
        self.stderr.seek(0)
        lines = [line for line in self.stderr.read().splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"{self.library} worker exited with {self.process.returncode}")

    def describe(self):
        return f"{self.about['library']}: {self.about['kernels']}" if self.available else \
            f"{self.library}: n/a ({self.reason})"


def attnlab_json(binary, *args):
    """Runs `attnlab ARGS --json` and returns the parsed JSON."""
    out = subprocess.run([binary, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def print_header(title, isa_name, binary, yardsticks):
    """What is compared and on what: machine, build, attnlab's measured peak (returned), each yardstick."""
    info = attnlab_json(binary, "info")
    print(f"{title} — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, --isa {isa_name}")
    print(f"machine: {info['cpu']}, {info['cores']} cores; attnlab built for {info['target_cpu']} "
          f"({', '.join(info['simd_features']) or 'no SIMD features'}); "
          f"attnlab info peak {info['peak_gflops']:.1f} GFLOP/s")
    for yardstick in yardsticks:
        print(f"  {yardstick.describe()}")
    return info["peak_gflops"]


def median_seconds(function, repeat):
    """Median wall time of `repeat` calls of `function`, after one untimed warm-up call."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
