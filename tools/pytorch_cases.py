#!/usr/bin/env python3
"""Random cases for every op of `convtutor compute`, with PyTorch's answers.

Generating (needs PyTorch and NumPy):

    python tools/pytorch_cases.py            # rewrites Tests/ConvTutorCommandsTests/Fixtures/pytorch-cases.jsonl
    python tools/pytorch_cases.py --fixture FILE   # writes FILE instead

Each line of the fixture is one JSON object:

    {"name": "...", "request": {...a compute request...}, "expected": {...PyTorch's answer fields...}}

An answer field is a tensor, a number (the loss) or a list of tensors (concat's gradInputs).

Inputs are float32 values (uniform in [-1, 1] unless the case says otherwise). PyTorch computes
every answer in float64 from those same float32 values, and the answer is then rounded to float32,
so the reference carries no float32 rounding error of its own.

Checking a binary against the fixture (needs only the Python standard library):

    python tools/pytorch_cases.py --check .build/release/convtutor

pipes every request through `convtutor compute`, prints per op the worst relative difference
(max |ours - PyTorch| / max |PyTorch|, per field), every failing case, and closes with
"N passed, M failed". The tolerance is 1e-4. The exit status is 0 only when nothing failed.
"""

import argparse
import json
import math
import os
import struct
import subprocess
import sys

TOLERANCE = 1e-4
SEED = 5_1998  # fixed: the fixture must come out the same every time it is regenerated
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "Tests", "ConvTutorCommandsTests", "Fixtures", "pytorch-cases.jsonl")


# ---------------------------------------------------------------------------------------------
# Generating
# ---------------------------------------------------------------------------------------------

class Generator:
    """Builds the cases. NumPy and PyTorch are imported here only, so --check needs neither."""

    def __init__(self, seed):
        import numpy as np
        import torch
        import torch.nn.functional as F

        self.np, self.torch, self.F = np, torch, F
        self.rng = np.random.default_rng(seed)
        self.cases = []

    # -- values ----------------------------------------------------------------------------

    def uniform(self, shape, low=-1.0, high=1.0):
        """float32 values uniform in [low, high]."""
        return self.rng.uniform(low, high, size=shape).astype(self.np.float32)

    def away_from_zero(self, shape, low=-1.0, high=1.0, gap=1e-3):
        """Uniform values with none closer than `gap` to 0 (ReLU's kink, where the gradient is a choice)."""
        values = self.uniform(shape, low, high)
        while True:
            near = self.np.abs(values) < gap
            if not near.any():
                return values
            values[near] = self.uniform(int(near.sum()), low, high)

    def distinct(self, shape, low=-1.0, high=1.0):
        """Uniform values with no two equal, so max pooling never has to break a tie."""
        while True:
            values = self.uniform(shape, low, high)
            if self.np.unique(values).size == values.size:
                return values

    def tensor_json(self, values):
        """`{"shape", "data"}` for a float32 array, each number the shortest text that reads back as it."""
        np = self.np
        values = np.asarray(values, dtype=np.float32)
        data = []
        for value in values.ravel():
            if not np.isfinite(value):
                raise ValueError(f"non-finite value {value} in a case")
            number = float(str(value))  # shortest decimal that round-trips the float32
            # Read as a double and then rounded to float, or read straight as a float: both give this value.
            assert np.float32(number) == value, (value, number)
            data.append(number)
        return {"shape": [int(size) for size in values.shape], "data": data}

    def answer_json(self, tensor64):
        """PyTorch's float64 answer rounded to float32."""
        return self.tensor_json(tensor64.detach().numpy().astype(self.np.float32))

    def leaf(self, values):
        """A float64 tensor holding exactly the float32 values, tracking gradients."""
        return self.torch.from_numpy(values.astype(self.np.float64)).requires_grad_(True)

    def pair_json(self, pair):
        """A pair as the request writes it: sometimes a bare integer when both sides agree."""
        height, width = pair
        if height == width and self.rng.random() < 0.5:
            return int(height)
        return [int(height), int(width)]

    def add(self, name, request, expected):
        assert all(case["name"] != name for case in self.cases), f"duplicate case name: {name}"
        self.cases.append({"name": name, "request": request, "expected": expected})

    def backward(self, output, leaves, grad_output_values):
        """Runs autograd from `gradOutput`; returns the gradients of `leaves` (None for a missing leaf)."""
        self.torch.autograd.backward(output, self.torch.from_numpy(grad_output_values.astype(self.np.float64)))
        return [None if leaf is None else leaf.grad for leaf in leaves]

    # -- conv2d ----------------------------------------------------------------------------

    def conv2d_case(self, batch, channels, size, out_channels, kernel, stride, padding, dilation, groups,
                    bias, backward, scale=1.0, label=""):
        np, F = self.np, self.F
        x = self.uniform((batch, channels) + tuple(size), -scale, scale)
        w = self.uniform((out_channels, channels // groups) + tuple(kernel), -scale, scale)
        b = self.uniform((out_channels,), -scale, scale) if bias else None
        xt, wt = self.leaf(x), self.leaf(w)
        bt = self.leaf(b) if bias else None
        yt = F.conv2d(xt, wt, bt, stride=tuple(stride), padding=tuple(padding), dilation=tuple(dilation),
                      groups=groups)
        request = {"op": "conv2d", "input": self.tensor_json(x), "weight": self.tensor_json(w)}
        if bias:
            request["bias"] = self.tensor_json(b)
        request.update({"stride": self.pair_json(stride), "padding": self.pair_json(padding),
                        "dilation": self.pair_json(dilation), "groups": groups})
        expected = {"output": self.answer_json(yt)}
        if backward:
            g = self.uniform(tuple(yt.shape))
            request["gradOutput"] = self.tensor_json(g)
            dx, dw, db = self.backward(yt, [xt, wt, bt], g)
            expected["gradInput"] = self.answer_json(dx)
            expected["gradWeight"] = self.answer_json(dw)
            if bias:
                expected["gradBias"] = self.answer_json(db)

        def show(pair):
            return f"({pair[0]},{pair[1]})"

        name = (f"conv2d{label} N={batch} C={channels} in={size[0]}x{size[1]} O={out_channels} "
                f"k={kernel[0]}x{kernel[1]} stride={show(stride)} pad={show(padding)} dil={show(dilation)} "
                f"groups={groups}{' bias' if bias else ''}{' backward' if backward else ' forward'}"
                f"{f' scale={scale:g}' if scale != 1 else ''}")
        self.add(name, request, expected)
        return name

    def conv2d_random(self, count):
        """Random geometries. Every option value is drawn from its list, and coverage is asserted below."""
        rng = self.rng
        seen = {"channels": set(), "kernel": set(), "stride": set(), "padding": set(), "dilation": set(),
                "groups": set(), "bias": set(), "batch": set(), "backward": set()}
        for index in range(count):
            channels = int(rng.integers(1, 5))
            group_kind = rng.choice(["one", "two", "depthwise"])
            if group_kind == "two" and channels % 2 == 0:
                groups = 2
                out_channels = 2 * int(rng.integers(1, 4))
            elif group_kind == "depthwise" and channels > 1:
                groups = channels
                out_channels = channels * int(rng.integers(1, 3))
            else:
                groups = 1
                out_channels = int(rng.integers(1, 7))
            kernel = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
            if rng.random() < 0.3:
                kernel = (kernel[0], kernel[0])  # plenty of square kernels too
            stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
            padding = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
            dilation = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
            if rng.random() < 0.3:
                stride = (stride[0], stride[0])
            if rng.random() < 0.3:
                padding = (padding[0], padding[0])
            if rng.random() < 0.4:
                dilation = (1, 1)
            # The smallest input whose padded size holds the dilated kernel once, plus a random margin.
            size = tuple(max(1, dilation[axis] * (kernel[axis] - 1) + 1 - 2 * padding[axis])
                         + int(rng.integers(0, 7)) for axis in range(2))
            batch = int(rng.integers(1, 4))
            bias = bool(rng.random() < 0.6)
            backward = bool(rng.random() < 0.85)
            self.conv2d_case(batch, channels, size, out_channels, kernel, stride, padding, dilation, groups,
                             bias, backward)
            seen["channels"].add(channels)
            seen["kernel"].update(kernel)
            seen["stride"].update(stride)
            seen["padding"].update(padding)
            seen["dilation"].update(dilation)
            seen["groups"].add("one" if groups == 1 else "depthwise" if groups == channels else "two")
            seen["bias"].add(bias)
            seen["batch"].add(batch)
            seen["backward"].add(backward)
            seen.setdefault("non-square kernel", set()).add(kernel[0] != kernel[1])
            seen.setdefault("non-square stride", set()).add(stride[0] != stride[1])
            seen.setdefault("non-square padding", set()).add(padding[0] != padding[1])
            seen.setdefault("non-square dilation", set()).add(dilation[0] != dilation[1])
        wanted = {"channels": {1, 2, 3, 4}, "kernel": {1, 2, 3, 4, 5}, "stride": {1, 2, 3},
                  "padding": {0, 1, 2}, "dilation": {1, 2, 3}, "groups": {"one", "two", "depthwise"},
                  "bias": {True, False}, "batch": {1, 2, 3}, "backward": {True, False},
                  "non-square kernel": {True, False}, "non-square stride": {True, False},
                  "non-square padding": {True, False}, "non-square dilation": {True, False}}
        for option, values in wanted.items():
            assert values <= seen[option], f"conv2d cases miss {option} {values - seen[option]}"

    def conv2d_cases(self):
        self.conv2d_random(60)
        # Each option alone, so a failure in one of them shows up in a case that has nothing else.
        self.conv2d_case(1, 1, (5, 5), 1, (3, 3), (1, 1), (0, 0), (1, 1), 1, False, True, label=" plain")
        self.conv2d_case(2, 3, (7, 6), 4, (1, 1), (1, 1), (0, 0), (1, 1), 1, True, True, label=" pointwise")
        self.conv2d_case(1, 2, (8, 9), 3, (3, 3), (2, 3), (0, 0), (1, 1), 1, False, True, label=" stride only")
        self.conv2d_case(1, 2, (4, 5), 3, (3, 3), (1, 1), (2, 1), (1, 1), 1, False, True, label=" padding only")
        self.conv2d_case(1, 2, (9, 8), 3, (3, 3), (1, 1), (0, 0), (3, 2), 1, False, True, label=" dilation only")
        self.conv2d_case(2, 4, (6, 6), 4, (3, 3), (1, 1), (1, 1), (1, 1), 4, True, True, label=" depthwise")
        self.conv2d_case(2, 4, (6, 7), 6, (2, 3), (1, 1), (1, 0), (1, 1), 2, True, True, label=" two groups")
        # Larger magnitudes: the comparison is relative, so these check nothing is clipped or lost.
        self.conv2d_case(2, 3, (7, 7), 4, (3, 3), (2, 2), (1, 1), (1, 1), 1, True, True, scale=30.0)
        self.conv2d_case(1, 4, (6, 8), 4, (5, 3), (1, 2), (2, 1), (1, 2), 2, True, True, scale=100.0)

    # -- pooling ---------------------------------------------------------------------------

    def pool_case(self, kind, batch, channels, size, kernel, stride, padding, backward, omit_stride=False,
                  omit_padding=False, scale=1.0, label="", ceil_mode=False):
        F = self.F
        x = self.distinct((batch, channels) + tuple(size), -scale, scale)
        xt = self.leaf(x)
        stride_used = kernel if omit_stride else stride
        padding_used = (0, 0) if omit_padding else padding
        if kind == "maxpool2d":
            yt = F.max_pool2d(xt, tuple(kernel), tuple(stride_used), tuple(padding_used), ceil_mode=ceil_mode)
        elif kind == "avgpool2d":
            yt = F.avg_pool2d(xt, tuple(kernel), tuple(stride_used), tuple(padding_used), count_include_pad=True,
                              ceil_mode=ceil_mode)
        else:  # sumpool2d: the window's plain sum (padding adds zeros)
            yt = F.avg_pool2d(xt, tuple(kernel), tuple(stride_used), tuple(padding_used), divisor_override=1,
                              ceil_mode=ceil_mode)
        request = {"op": kind, "input": self.tensor_json(x), "kernel": self.pair_json(kernel)}
        if not omit_stride:
            request["stride"] = self.pair_json(stride)
        if not omit_padding:
            request["padding"] = self.pair_json(padding)
        if ceil_mode:
            request["ceilMode"] = True
        expected = {"output": self.answer_json(yt)}
        if backward:
            g = self.uniform(tuple(yt.shape))
            request["gradOutput"] = self.tensor_json(g)
            (dx,) = self.backward(yt, [xt], g)
            expected["gradInput"] = self.answer_json(dx)
        name = (f"{kind}{label} N={batch} C={channels} in={size[0]}x{size[1]} k=({kernel[0]},{kernel[1]}) "
                f"stride={'default' if omit_stride else f'({stride[0]},{stride[1]})'} "
                f"pad={'default' if omit_padding else f'({padding[0]},{padding[1]})'}"
                f"{' ceil' if ceil_mode else ''}{' backward' if backward else ' forward'}"
                f"{f' scale={scale:g}' if scale != 1 else ''}")
        self.add(name, request, expected)

    def ceil_mode_cases(self):
        """ceil_mode=True: a last window clipped by the edge, and (5, k 2, s 2, pad 1) where the extra
        window would start in the right padding and is dropped."""
        for kind in ["maxpool2d", "avgpool2d", "sumpool2d"]:
            self.pool_case(kind, 1, 2, (5, 5), (2, 2), (2, 2), (0, 0), True, label=" clipped edge", ceil_mode=True)
            self.pool_case(kind, 2, 1, (6, 7), (3, 3), (2, 2), (1, 1), True, ceil_mode=True)
            self.pool_case(kind, 1, 2, (5, 5), (2, 2), (2, 2), (1, 1), True, label=" last window dropped",
                           ceil_mode=True)
            self.pool_case(kind, 1, 1, (7, 4), (3, 2), (2, 3), (1, 0), True, label=" non-square", ceil_mode=True)

    def pool_cases(self):
        rng = self.rng
        for kind in ["maxpool2d", "avgpool2d", "sumpool2d"]:
            for index in range(10):
                kernel = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
                if index % 3 == 0:
                    kernel = (kernel[0], kernel[0])
                stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
                # PyTorch allows padding up to half the kernel.
                padding = (int(rng.integers(0, kernel[0] // 2 + 1)), int(rng.integers(0, kernel[1] // 2 + 1)))
                size = (kernel[0] + int(rng.integers(0, 6)), kernel[1] + int(rng.integers(0, 6)))
                self.pool_case(kind, int(rng.integers(1, 4)), int(rng.integers(1, 4)), size, kernel, stride,
                               padding, backward=index != 1, omit_stride=index == 2, omit_padding=index in (2, 3))
            # Cases that make sure the ones above cannot miss a rule: 1x1 windows, padding on both sides
            # of a 3x3 window, overlapping windows (stride < kernel), and larger magnitudes.
            self.pool_case(kind, 1, 2, (3, 4), (1, 1), (1, 1), (0, 0), True, label=" identity")
            self.pool_case(kind, 2, 2, (5, 6), (3, 3), (1, 1), (1, 1), True, label=" padded overlap")
            self.pool_case(kind, 1, 3, (7, 5), (3, 2), (2, 1), (1, 1), True, label=" non-square")
            self.pool_case(kind, 2, 2, (6, 6), (2, 2), (2, 2), (0, 0), True, scale=50.0)

    def global_average_cases(self):
        F = self.F
        for batch, channels, size, backward, scale in [
            (1, 1, (1, 1), True, 1.0), (1, 3, (4, 4), True, 1.0), (2, 2, (3, 5), True, 1.0),
            (3, 4, (6, 2), True, 1.0), (2, 3, (5, 5), False, 1.0), (2, 6, (7, 7), True, 20.0),
        ]:
            x = self.uniform((batch, channels) + size, -scale, scale)
            xt = self.leaf(x)
            yt = F.adaptive_avg_pool2d(xt, 1)  # [N, C, 1, 1]
            request = {"op": "globalavgpool2d", "input": self.tensor_json(x)}
            expected = {"output": self.answer_json(yt)}
            if backward:
                g = self.uniform(tuple(yt.shape))
                request["gradOutput"] = self.tensor_json(g)
                (dx,) = self.backward(yt, [xt], g)
                expected["gradInput"] = self.answer_json(dx)
            self.add(f"globalavgpool2d N={batch} C={channels} in={size[0]}x{size[1]}"
                     f"{' backward' if backward else ' forward'}{f' scale={scale:g}' if scale != 1 else ''}",
                     request, expected)

    # -- activations -----------------------------------------------------------------------

    def activation_case(self, op, shape, backward=True, scale=1.0, slope=None, values=None, label=""):
        F, torch = self.F, self.torch
        if values is None:
            values = (self.away_from_zero(shape, -scale, scale) if op in ("relu", "leaky_relu", "relu6")
                      else self.uniform(shape, -scale, scale))
            if op == "relu6":  # nor near 6, ReLU6's other kink
                while (near := self.np.abs(values - 6) < 1e-3).any():
                    values[near] = self.away_from_zero(int(near.sum()), -scale, scale)
        xt = self.leaf(values)
        if op == "relu":
            yt = F.relu(xt)
        elif op == "leaky_relu":
            # The filter reads the slope as a float32, so PyTorch gets that same value.
            yt = F.leaky_relu(xt, 0.01 if slope is None else float(self.np.float32(slope)))
        elif op == "sigmoid":
            yt = torch.sigmoid(xt)
        elif op == "tanh":
            yt = torch.tanh(xt)
        elif op == "relu6":
            yt = F.relu6(xt)
        elif op == "silu":
            yt = F.silu(xt)
        else:
            yt = F.softmax(xt, dim=1)
        request = {"op": op, "input": self.tensor_json(values)}
        if slope is not None:
            request["slope"] = slope
        expected = {"output": self.answer_json(yt)}
        if backward:
            g = self.uniform(tuple(yt.shape))
            request["gradOutput"] = self.tensor_json(g)
            (dx,) = self.backward(yt, [xt], g)
            expected["gradInput"] = self.answer_json(dx)
        name = (f"{op}{label} shape={'x'.join(str(size) for size in values.shape)}"
                f"{'' if slope is None else f' slope={slope:g}'}{' backward' if backward else ' forward'}"
                f"{f' scale={scale:g}' if scale != 1 else ''}")
        self.add(name, request, expected)

    def activation_cases(self):
        for op in ["relu", "leaky_relu", "sigmoid", "tanh"]:
            self.activation_case(op, (1, 1, 3, 3))
            self.activation_case(op, (2, 3, 4, 5))
            self.activation_case(op, (3, 7))
            self.activation_case(op, (2, 2, 3, 3), backward=False)
            self.activation_case(op, (2, 3, 4, 4), scale=30.0)
        self.activation_case("leaky_relu", (2, 2, 4, 4), slope=0.2)
        self.activation_case("leaky_relu", (3, 10), slope=0.05)
        self.activation_case("leaky_relu", (1, 3, 5, 5), slope=0.3, scale=10.0)
        self.activation_case("leaky_relu", (2, 8), slope=0.01, label=" explicit default")
        # softmax over dimension 1 of [N, K]
        self.activation_case("softmax", (1, 1))
        self.activation_case("softmax", (1, 5))
        self.activation_case("softmax", (3, 4))
        self.activation_case("softmax", (4, 10))
        self.activation_case("softmax", (2, 6), backward=False)
        self.activation_case("softmax", (3, 8), scale=20.0)
        # Large logits: exp would overflow in float32 without subtracting the row's largest value.
        self.activation_case("softmax", (3, 10), scale=200.0)
        shifted = (self.uniform((2, 7), -5.0, 5.0) + self.np.float32(500.0)).astype(self.np.float32)
        self.activation_case("softmax", None, values=shifted, label=" logits near 500")
        negative = (self.uniform((2, 7), -5.0, 5.0) - self.np.float32(500.0)).astype(self.np.float32)
        self.activation_case("softmax", None, values=negative, label=" logits near -500")

    # -- linear ----------------------------------------------------------------------------

    def linear_case(self, batch, features, outputs, bias, backward, scale=1.0, label=""):
        F = self.F
        x = self.uniform((batch, features), -scale, scale)
        w = self.uniform((outputs, features), -scale, scale)
        b = self.uniform((outputs,), -scale, scale) if bias else None
        xt, wt = self.leaf(x), self.leaf(w)
        bt = self.leaf(b) if bias else None
        yt = F.linear(xt, wt, bt)
        request = {"op": "linear", "input": self.tensor_json(x), "weight": self.tensor_json(w)}
        if bias:
            request["bias"] = self.tensor_json(b)
        expected = {"output": self.answer_json(yt)}
        if backward:
            g = self.uniform(tuple(yt.shape))
            request["gradOutput"] = self.tensor_json(g)
            dx, dw, db = self.backward(yt, [xt, wt, bt], g)
            expected["gradInput"] = self.answer_json(dx)
            expected["gradWeight"] = self.answer_json(dw)
            if bias:
                expected["gradBias"] = self.answer_json(db)
        self.add(f"linear{label} N={batch} F={features} O={outputs}{' bias' if bias else ''}"
                 f"{' backward' if backward else ' forward'}{f' scale={scale:g}' if scale != 1 else ''}",
                 request, expected)

    def linear_cases(self):
        self.linear_case(1, 1, 1, True, True)
        self.linear_case(1, 5, 3, False, True)
        self.linear_case(2, 4, 6, True, True)
        self.linear_case(3, 7, 2, False, True)
        self.linear_case(4, 12, 10, True, True)
        self.linear_case(2, 9, 5, True, False)
        self.linear_case(3, 6, 4, False, False)
        self.linear_case(2, 16, 8, True, True, scale=40.0)

    # -- softmax cross-entropy -------------------------------------------------------------

    def cross_entropy_case(self, batch, classes, scale=1.0, shift=0.0, label=""):
        F, torch, np = self.F, self.torch, self.np
        logits = (self.uniform((batch, classes), -scale, scale) + np.float32(shift)).astype(np.float32)
        labels = [int(label_) for label_ in self.rng.integers(0, classes, size=batch)]
        xt = self.leaf(logits)
        loss = F.cross_entropy(xt, torch.tensor(labels), reduction="mean")
        loss.backward()
        loss32 = np.float32(loss.item())
        request = {"op": "softmax_cross_entropy", "input": self.tensor_json(logits), "labels": labels}
        expected = {"loss": float(str(loss32)), "gradInput": self.answer_json(xt.grad)}
        self.add(f"softmax_cross_entropy{label} N={batch} K={classes}{f' scale={scale:g}' if scale != 1 else ''}"
                 f"{f' shift={shift:g}' if shift else ''}", request, expected)

    def cross_entropy_cases(self):
        self.cross_entropy_case(1, 2)
        self.cross_entropy_case(1, 10)
        self.cross_entropy_case(2, 3)
        self.cross_entropy_case(3, 5)
        self.cross_entropy_case(5, 10)
        self.cross_entropy_case(8, 4)
        self.cross_entropy_case(16, 10)
        self.cross_entropy_case(4, 10, scale=10.0)
        # Large logits: log-sum-exp must subtract the largest logit to stay finite in float32.
        self.cross_entropy_case(4, 10, scale=200.0)
        self.cross_entropy_case(3, 6, scale=5.0, shift=800.0)
        self.cross_entropy_case(3, 6, scale=5.0, shift=-800.0)

    # -- LeNet-5's own layers --------------------------------------------------------------

    def lenet_cases(self):
        """The layer shapes LeNet-5 trains with, at batch 1 or 2 so the fixture stays about 2 MB.

        C5 (16 -> 120 channels, 5x5: 48,000 weights) is left out for size; C3 and F6 cover its arithmetic.
        """
        # Classic: 32x32 input, C1 6@5x5, S2 2x2, C3 16@5x5, S4 2x2, C5 120, F6 84, output 10.
        self.conv2d_case(1, 1, (32, 32), 6, (5, 5), (1, 1), (0, 0), (1, 1), 1, True, True, label=" LeNet C1")
        self.conv2d_case(1, 1, (28, 28), 6, (5, 5), (1, 1), (2, 2), (1, 1), 1, True, True,
                         label=" LeNet C1 on 28x28 padded")
        self.pool_case("maxpool2d", 1, 6, (28, 28), (2, 2), (2, 2), (0, 0), True, label=" LeNet S2")
        self.pool_case("avgpool2d", 1, 6, (28, 28), (2, 2), (2, 2), (0, 0), True, label=" LeNet S2")
        self.conv2d_case(2, 6, (14, 14), 16, (5, 5), (1, 1), (0, 0), (1, 1), 1, True, True, label=" LeNet C3")
        self.pool_case("maxpool2d", 1, 16, (10, 10), (2, 2), (2, 2), (0, 0), True, label=" LeNet S4")
        self.pool_case("avgpool2d", 1, 16, (10, 10), (2, 2), (2, 2), (0, 0), True, label=" LeNet S4")
        self.activation_case("tanh", (1, 6, 14, 14), label=" LeNet S2 activation")
        self.activation_case("relu", (1, 16, 10, 10), label=" LeNet C3 activation")
        self.linear_case(2, 120, 84, True, True, label=" LeNet F6")
        self.linear_case(2, 84, 10, True, True, label=" LeNet output")
        self.cross_entropy_case(2, 10, label=" LeNet loss")

    # -- joins: residual add, channel concatenation, squeeze-and-excitation's channel scaling ---

    def add_case(self, shape, backward=True, scale=1.0, label=""):
        """`input + other` (a residual block's join); with gradOutput, gradInput and gradOther."""
        x, y = self.uniform(shape, -scale, scale), self.uniform(shape, -scale, scale)
        xt, yt_other = self.leaf(x), self.leaf(y)
        out = self.torch.add(xt, yt_other)
        request = {"op": "add", "input": self.tensor_json(x), "other": self.tensor_json(y)}
        expected = {"output": self.answer_json(out)}
        if backward:
            g = self.uniform(tuple(out.shape))
            request["gradOutput"] = self.tensor_json(g)
            dx, dy = self.backward(out, [xt, yt_other], g)
            expected["gradInput"] = self.answer_json(dx)
            expected["gradOther"] = self.answer_json(dy)
        self.add(f"add{label} shape={'x'.join(str(size) for size in shape)}{' backward' if backward else ' forward'}"
                 f"{f' scale={scale:g}' if scale != 1 else ''}", request, expected)

    def concat_case(self, batch, channels, size, backward=True, scale=1.0, label=""):
        """`torch.cat(inputs, dim=1)` of inputs [N, C_k, H, W]; with gradOutput, gradInputs (one per input)."""
        values = [self.uniform((batch, count) + tuple(size), -scale, scale) for count in channels]
        leaves = [self.leaf(value) for value in values]
        out = self.torch.cat(leaves, dim=1)
        request = {"op": "concat", "inputs": [self.tensor_json(value) for value in values]}
        expected = {"output": self.answer_json(out)}
        if backward:
            g = self.uniform(tuple(out.shape))
            request["gradOutput"] = self.tensor_json(g)
            expected["gradInputs"] = [self.answer_json(grad) for grad in self.backward(out, leaves, g)]
        self.add(f"concat{label} N={batch} C={'+'.join(str(count) for count in channels)} in={size[0]}x{size[1]}"
                 f"{' backward' if backward else ' forward'}{f' scale={scale:g}' if scale != 1 else ''}",
                 request, expected)

    def channel_scale_case(self, batch, channels, size, backward=True, scale=1.0, label=""):
        """`input * scale` with scale [N, C, 1, 1] (squeeze-and-excitation); gradInput and gradScale."""
        x = self.uniform((batch, channels) + tuple(size), -scale, scale)
        s = self.uniform((batch, channels, 1, 1), -scale, scale)
        xt, st = self.leaf(x), self.leaf(s)
        out = xt * st
        request = {"op": "channel_scale", "input": self.tensor_json(x), "scale": self.tensor_json(s)}
        expected = {"output": self.answer_json(out)}
        if backward:
            g = self.uniform(tuple(out.shape))
            request["gradOutput"] = self.tensor_json(g)
            dx, ds = self.backward(out, [xt, st], g)
            expected["gradInput"] = self.answer_json(dx)
            expected["gradScale"] = self.answer_json(ds)
        self.add(f"channel_scale{label} N={batch} C={channels} in={size[0]}x{size[1]}"
                 f"{' backward' if backward else ' forward'}{f' scale={scale:g}' if scale != 1 else ''}",
                 request, expected)

    def mobile_activation_cases(self):
        """ReLU6 (MobileNet) and SiLU (EfficientNet); at scale 10 ReLU6's cap at 6 is crossed too."""
        for op in ["relu6", "silu"]:
            self.activation_case(op, (1, 1, 3, 3))
            self.activation_case(op, (2, 3, 4, 5))
            self.activation_case(op, (3, 7))
            self.activation_case(op, (2, 2, 3, 3), backward=False)
            self.activation_case(op, (2, 3, 4, 4), scale=10.0)

    def adaptive_average_case(self, batch, channels, size, output_size, backward=True, scale=1.0, label=""):
        x = self.uniform((batch, channels) + tuple(size), -scale, scale)
        xt = self.leaf(x)
        yt = self.F.adaptive_avg_pool2d(xt, tuple(output_size))
        request = {"op": "adaptiveavgpool2d", "input": self.tensor_json(x), "outputSize": self.pair_json(output_size)}
        expected = {"output": self.answer_json(yt)}
        if backward:
            g = self.uniform(tuple(yt.shape))
            request["gradOutput"] = self.tensor_json(g)
            (dx,) = self.backward(yt, [xt], g)
            expected["gradInput"] = self.answer_json(dx)
        self.add(f"adaptiveavgpool2d{label} N={batch} C={channels} in={size[0]}x{size[1]} "
                 f"out={output_size[0]}x{output_size[1]}{' backward' if backward else ' forward'}"
                 f"{f' scale={scale:g}' if scale != 1 else ''}", request, expected)

    def adaptive_average_cases(self):
        """Windows that tile, overlap (5 -> 3), repeat (2 -> 4, larger than the input) and differ per axis."""
        self.adaptive_average_case(1, 2, (6, 8), (3, 4), label=" tiling")
        self.adaptive_average_case(2, 2, (5, 7), (3, 4))
        self.adaptive_average_case(1, 3, (2, 3), (4, 5), label=" larger than the input")
        self.adaptive_average_case(2, 1, (7, 7), (1, 1), label=" global")
        self.adaptive_average_case(1, 2, (9, 4), (4, 3))
        self.adaptive_average_case(2, 2, (5, 5), (2, 3), backward=False)
        self.adaptive_average_case(1, 2, (6, 5), (4, 4), scale=25.0)

    def join_cases(self):
        self.add_case((3,))
        self.add_case((4, 5))
        self.add_case((1, 1, 3, 3))
        self.add_case((2, 3, 3, 4))
        self.add_case((1, 8, 4, 4), label=" residual block")
        self.add_case((2, 2, 3, 3), backward=False)
        self.add_case((2, 3, 4, 4), scale=50.0)
        self.concat_case(1, (3,), (4, 4), label=" one input")
        self.concat_case(1, (1, 1), (3, 3))
        self.concat_case(2, (2, 3), (4, 5))
        self.concat_case(3, (1, 4, 2), (3, 2))
        self.concat_case(1, (4, 2, 3, 1), (4, 4), label=" Inception branches")
        self.concat_case(2, (6, 3), (1, 1), label=" after global pooling")
        self.concat_case(1, (8, 4, 4), (4, 4), label=" DenseNet growth 4")
        self.concat_case(2, (2, 3), (3, 3), backward=False)
        self.concat_case(2, (3, 2), (4, 4), scale=40.0)
        self.channel_scale_case(1, 1, (1, 1))
        self.channel_scale_case(1, 3, (4, 4))
        self.channel_scale_case(2, 4, (3, 5))
        self.channel_scale_case(3, 2, (6, 6), label=" many cells per factor")
        self.channel_scale_case(2, 8, (1, 1), label=" after global pooling")
        self.channel_scale_case(2, 3, (3, 3), backward=False)
        self.channel_scale_case(2, 3, (4, 4), scale=30.0)

    def generate(self):
        self.conv2d_cases()
        self.pool_cases()
        self.global_average_cases()
        self.activation_cases()
        self.linear_cases()
        self.cross_entropy_cases()
        self.lenet_cases()
        self.join_cases()  # these last, so that the random values of the cases above stay as they were
        self.mobile_activation_cases()
        self.ceil_mode_cases()
        self.adaptive_average_cases()
        return self.cases


def write_fixture(path):
    cases = Generator(SEED).generate()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as file:
        for case in cases:
            file.write(json.dumps(case, separators=(",", ":"), allow_nan=False) + "\n")
    counts = {}
    for case in cases:
        counts[case["request"]["op"]] = counts.get(case["request"]["op"], 0) + 1
    summary = ", ".join(f"{op} {count}" for op, count in counts.items())
    print(f"wrote {len(cases)} cases ({summary}) to {os.path.relpath(path)}, {os.path.getsize(path)} bytes")


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------

def as_float32(value):
    """`value` rounded to float32, as the binary and the fixture both mean it."""
    return struct.unpack("f", struct.pack("f", value))[0]


def field_difference(ours, theirs):
    """max |ours - PyTorch| / max |PyTorch| for one answer field, or a reason it cannot be compared.

    Both sides are compared as float32 values, the precision they were computed in, so an op that only
    moves values (ReLU, max pooling) shows a difference of exactly 0. A list of tensors (concat's
    gradInputs) is compared entry by entry, and its worst entry counts.
    """
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return None, f"expected a list of {len(theirs)} tensors, got {json.dumps(ours)[:80]}"
        worst = 0.0
        for index, (our_entry, their_entry) in enumerate(zip(ours, theirs)):
            difference, reason = field_difference(our_entry, their_entry)
            if reason:
                return None, f"[{index}]: {reason}"
            worst = max(worst, difference)
        return worst, None
    if isinstance(theirs, dict):
        if not isinstance(ours, dict) or "shape" not in ours or "data" not in ours:
            return None, f"expected a tensor, got {json.dumps(ours)[:80]}"
        if list(ours["shape"]) != theirs["shape"]:
            return None, f"shape {ours['shape']}, PyTorch's is {theirs['shape']}"
        ours_data, theirs_data = ours["data"], theirs["data"]
        if len(ours_data) != len(theirs_data):
            return None, f"{len(ours_data)} values for shape {ours['shape']}"
    else:
        ours_data, theirs_data = [ours], [theirs]
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
               for value in ours_data):
        return None, "a value is missing or not a finite number"
    ours_data = [as_float32(value) for value in ours_data]
    theirs_data = [as_float32(value) for value in theirs_data]
    scale = max((abs(value) for value in theirs_data), default=0.0) or 1.0
    worst = max((abs(a - b) for a, b in zip(ours_data, theirs_data)), default=0.0)
    return worst / scale, None


def check_binary(binary, path):
    with open(path) as file:
        lines = [line for line in file if line.strip()]
    cases = [json.loads(line) for line in lines]
    requests = "".join(json.dumps(case["request"], separators=(",", ":")) + "\n" for case in cases)
    run = subprocess.run([binary, "compute"], input=requests, capture_output=True, text=True)
    answers = run.stdout.splitlines()
    if run.returncode != 0:
        print(f"note: `{binary} compute` exited with status {run.returncode}: {run.stderr.strip()[:400]}")
    if len(answers) != len(cases):
        print(f"note: {len(cases)} requests, {len(answers)} answer lines")

    worst_by_op = {}  # op -> field -> (difference, case name)
    passed = failed = 0
    failures = []
    for index, case in enumerate(cases):
        op = case["request"]["op"]
        problems = []
        try:
            answer = json.loads(answers[index]) if index < len(answers) else None
        except json.JSONDecodeError:
            answer = None
            problems.append(f"answer is not JSON: {answers[index][:120]}")
        if answer is None and not problems:
            problems.append("no answer")
        elif isinstance(answer, dict) and "error" in answer:
            problems.append(f"error: {answer['error']}")
        elif isinstance(answer, dict):
            for field, theirs in case["expected"].items():
                if field not in answer:
                    problems.append(f"{field} missing")
                    continue
                difference, reason = field_difference(answer[field], theirs)
                if reason:
                    problems.append(f"{field}: {reason}")
                    continue
                best = worst_by_op.setdefault(op, {}).get(field)
                if best is None or difference > best[0]:
                    worst_by_op[op][field] = (difference, case["name"])
                if difference > TOLERANCE:
                    problems.append(f"{field} differs by {difference:.3g} of max |PyTorch|")
        else:
            problems.append(f"answer is not an object: {answers[index][:120]}")
        if problems:
            failed += 1
            failures.append(f"FAIL {case['name']}: {'; '.join(problems)}")
        else:
            passed += 1

    print(f"worst relative difference per op and field (tolerance {TOLERANCE:g}):")
    for op in sorted({case["request"]["op"] for case in cases}):
        fields = worst_by_op.get(op, {})
        if not fields:
            print(f"  {op}: no comparable answer")
            continue
        parts = ", ".join(f"{field} {difference:.2e}" for field, (difference, _) in fields.items())
        print(f"  {op}: {parts}")
    for line in failures:
        print(line)
    print(f"{passed} passed, {failed} failed")
    return failed == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", metavar="BINARY", help="check BINARY's `compute` answers against the fixture")
    parser.add_argument("--fixture", metavar="FILE", default=FIXTURE,
                        help="where to write the cases, or which cases --check reads (default: the test fixture)")
    arguments = parser.parse_args()
    if arguments.check:
        sys.exit(0 if check_binary(arguments.check, arguments.fixture) else 1)
    write_fixture(arguments.fixture)


if __name__ == "__main__":
    main()
