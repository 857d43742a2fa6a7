"""Shared helpers of the side-by-side benchmark scripts: finding attnlab, timing Python callables."""
import json
import statistics
import subprocess
import sys
import time


def attnlab_binary(path=None):
    """The attnlab binary: `path` if given, else built with `swift build -c release`."""
    if path:
        return path
    subprocess.run(["swift", "build", "-c", "release", "--product", "attnlab"], check=True, stdout=sys.stderr)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], check=True,
                             capture_output=True, text=True).stdout.strip()
    return bin_dir + "/attnlab"


def attnlab_json(binary, *args):
    """Runs `attnlab ARGS --json` and returns the parsed JSON."""
    out = subprocess.run([binary, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def median_seconds(function, repeat):
    """Median wall time of `repeat` calls of `function`, after one untimed warm-up call."""
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
