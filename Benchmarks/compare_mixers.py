#!/usr/bin/env python3
"""Side-by-side token-mixer benchmark: `attnlab bench mixer` against PyTorch eager versions of the same
formulas (SCIENCE.md §3–§4), forward and forward+backward, in one run on the same machine state.

The PyTorch versions are written the way an eager implementation would be: feature maps as tensor ops,
causal kernel methods and GLA in 64-token chunks (intra-chunk masked products + a prefix of chunk states),
RetNet as fla's closed form with the N×N decay matrix, exact/window through `scaled_dot_product_attention`
(window with a boolean band mask), Linformer and Nyström from their papers' code, and the Mamba block as
`mamba_simple.py`'s projections and causal convolution around mamba's `selective_scan_ref` (its sequential
scan over tokens, the eager reference the CUDA kernel is checked against) on X [1, N, --width].

Usage: PY=$(../shared/tools/torch-venv) && "$PY" Benchmarks/compare_mixers.py [--attnlab PATH] [--seq N]
       [--heads H] [--head-dim D] [--width M] [--mixers a,b,...] [--repeat R] [--rounds K]
Prints one row per mixer (times in ms, ratio = PyTorch time / attnlab time; > 1 means attnlab is faster): each mixer
is measured --rounds times, alternating attnlab and PyTorch, and the medians and the rounds' ratio range are shown,
with PyTorch's forward as % of the machine's peak at attnlab's FLOP count (2× needs twice that).
Without PyTorch the PyTorch columns print n/a. PyTorch is a yardstick only: AttentionLab never calls it.
"""
import argparse
import itertools
import math
import os
import statistics

from benchcommon import ISAS, attnlab_json, median_seconds

# (mixer, causal, extra attnlab options)
CASES = [
    ("exact", True, []), ("window", True, ["--window", "256"]), ("linear", True, []), ("linear", False, []),
    ("based", True, []), ("performer", True, ["--features", "256"]), ("polynomial", True, ["--degree", "2"]),
    ("linformer", False, ["--features", "256"]), ("nystrom", False, ["--landmarks", "64"]),
    ("gla", True, []), ("retnet", True, []), ("mamba", True, []),
]


def torch_mixers(torch):
    """The PyTorch formulas, each f(q, k, v, causal) → o for [B, H, N, D] tensors."""
    F = torch.nn.functional

    def kernel_attention(fq, fk, v, causal, eps, chunk=64):
        v1 = torch.cat([v, torch.ones_like(v[..., :1])], -1)
        if causal:
            b, h, n, r = fq.shape
            c = n // chunk
            fqc, fkc, vc = fq.view(b, h, c, chunk, r), fk.view(b, h, c, chunk, r), v1.view(b, h, c, chunk, -1)
            mask = torch.ones(chunk, chunk, dtype=torch.bool).tril()
            intra = ((fqc @ fkc.transpose(-1, -2)) * mask) @ vc
            states = fkc.transpose(-1, -2) @ vc
            num = (intra + fqc @ (states.cumsum(2) - states)).view(b, h, n, -1)
        else:
            num = fq @ (fk.transpose(-1, -2) @ v1)
        return num[..., :-1] / (num[..., -1:] + eps)

    def linear(q, k, v, causal):
        return kernel_attention(F.elu(q) + 1, F.elu(k) + 1, v, causal, 1e-6)

    def based_features(x):
        s = 1 / math.sqrt(x.shape[-1])
        quad = (x.unsqueeze(-1) * x.unsqueeze(-2)).flatten(-2) * (s / math.sqrt(2))
        return torch.cat([torch.ones_like(x[..., :1]), x * math.sqrt(s), quad], -1)

    def based(q, k, v, causal):
        return kernel_attention(based_features(q), based_features(k), v, causal, 1e-12)

    def polynomial_features(x, degree=2):
        d, s = x.shape[-1], 1 / math.sqrt(x.shape[-1])
        parts = [torch.ones_like(x[..., :1])]
        for t in range(1, degree + 1):
            combos = list(itertools.combinations_with_replacement(range(d), t))
            index = torch.tensor(combos)
            coef = torch.tensor([s ** (t / 2) / math.sqrt(math.prod(math.factorial(c.count(i)) for i in set(c)))
                                 for c in combos], dtype=x.dtype)
            parts.append(x[..., index].prod(-1) * coef)
        return torch.cat(parts, -1)

    def polynomial(q, k, v, causal):
        return kernel_attention(polynomial_features(q), polynomial_features(k), v, causal, 0)

    def performer(q, k, v, causal, m=256):
        d = q.shape[-1]
        g = torch.Generator().manual_seed(0)
        blocks = [torch.linalg.qr(torch.randn(d, d, generator=g))[0].T for _ in range(-(-m // d))]
        w = torch.cat(blocks)[:m] * torch.randn(m, d, generator=g).norm(dim=1, keepdim=True)

        def features(x, is_query):
            x = x * d ** -0.25
            u = x @ w.T
            c = u.amax(-1, keepdim=True) if is_query else u.amax((-1, -2), keepdim=True)
            return (torch.exp(u - (x * x).sum(-1, keepdim=True) / 2 - c.detach()) + 1e-4) / math.sqrt(m)

        return kernel_attention(features(q, True), features(k, False), v, causal, 0)

    def exact(q, k, v, causal):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

    def window(q, k, v, causal, w=256):
        n = q.shape[-2]
        i = torch.arange(n)
        band = (i[None, :] <= i[:, None]) & (i[None, :] > i[:, None] - w)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=band)

    def linformer(q, k, v, causal, kk=256):
        n = q.shape[-2]
        g = torch.Generator().manual_seed(0)
        e, f = (torch.randn(kk, n, generator=g) / math.sqrt(kk) for _ in range(2))
        return F.scaled_dot_product_attention(q, e @ k, f @ v)

    def nystrom(q, k, v, causal, m=64):
        b, h, n, d = q.shape
        q, k = q * d ** -0.25, k * d ** -0.25
        ql, kl = q.view(b, h, m, n // m, d).mean(-2), k.view(b, h, m, n // m, d).mean(-2)
        k1, k2, k3 = (torch.softmax(x, -1) for x in (q @ kl.transpose(-1, -2), ql @ kl.transpose(-1, -2),
                                                      ql @ k.transpose(-1, -2)))
        eye = torch.eye(m)
        z = k2.transpose(-1, -2) / k2.sum(-2).amax(-1)[..., None, None]
        for _ in range(6):
            kz = k2 @ z
            z = 0.25 * z @ (13 * eye - kz @ (15 * eye - kz @ (7 * eye - kz)))
        return k1 @ (z @ (k3 @ v))

    def gla(q, k, v, causal, chunk=64):
        b, h, n, d = q.shape
        q = q * d ** -0.5
        logdecay = F.logsigmoid(k) / 16
        c = n // chunk
        qc, kc, vc, gc = (x.view(b, h, c, chunk, d) for x in (q, k, v, logdecay))
        cum = gc.cumsum(-2)
        qt, kt, kh = qc * cum.exp(), kc * (-cum).exp(), kc * (cum[..., -1:, :] - cum).exp()
        mask = torch.ones(chunk, chunk, dtype=torch.bool).tril()
        out = ((qt @ kt.transpose(-1, -2)) * mask) @ vc
        delta, decay = kh.transpose(-1, -2) @ vc, cum[..., -1, :].exp()
        state, inter = torch.zeros(b, h, d, d), []
        for i in range(c):
            inter.append(qt[:, :, i] @ state)
            state = decay[:, :, i, :, None] * state + delta[:, :, i]
        return (out + torch.stack(inter, 2)).view(b, h, n, d)

    def retnet(q, k, v, causal):
        b, h, n, d = q.shape
        s = (1 - 2.0 ** (-5.0 - torch.arange(h, dtype=torch.float))).log2()
        i = torch.arange(n, dtype=torch.float)
        decay = torch.exp2((i[:, None] - i[None, :]) * s.view(-1, 1, 1)) * (i[:, None] >= i[None, :])
        return ((q * d ** -0.5) @ k.transpose(-1, -2) * decay) @ v

    return {"exact": exact, "window": window, "linear": linear, "based": based, "performer": performer,
            "polynomial": polynomial, "linformer": linformer, "nystrom": nystrom, "gla": gla, "retnet": retnet}


def torch_mamba(torch, width):
    """The Mamba block (mamba_simple.py defaults: d_state 16, d_conv 4, expand 2, dt_rank ⌈m/16⌉) as
    f(x) → y for X [B, N, m], and its parameters (leaves with gradients)."""
    F = torch.nn.functional
    m, s, conv = width, 16, 4
    e, r = 2 * m, -(-m // 16)
    g = torch.Generator().manual_seed(0)

    def leaf(t):
        return t.requires_grad_()

    dt = torch.exp(torch.rand(e, generator=g) * (math.log(0.1) - math.log(0.001)) + math.log(0.001)).clamp(min=1e-4)
    p = {"in": leaf(torch.randn(2 * e, m, generator=g) / math.sqrt(m)),
         "conv_w": leaf(torch.randn(e, 1, conv, generator=g) / math.sqrt(conv)), "conv_b": leaf(torch.zeros(e)),
         "x": leaf(torch.randn(r + 2 * s, e, generator=g) / math.sqrt(e)),
         "dt": leaf(torch.randn(e, r, generator=g) / math.sqrt(r)), "dt_bias": leaf(dt + torch.log(-torch.expm1(-dt))),
         "a_log": leaf(torch.log(torch.arange(1, s + 1, dtype=torch.float)).repeat(e, 1)), "d": leaf(torch.ones(e)),
         "out": leaf(torch.randn(m, e, generator=g) / math.sqrt(e))}

    def block(x):
        n = x.shape[1]
        xs, z = (x @ p["in"].T).chunk(2, -1)
        u = F.silu(F.conv1d(xs.transpose(1, 2), p["conv_w"], p["conv_b"], padding=conv - 1, groups=e)[..., :n])
        u = u.transpose(1, 2)
        low, b, c = (u @ p["x"].T).split([r, s, s], -1)
        delta = F.softplus(low @ p["dt"].T + p["dt_bias"])
        a = -torch.exp(p["a_log"])
        # selective_scan_ref: x_t = exp(δ_t A) ⊙ x_{t−1} + δ_t B_t u_t, y_t = ⟨x_t, C_t⟩ + D u_t.
        decay = torch.exp(torch.einsum("bne,es->bnes", delta, a))
        drive = torch.einsum("bne,bns,bne->bnes", delta, b, u)
        # unbind once: indexing step by step would make each step's backward a full-size [B, N, E, S] scatter.
        state, ys = torch.zeros(x.shape[0], e, s), []
        for decay_t, drive_t, c_t in zip(decay.unbind(1), drive.unbind(1), c.unbind(1)):
            state = decay_t * state + drive_t
            ys.append(torch.einsum("bes,bs->be", state, c_t))
        y = torch.stack(ys, 1) + u * p["d"]
        return (y * F.silu(z)) @ p["out"].T

    return block, list(p.values())


def torch_times(mixer, causal, shape, repeat, threads, width):
    """(forward seconds, forward+backward seconds) in PyTorch, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    if mixer == "mamba":
        block, parameters = torch_mamba(torch, width)
        inputs = [torch.randn(1, shape[2], width, requires_grad=True)]
        function, leaves = (lambda: block(inputs[0])), inputs + parameters
    else:
        mixer_function = torch_mixers(torch)[mixer]
        inputs = [torch.randn(*shape, requires_grad=True) for _ in range(3)]
        function, leaves = (lambda: mixer_function(*inputs, causal)), inputs
    with torch.no_grad():
        forward = median_seconds(function, repeat)
    output = function()
    grad = torch.randn(*output.shape)

    def forward_backward():
        for leaf in leaves:
            leaf.grad = None
        function().backward(grad)

    return forward, median_seconds(forward_backward, repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attnlab", help="path to the attnlab binary (default: build with swift -c release)")
    parser.add_argument("--seq", type=int, default=4096)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--width", type=int, default=128, help="the Mamba block's model width m")
    parser.add_argument("--mixers", help="comma-separated subset of " + ",".join(sorted({c[0] for c in CASES})))
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per measurement (the median is used)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating attnlab/PyTorch measurements per mixer; medians and ratio ranges are printed")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="PyTorch threads (attnlab uses all cores)")
    args = parser.parse_args()
    binary = ISAS["native"].attnlab_binary(args.attnlab)
    chosen = set(args.mixers.split(",")) if args.mixers else None
    shape = (1, args.heads, args.seq, args.head_dim)
    print(f"N = {args.seq}, H = {args.heads}, D = {args.head_dim}, fp32; times in ms; ratio = PyTorch / attnlab")
    print(f"{'mixer':<18}{'attnlab fwd':>12}{'torch fwd':>11}{'ratio [range]':>23}{'torch %pk':>10}"
          f"{'attnlab f+b':>13}{'torch f+b':>11}{'ratio [range]':>23}")
    for mixer, causal, extra in CASES:
        if chosen and mixer not in chosen:
            continue
        sizes = ["--width", str(args.width)] if mixer == "mamba" else ["--heads", str(args.heads), "--head-dim",
                                                                        str(args.head_dim)]
        name = f"mamba m = {args.width}" if mixer == "mamba" else mixer + (" causal" if causal else "")
        rounds = []
        for _ in range(args.rounds):
            ours = attnlab_json(binary, "bench", "mixer", "--mixer", mixer, "--seq", str(args.seq), *sizes,
                                "--backward", "--repeat", str(args.repeat),
                                *(["--causal"] if causal and mixer != "mamba" else []), *extra)
            theirs = torch_times(mixer, causal, shape, args.repeat, args.threads, args.width)
            rounds.append((ours, theirs))
        fwd = statistics.median(o["seconds"] for o, _ in rounds)
        both = statistics.median(o["seconds"] + o["backward_seconds"] for o, _ in rounds)
        if rounds[0][1] is None:
            print(f"{name:<18}{fwd * 1e3:>12.2f}{'n/a':>11}{'n/a':>23}{'n/a':>10}{both * 1e3:>13.2f}{'n/a':>11}{'n/a':>23}")
            continue
        torch_fwd = statistics.median(t[0] for _, t in rounds)
        torch_both = statistics.median(t[1] for _, t in rounds)
        forward_ratios = [t[0] / o["seconds"] for o, t in rounds]
        both_ratios = [t[1] / (o["seconds"] + o["backward_seconds"]) for o, t in rounds]
        # PyTorch's forward at attnlab's FLOP count, as % of the peak attnlab measured in the same run.
        flops = statistics.median(o["gflops"] * o["seconds"] for o, _ in rounds)
        torch_peak = 100 * flops / torch_fwd / statistics.median(o["peak_gflops"] for o, _ in rounds)
        print(f"{name:<18}{fwd * 1e3:>12.2f}{torch_fwd * 1e3:>11.2f}{ratio_cell(forward_ratios):>23}{torch_peak:>9.1f}%"
              f"{both * 1e3:>13.2f}{torch_both * 1e3:>11.2f}{ratio_cell(both_ratios):>23}")


def ratio_cell(ratios):
    """The median per-round ratio and the range of the rounds, e.g. `1.93 [1.71–2.10]`."""
    return f"{statistics.median(ratios):.2f} [{min(ratios):.2f}–{max(ratios):.2f}]"

if __name__ == "__main__":
    main()
