#!/usr/bin/env python3
"""ConvTutor's engine beside PyTorch on the same network, measured in one session on one machine.

For each architecture (default: every built-in), runs `convtutor bench --arch NAME --json` and the
same network exported to PyTorch (`convtutor export --pytorch`), timed the same way: random inputs
of the spec's shape and random labels; a training step is forward in training mode, cross-entropy,
backward and an Adam update; inference is the evaluation-mode forward pass (under no_grad); one
untimed step, then steps until --seconds have passed; images/s at batch 1 and 64. The two sides
alternate --rounds times and each figure is the median of its rounds. Prints a markdown table with
the ratio ConvTutor / PyTorch (the target: 2 or more for training at batch 1 and 64).

Needs PyTorch in the running interpreter (python3 -m venv /tmp/peer && /tmp/peer/bin/pip install
torch numpy) and a release build:

    swift build -c release
    /tmp/peer/bin/python tools/compare_arch_peer.py .build/release/convtutor [--arch resnet-mini ...]

PyTorch runs with torch.set_num_threads(--threads), ConvTutor with --threads (default: every core).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import pytorch_export_check  # beside this file: the exported module's import

BUILT_INS = ["lenet5", "lenet5-classic", "lenet5-gap", "vgg-mini", "resnet-mini", "plain-mini", "mobilenet-mini",
             "inception-mini"]
BATCHES = [1, 64]


def peer_rates(binary, name, seconds, threads, folder):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    path = os.path.join(folder, name.replace("-", "_") + ".py")
    subprocess.run([binary, "export", "--pytorch", "--arch", name, "--out", path], check=True, stdout=subprocess.DEVNULL)
    network_class = pytorch_export_check.network_class(pytorch_export_check.import_module(path))
    shape = json.loads(subprocess.run([binary, "model", "--arch", name, "--json"], check=True,
                                      capture_output=True, text=True).stdout)["input"]
    torch.manual_seed(0)
    model = network_class()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    classes = model(torch.zeros([1] + shape)).shape[1]

    def rate(batch, step):
        step()
        steps, start = 0, time.perf_counter()
        while True:
            step()
            steps += 1
            if time.perf_counter() - start >= seconds:
                return steps * batch / (time.perf_counter() - start)

    training, inference = {}, {}
    for batch in BATCHES:
        images = torch.rand([batch] + shape) * 2 - 1
        labels = torch.arange(batch) % classes

        def train_step():
            model.train()
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        def infer_step():
            model.eval()
            with torch.no_grad():
                model(images)

        training[batch] = rate(batch, train_step)
        inference[batch] = rate(batch, infer_step)
    return training, inference


def ours_rates(binary, name, seconds, threads):
    out = subprocess.run([binary, "bench", "--arch", name, "--json", "--network-seconds", str(seconds),
                          "--threads", str(threads)], check=True, capture_output=True, text=True).stdout
    figures = json.loads(out)["architecture"]
    return ({e["batch_size"]: e["images_per_second"] for e in figures["training"]},
            {e["batch_size"]: e["images_per_second"] for e in figures["inference"]})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("convtutor")
    parser.add_argument("--arch", nargs="*", default=BUILT_INS)
    parser.add_argument("--seconds", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    print(f"| network | batch | ConvTutor train | PyTorch train | ratio | ConvTutor infer | PyTorch infer | ratio |")
    print(f"|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.arch:
            ours_runs, peer_runs = [], []
            for _ in range(args.rounds):
                ours_runs.append(ours_rates(args.convtutor, name, args.seconds, args.threads))
                peer_runs.append(peer_rates(args.convtutor, name, args.seconds, args.threads, folder))
            for batch in BATCHES:
                median = lambda runs, part: statistics.median(run[part][batch] for run in runs)
                ours_train, peer_train = median(ours_runs, 0), median(peer_runs, 0)
                ours_infer, peer_infer = median(ours_runs, 1), median(peer_runs, 1)
                print(f"| {name} | {batch} | {ours_train:.0f} | {peer_train:.0f} | {ours_train / peer_train:.2f} | "
                      f"{ours_infer:.0f} | {peer_infer:.0f} | {ours_infer / peer_infer:.2f} |", flush=True)


if __name__ == "__main__":
    main()
