"""CPU speed benchmark of the PyTorch reference of edmkit's ``ddpmppSmall``.

Usage:
    python3 bench/reference/torch_bench.py --mode train|sample --batch B \
        --threads T --seconds S [--nfe 35] [--seed 0]

train:  full training steps (forward on random 28x28x1 inputs and c_noise,
        MSE against random targets, backward, Adam lr 1e-4) for about S
        seconds after 2 warm-up steps; images/s = batch * steps / seconds.
sample: no-grad forward passes (eval mode) for about S seconds after 2
        warm-up passes; forward images/s, and the implied EDM-Heun sampling
        throughput images/s = forward images/s / nfe.

Prints exactly one line of JSON on stdout; logs go to stderr.
"""

import argparse
import json
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as err:
    sys.exit(f"torch_bench: PyTorch is not importable ({err}); install "
             "it (e.g. apt-get install python3-torch) and run with "
             "/usr/bin/python3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ddpmpp_small import build  # noqa: E402

WARMUP_STEPS = 2
SHAPE = (1, 28, 28)  # C, H, W


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def random_batch(batch):
    """Random images x and noise conditioning c_noise = ln(sigma)/4 (EDM)."""
    x = torch.randn(batch, *SHAPE)
    sigma = torch.exp(torch.randn(batch) * 1.2 - 1.2)  # P_mean -1.2, P_std 1.2
    return x, torch.log(sigma) / 4


def timed_loop(step, seconds):
    """Runs ``step`` WARMUP_STEPS times, then for about ``seconds``.

    Returns (steps, elapsed seconds) of the timed part.
    """
    for _ in range(WARMUP_STEPS):
        step()
    steps = 0
    start = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps, elapsed


def bench_train(model, batch, seconds):
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    x, c_noise = random_batch(batch)
    target = torch.randn(batch, *SHAPE)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x, c_noise), target)
        loss.backward()
        optimizer.step()

    return timed_loop(step, seconds)


def bench_sample(model, batch, seconds):
    model.eval()
    x, c_noise = random_batch(batch)

    def step():
        with torch.no_grad():
            model(x, c_noise)

    return timed_loop(step, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["train", "sample"], required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--nfe", type=int, default=35,
                        help="network evaluations per EDM-Heun sample "
                             "(default 35)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.batch < 1 or args.threads < 1 or args.seconds <= 0 or args.nfe < 1:
        parser.error("--batch, --threads and --nfe must be >= 1, "
                     "--seconds > 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
        f"ddpmppSmall params {params}")

    if args.mode == "train":
        steps, elapsed = bench_train(model, args.batch, args.seconds)
    else:
        steps, elapsed = bench_sample(model, args.batch, args.seconds)
    per_s = args.batch * steps / elapsed

    result = {"params": params, "mode": args.mode, "batch": args.batch,
              "threads": args.threads}
    if args.mode == "train":
        result["images_per_s"] = round(per_s, 3)
    else:
        result["images_per_s"] = round(per_s / args.nfe, 4)
        result["forward_images_per_s"] = round(per_s, 3)
    result["steps"] = steps
    result["seconds"] = round(elapsed, 3)
    log(f"{args.mode}: {steps} steps of batch {args.batch} in {elapsed:.2f} s")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
