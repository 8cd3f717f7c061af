import ConvKernels

/// A spec as a self-contained PyTorch module (and a short training script for the same recipe), so
/// that a learner who outgrows one machine goes on in PyTorch with the same network and weights.
///
/// The module's state dict has exactly the engine's names (`Network.parameterNames` and
/// `bufferNames`, plus batch norm's `num_batches_tracked`, which PyTorch fills in when a checkpoint
/// lacks it), so `model.load_state_dict(load_file(CHECKPOINT))` is strict-clean: an `nn.Sequential`
/// called `layers`; a residual block keeps `body` and `shortcut` sequences, a branches block a
/// `branches` list; a linear layer after maps flattens them itself, so no extra module shifts the
/// numbering.
public enum PyTorchExport {
    /// The whole file: imports, the helper modules the spec needs, the network class, and the script.
    public static func source(for spec: NetworkSpec) throws(NetworkSpecError) -> String {
        let summary = try spec.summary()
        var writer = ModuleWriter(rows: summary.rows)
        let layers = writer.sequence(spec.layers, input: spec.input, label: "", indent: 12)
        let className = Self.className(spec.name)
        var text = """
            # \(spec.name): written by `convtutor export --pytorch`. \(ResourceBudget.groupedDigits(summary.parameters)) parameters.
            #
            # The module's state dict has the names of ConvTutor's checkpoints, so
            #     model.load_state_dict(load_file("CHECKPOINT.safetensors"))
            # loads one strictly (safetensors.torch.load_file). Run this file to train the network with
            # ConvTutor's default recipe, on one process or many:
            #     torchrun --nproc_per_node=4 \(spec.name).py --data ~/mnist --epochs 10
            import argparse
            import gzip
            import math
            import os
            import struct

            import torch
            import torch.nn as nn
            import torch.nn.functional as F



            """
        text += writer.helperClasses()
        text += """
            class \(className)(nn.Module):
                \"\"\"Input [N, \(spec.input.dimensions.map(String.init).joined(separator: ", "))]; output [N, \(spec.classes)] logits.\"\"\"

                def __init__(self):
                    super().__init__()
                    self.layers = \(layers)

                def forward(self, x):
                    return self.layers(x)


            """
        text += trainingScript(className: className, spec: spec)
        return text
    }

    /// "tiny-resnet" -> "TinyResnet"; a name that does not start with a letter gets "Net" in front.
    static func className(_ name: String) -> String {
        let words = name.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        let joined = words.joined()
        guard let first = joined.first, first.isLetter, joined.allSatisfy({ $0.isASCII }) else { return "Net" + joined.filter(\.isASCII) }
        return joined
    }

    /// The recipe of `convtutor train`: Adam at a peak of 0.003 with 100 warm-up steps then the
    /// anneal schedule, batch 32 per process, inputs normalised by the training set's statistics,
    /// 5,000 training images held out for validation; DistributedDataParallel under torchrun.
    static func trainingScript(className: String, spec: NetworkSpec) -> String {
        """
        def read_idx(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                magic, = struct.unpack(">I", f.read(4))
                dims = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
                return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).reshape(dims)


        def mnist(folder, kind):
            def find(stem):
                for name in (stem, stem + ".gz"):
                    if os.path.exists(os.path.join(folder, name)):
                        return os.path.join(folder, name)
                raise FileNotFoundError(f"{stem}(.gz) not found in {folder}")
            prefix = "train" if kind == "train" else "t10k"
            images = read_idx(find(f"{prefix}-images-idx3-ubyte")).float().div(255).unsqueeze(1)
            labels = read_idx(find(f"{prefix}-labels-idx1-ubyte")).long()
            return images, labels


        def learning_rate(step, total, peak=0.003, warm_up=100, steps_per_epoch=1):
            # ConvTutor's anneal: linear warm-up, a cosine down to a tenth over the first epoch, then
            # a second cosine to 0 over the rest.
            if step < warm_up:
                return peak * (step + 1) / warm_up
            if step < steps_per_epoch:
                t = (step - warm_up) / max(1, steps_per_epoch - warm_up)
                return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))
            t = (step - steps_per_epoch) / max(1, total - steps_per_epoch)
            return peak * 0.1 * 0.5 * (1 + math.cos(math.pi * t))


        def train():
            parser = argparse.ArgumentParser(description="Train \(spec.name) with ConvTutor's default recipe.")
            parser.add_argument("--data", required=True, help="a folder of MNIST IDX files (plain or .gz)")
            parser.add_argument("--epochs", type=int, default=10)
            parser.add_argument("--batch-size", type=int, default=32, help="per process")
            parser.add_argument("--init", help="a ConvTutor checkpoint (.safetensors) to start from")
            parser.add_argument("--save", default="\(spec.name).pt")
            args = parser.parse_args()

            distributed = "WORLD_SIZE" in os.environ
            if distributed:
                torch.distributed.init_process_group("gloo")
            rank = torch.distributed.get_rank() if distributed else 0
            world = torch.distributed.get_world_size() if distributed else 1
            torch.manual_seed(0)

            images, labels = mnist(args.data, "train")
            train_x, train_y = images[:-5000], labels[:-5000]
            val_x, val_y = images[-5000:], labels[-5000:]
            mean, std = train_x.mean(), train_x.std()
            normalise = lambda x: (x - mean) / std

            model = \(className)()
            if args.init:
                from safetensors.torch import load_file
                model.load_state_dict(load_file(args.init))
            if distributed:
                model = nn.parallel.DistributedDataParallel(model)
            optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
            steps_per_epoch = len(train_x) // (args.batch_size * world)
            total = steps_per_epoch * args.epochs
            step = 0
            for epoch in range(args.epochs):
                model.train()
                order = torch.randperm(len(train_x), generator=torch.Generator().manual_seed(epoch))
                mine = order[rank::world]
                for start in range(0, steps_per_epoch * args.batch_size, args.batch_size):
                    batch = mine[start:start + args.batch_size]
                    for group in optimizer.param_groups:
                        group["lr"] = learning_rate(step, total, steps_per_epoch=steps_per_epoch)
                    loss = F.cross_entropy(model(normalise(train_x[batch])), train_y[batch])
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    step += 1
                model.eval()
                with torch.no_grad():
                    correct = (model(normalise(val_x)).argmax(1) == val_y).sum().item()
                if rank == 0:
                    print(f"epoch {epoch + 1}: loss {loss.item():.4f}, validation {100 * correct / len(val_x):.2f}%")
            if rank == 0:
                module = model.module if distributed else model
                torch.save(module.state_dict(), args.save)
            if distributed:
                torch.distributed.destroy_process_group()


        if __name__ == "__main__":
            train()

        """
    }
}

/// Writes layers as PyTorch constructor expressions, noting which helper classes they need.
struct ModuleWriter {
    let rows: [LayerSummaryRow]
    var needsFlatLinear = false
    var needsResidual = false
    var needsBranches = false
    var needsSqueezeExcite = false

    init(rows: [LayerSummaryRow]) { self.rows = rows }

    /// `nn.Sequential(...)` of `layers`, one per line, each line indented by `indent` spaces.
    mutating func sequence(_ layers: [LayerSpec], input: FeatureShape, label: String, indent: Int) -> String {
        guard !layers.isEmpty else { return "nn.Sequential()" }
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var shape = input
        for (index, layer) in layers.enumerated() {
            let layerLabel = label + String(index + 1)
            lines.append(pad + module(layer, input: shape, label: layerLabel, indent: indent + 4) + ",  # \(layerLabel)")
            shape = rows.first { $0.label == layerLabel }?.outputShape ?? shape
        }
        return "nn.Sequential(\n" + lines.joined(separator: "\n") + "\n" + String(repeating: " ", count: indent - 4) + ")"
    }

    static func pair(_ value: Pair) -> String {
        value.height == value.width ? "\(value.height)" : "(\(value.height), \(value.width))"
    }

    static func float(_ value: Float) -> String {
        let text = "\(value)"
        return text.contains("e") || text.contains(".") ? text : text + ".0"
    }

    mutating func module(_ layer: LayerSpec, input: FeatureShape, label: String, indent: Int) -> String {
        let channels = if case .maps(let channels, _, _) = input { channels } else { input.count }
        switch layer {
        case .conv(let conv):
            var arguments = ["\(channels)", "\(conv.out)", "kernel_size=\(Self.pair(conv.kernel))"]
            if conv.stride != 1 { arguments.append("stride=\(Self.pair(conv.stride))") }
            if conv.padding != 0 { arguments.append("padding=\(Self.pair(conv.padding))") }
            if conv.dilation != 1 { arguments.append("dilation=\(Self.pair(conv.dilation))") }
            if conv.groups != 1 { arguments.append("groups=\(conv.groups)") }
            if !conv.bias { arguments.append("bias=False") }
            return "nn.Conv2d(\(arguments.joined(separator: ", ")))"
        case .batchNorm(let norm):
            let kind = if case .maps = input { "nn.BatchNorm2d" } else { "nn.BatchNorm1d" }
            return "\(kind)(\(channels), eps=\(Self.float(norm.epsilon)), momentum=\(Self.float(norm.momentum)))"
        case .relu: return "nn.ReLU()"
        case .relu6: return "nn.ReLU6()"
        case .leakyReLU(let slope): return "nn.LeakyReLU(\(Self.float(slope)))"
        case .sigmoid: return "nn.Sigmoid()"
        case .tanh: return "nn.Tanh()"
        case .silu: return "nn.SiLU()"
        case .maxPool(let pool), .avgPool(let pool):
            let kind = if case .maxPool = layer { "nn.MaxPool2d" } else { "nn.AvgPool2d" }
            var arguments = ["\(Self.pair(pool.kernel))", "stride=\(Self.pair(pool.stride))"]
            if pool.padding != 0 { arguments.append("padding=\(Self.pair(pool.padding))") }
            if pool.ceilMode { arguments.append("ceil_mode=True") }
            return "\(kind)(\(arguments.joined(separator: ", ")))"
        case .globalAvgPool: return "nn.AdaptiveAvgPool2d(1)"
        case .adaptiveAvgPool(let height, let width): return "nn.AdaptiveAvgPool2d((\(height), \(width)))"
        case .flatten: return "nn.Flatten()"
        case .linear(let linear):
            var arguments = ["\(input.count)", "\(linear.out)"]
            if !linear.bias { arguments.append("bias=False") }
            if case .maps = input {
                needsFlatLinear = true
                return "FlatLinear(\(arguments.joined(separator: ", ")))"
            }
            return "nn.Linear(\(arguments.joined(separator: ", ")))"
        case .dropout(let probability): return "nn.Dropout(\(Self.float(probability)))"
        case .residual(let residual):
            needsResidual = true
            let body = sequence(residual.body, input: input, label: label + ".", indent: indent + 4)
            let output = rows.first { $0.label == label }?.outputShape ?? input
            let layers = (try? residual.shortcutLayers(input: input, bodyOutput: output)) ?? []
            let shortcut = sequence(layers, input: input, label: label + ".shortcut.", indent: indent + 4)
            return "Residual(\n\(String(repeating: " ", count: indent))body=\(body),\n"
                + "\(String(repeating: " ", count: indent))shortcut=\(shortcut))"
        case .branches(let branches):
            needsBranches = true
            let pad = String(repeating: " ", count: indent)
            var items: [String] = []
            for (index, branch) in branches.enumerated() {
                items.append(pad + sequence(branch.body, input: input, label: "\(label).b\(index + 1).", indent: indent + 4))
            }
            return "Branches([\n" + items.joined(separator: ",\n") + "])"
        case .squeezeExcite(let squeeze):
            needsSqueezeExcite = true
            let activation = squeeze.activation == .silu ? "nn.SiLU()" : "nn.ReLU()"
            return "SqueezeExcite(\(channels), \(squeeze.squeezed), \(activation))"
        }
    }

    /// The helper modules the spec used, before the network class.
    func helperClasses() -> String {
        var text = ""
        if needsFlatLinear {
            text += """
                class FlatLinear(nn.Linear):
                    \"\"\"A linear layer that flattens maps [N, C, H, W] to [N, C*H*W] first.\"\"\"

                    def forward(self, x):
                        return super().forward(x.flatten(1))



                """
        }
        if needsResidual {
            text += """
                class Residual(nn.Module):
                    \"\"\"body(x) + shortcut(x); an empty shortcut is x itself.\"\"\"

                    def __init__(self, body, shortcut):
                        super().__init__()
                        self.body = body
                        self.shortcut = shortcut

                    def forward(self, x):
                        return self.body(x) + self.shortcut(x)



                """
        }
        if needsBranches {
            text += """
                class Branches(nn.Module):
                    \"\"\"Each branch on the same input, the outputs concatenated along channels.\"\"\"

                    def __init__(self, branches):
                        super().__init__()
                        self.branches = nn.ModuleList(branches)

                    def forward(self, x):
                        return torch.cat([branch(x) for branch in self.branches], dim=1)



                """
        }
        if needsSqueezeExcite {
            text += """
                class SqueezeExcite(nn.Module):
                    \"\"\"Each channel scaled by a gate computed from every channel's mean.\"\"\"

                    def __init__(self, channels, squeezed, activation):
                        super().__init__()
                        self.reduce = nn.Conv2d(channels, squeezed, 1)
                        self.activation = activation
                        self.expand = nn.Conv2d(squeezed, channels, 1)

                    def forward(self, x):
                        gate = self.expand(self.activation(self.reduce(F.adaptive_avg_pool2d(x, 1))))
                        return x * torch.sigmoid(gate)



                """
        }
        return text
    }
}
