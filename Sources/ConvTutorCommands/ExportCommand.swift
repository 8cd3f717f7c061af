import ArgumentParser
import CommonIO
import ConvKernels
import Networks

/// `convtutor export --pytorch`: a network as a self-contained PyTorch module whose state dict has
/// the names of ConvTutor's checkpoints, with a training script for the same recipe.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a network as a PyTorch module (and a script that trains it, also under torchrun).",
        discussion: """
            The module is an nn.Sequential called layers (residual blocks keep body and shortcut \
            sequences, branches a branches list), so its parameter names are those of ConvTutor's \
            checkpoints and model.load_state_dict(load_file(CHECKPOINT)) loads one strictly \
            (safetensors.torch.load_file). Run the file to train the network with ConvTutor's default \
            recipe (Adam, peak learning rate 0.003 with warm-up and the anneal schedule, batch 32 per \
            process, 5,000 images held out): python model.py --data ~/mnist, or on several processes \
            or machines with DistributedDataParallel: torchrun --nproc_per_node=4 model.py --data ~/mnist. \
            --init CHECKPOINT starts from ConvTutor's weights.

            --model CHECKPOINT writes the network a checkpoint of convtutor train records (its spec is \
            in the file), so that the module loads that very checkpoint.

            The file is written atomically (a temporary file, then a rename); without --out it goes \
            to standard output.

            Examples:
              convtutor export --pytorch --arch resnet-mini --out resnet_mini.py
              convtutor export --pytorch --arch my-net.toml > my_net.py
              convtutor export --pytorch --model my-net.safetensors --out my_net.py
            """)

    @Flag(help: "Write PyTorch (the only format there is, and required so that a later one can be added).")
    var pytorch = false

    @Option(help: ArgumentHelp("The network: a spec file, a built-in architecture or a zoo table (default lenet5).",
                               valueName: "name|file"))
    var arch: String?

    @Option(help: ArgumentHelp("Instead of --arch: the network a checkpoint written by convtutor train records.",
                               valueName: "file"), completion: .file(extensions: Completion.checkpointExtensions))
    var model: String?

    @Option(help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var out: String?

    /// For tools/pytorch_export_check.py: the network built with seed 0 (or --model's), its weights
    /// as a checkpoint and a seeded input with its logits, written into this folder as
    /// NAME.safetensors and NAME.json.
    @Option(name: .customLong("check-data"), help: .hidden)
    var checkData: String?

    func validate() throws {
        guard pytorch else { throw ValidationError("say the format: --pytorch (the only one there is)") }
        if arch != nil && model != nil {
            throw ValidationError("--arch and --model both name a network; give one (--model takes the checkpoint's)")
        }
    }

    func run() throws {
        var trained: Network?
        if let model {
            do {
                trained = try Network(checkpoint: Checkpoint(path: model), file: model)
            } catch {
                throw CommandFailure("convtutor export: \(error)")
            }
        }
        let spec = try trained?.spec ?? NetworkChoice.spec(named: arch ?? "lenet5", command: "export")
        let source: String
        do {
            source = try PyTorchExport.source(for: spec)
        } catch {
            throw CommandFailure("convtutor export: \(error)")
        }
        if let checkData { try writeCheckData(spec, trained: trained, folder: checkData) }
        guard let out else {
            print(source, terminator: "")
            return
        }
        do {
            try AtomicFile.write(Array(source.utf8), to: out)
        } catch {
            throw CommandFailure("convtutor export: \(out) \(error.reason)")
        }
        print("Wrote \(out): \(spec.name) as a PyTorch module (\(ResourceBudget.groupedDigits(try spec.summary().parameters)) parameters).")
    }

    /// The engine's weights and logits for a seeded input, so that PyTorch can be held to them.
    private func writeCheckData(_ spec: NetworkSpec, trained: Network?, folder: String) throws {
        let network: Network
        do {
            network = try trained ?? Network(spec: spec, seed: 0)
        } catch {
            throw CommandFailure("convtutor export: \(error)")
        }
        var random = SeededRandom(seed: 11)
        let input = random.uniformTensor(shape: [2] + spec.input.dimensions)
        let logits = try network.logits(input)
        let tensors = zip(network.parameterNames + network.bufferNames, network.parameters + network.buffers)
            .map { (name: $0.0, tensor: $0.1) }
        try Checkpoint(tensors: tensors).write(to: folder + "/\(spec.name).safetensors")
        let json = JSONText.object([("input", JSONText.tensor(input)), ("logits", JSONText.tensor(logits))]) + "\n"
        do {
            try AtomicFile.write(Array(json.utf8), to: folder + "/\(spec.name).json")
        } catch {
            throw CommandFailure("convtutor export: \(folder)/\(spec.name).json \(error.reason)")
        }
    }
}
