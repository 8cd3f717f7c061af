#!/usr/bin/env python3
"""Holds `convtutor export --pytorch` to the engine: for every built-in architecture, the exported
module must load ConvTutor's checkpoint strictly and give ConvTutor's logits.

Needs PyTorch and NumPy (python3 -m venv /tmp/peer && /tmp/peer/bin/pip install torch numpy):

    /tmp/peer/bin/python tools/pytorch_export_check.py .build/release/convtutor [--zoo] [CHECKPOINT ...]

--zoo adds the model zoo's tables at full size (3x224x224; a release build takes about 20 s for all;
vgg16 and alexnet need about 1 GB each and are left out). A freshly initialised deep network's
logits are small and close to the last layer's bias, so the zoo check is weaker than it looks; the
built-in architectures' logits carry their weights.

Each CHECKPOINT (written by convtutor train --save) is checked the same way with its trained
weights: the module is exported from the checkpoint (export --pytorch --model), the checkpoint file
itself is loaded with load_state_dict(strict=True), and the logits are compared with ConvTutor's
for the same input.

For each architecture the binary writes the module (export --pytorch), the network's seeded
initial weights as safetensors and a seeded input with its logits (export's hidden --check-data).
The script imports the module, loads the weights with load_state_dict(strict=True), runs the input
in evaluation mode and prints the largest difference from ConvTutor's logits. The tolerance is 1e-5
(float32 rounding of the same arithmetic in another order). Exit status 0 only when every
architecture passes.
"""
import importlib.util
import json
import os
import struct
import subprocess
import sys
import tempfile

ARCHITECTURES = ["lenet5", "lenet5-classic", "lenet5-gap", "vgg-mini", "resnet-mini", "plain-mini",
                 "mobilenet-mini", "inception-mini"]
ZOO = ["resnet18", "resnet50", "mobilenet_v2", "googlenet", "densenet121", "efficientnet_b0"]
TOLERANCE = 1e-5


def load_safetensors(path):
    """The tensors of a safetensors file (float32 only, as ConvTutor writes them)."""
    import numpy as np
    import torch
    data = open(path, "rb").read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        values = np.frombuffer(data[8 + length + start:8 + length + end], dtype=np.float32).copy()
        tensors[name] = torch.from_numpy(values.reshape(entry["shape"]))
    return tensors


def import_module(path):
    """The Python file `convtutor export --pytorch` wrote, imported."""
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def network_class(module):
    """The network's class in an exported module (the helper modules come before it)."""
    helpers = {"FlatLinear", "Residual", "Branches", "SqueezeExcite"}
    return [value for key, value in vars(module).items()
            if isinstance(value, type) and key not in helpers and value.__module__ == module.__name__][-1]


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: pytorch_export_check.py PATH/TO/convtutor [--zoo] [CHECKPOINT ...]")
    import torch
    binary, rest = sys.argv[1], sys.argv[2:]
    checkpoints = [argument for argument in rest if argument != "--zoo"]
    # (label, export flags, the file whose tensors are loaded: the check data's when None)
    cases = [(name, ["--arch", name], None) for name in ARCHITECTURES + (ZOO if "--zoo" in rest else [])]
    cases += [(path, ["--model", path], path) for path in checkpoints]
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for index, (label, flags, weights) in enumerate(cases):
            case_folder = f"{folder}/{index}"
            os.mkdir(case_folder)
            module_path = f"{case_folder}/network.py"
            subprocess.run([binary, "export", "--pytorch", *flags, "--out", module_path,
                            "--check-data", case_folder], check=True, stdout=subprocess.DEVNULL)
            module = import_module(module_path)
            model = network_class(module)()
            name = next(entry[:-5] for entry in os.listdir(case_folder) if entry.endswith(".json"))
            model.load_state_dict(load_safetensors(weights or f"{case_folder}/{name}.safetensors"), strict=True)
            data = json.load(open(f"{case_folder}/{name}.json"))
            inputs = torch.tensor(data["input"]["data"], dtype=torch.float32).reshape(data["input"]["shape"])
            with torch.no_grad():
                logits = model.eval()(inputs).flatten()
            ours = torch.tensor(data["logits"]["data"], dtype=torch.float32)
            difference = (logits - ours).abs().max().item()
            passed = difference <= TOLERANCE
            failures += not passed
            print(f"{label:16} strict load ok, largest logit difference {difference:.2e} {'ok' if passed else 'FAILED'}")
    print(f"{len(cases) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
