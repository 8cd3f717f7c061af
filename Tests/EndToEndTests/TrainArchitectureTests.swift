import Foundation
import Testing
import Networks

extension EndToEnd {
    /// `convtutor train --arch` as a new user meets it: the README's example spec trained, resumed
    /// and exported from its checkpoint; two networks compared; networks that cannot train here
    /// refused with what is wrong.
    @Suite("End to end: training any network")
    struct TrainArchitectureTests {
        static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        static let example = root.appendingPathComponent("examples/tiny-resnet.toml").path

        private static func scratch() throws -> (folder: URL, environment: [String: String]) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-arch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return (folder, ["XDG_CACHE_HOME": folder.appendingPathComponent("cache").path])
        }

        private static let quick = ["train", "--no-tui", "--data", "builtin", "--epochs", "1", "--subset", "400",
                                    "--validation", "100", "--threads", "2"]

        @Test("the README's example spec is examples/tiny-resnet.toml, word for word")
        func readmeShowsTheExample() throws {
            let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
            let example = try String(contentsOfFile: Self.example, encoding: .utf8)
            #expect(readme.contains("```toml\n" + example + "```\n"))
        }

        @Test("the example spec trains, its checkpoint records it, resumes with nothing else and exports to PyTorch")
        func exampleTrainsResumesExports() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let checkpoint = folder.appendingPathComponent("tiny.safetensors").path
            let first = try await ConvTutorRun.of(Self.quick + ["--arch", Self.example, "--save", checkpoint],
                                                  environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(first.exitStatus == 0, "\(first)")
            #expect(first.standardOutput.contains("epoch 1/1"), "\(first)")
            let network = try Network(checkpoint: Checkpoint(path: checkpoint), file: checkpoint)
            #expect(network.spec == (try NetworkSpec.load(contentsOf: Self.example)))
            #expect(network.parameterNames.contains("layers.2.body.0.weight"))

            let resumed = try await ConvTutorRun.of(Self.quick + ["--resume", checkpoint, "--epochs", "2", "--save", checkpoint],
                                                    environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(resumed.exitStatus == 0, "\(resumed)")
            #expect(resumed.standardError.contains("Resuming at epoch 2") && resumed.standardOutput.contains("epoch 2/2"),
                    "\(resumed)")
            #expect(resumed.standardError.contains("Network: tiny-resnet, 770 parameters."), "\(resumed)")

            let module = folder.appendingPathComponent("tiny_resnet.py").path
            let export = try await ConvTutorRun.of(["export", "--pytorch", "--model", checkpoint, "--out", module],
                                                   environment: environment)
            #expect(export.exitStatus == 0, "\(export)")
            let source = try String(contentsOfFile: module, encoding: .utf8)
            #expect(source.contains("class TinyResnet(nn.Module)") || source.contains("tiny"), "\(source.prefix(400))")
            #expect(source.contains("Residual("), "\(source.prefix(400))")
        }

        @Test("--compare trains two networks side by side, each epoch line labelled")
        func compareTwoNetworks() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = try await ConvTutorRun.of(Self.quick + ["--compare", "lenet5-gap,\(Self.example)"],
                                                environment: environment, timeout: ConvTutorProcess.longTimeLimit)
            #expect(run.exitStatus == 0, "\(run)")
            let lines = run.standardOutput.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("[lenet5-gap]") && $0.contains("epoch 1/1") }, "\(run)")
            #expect(lines.contains { $0.hasPrefix("[\(Self.example)]") && $0.contains("epoch 1/1") }, "\(run)")
        }

        @Test("networks that cannot train here are refused, naming what is wrong, before any training", arguments: [
            ("vgg16", "vgg16 has 138,357,544 parameters: training it would need about 2,213 MB"),
            ("resnet50", "resnet50 takes 3x224x224 input (channels x height x width) but the images of built-in digits are 1x28x28"),
            ("nonesuch", "there is no architecture called 'nonesuch'; --arch takes a spec file"),
            ("missing.toml", "missing.toml: cannot be read"),
        ])
        func refused(arch: String, message: String) async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = try await ConvTutorRun.of(Self.quick + ["--arch", arch], environment: environment)
            #expect(run.exitStatus == 1, "\(run)")
            #expect(run.standardError.contains("convtutor train: ") && run.standardError.contains(message), "\(run)")
            #expect(!run.standardError.contains("Error: "), "\(run)")
            #expect(!run.standardOutput.contains("epoch"), "\(run)")
        }

        @Test("a spec whose last layer does not give one score per class is refused naming the layer")
        func badSpec() async throws {
            let (folder, environment) = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let spec = folder.appendingPathComponent("bad.toml").path
            try "name = \"bad\"\ninput = [1, 28, 28]\nclasses = 10\n[[layer]]\nkind = \"conv\"\nout = 4\nkernel = 3\n[[layer]]\nkind = \"linear\"\nout = 7\n"
                .write(toFile: spec, atomically: true, encoding: .utf8)
            let run = try await ConvTutorRun.of(Self.quick + ["--arch", spec], environment: environment)
            #expect(run.exitStatus == 1, "\(run)")
            #expect(run.standardError.contains("convtutor train: \(spec): layer 2 (linear): gives 7 outputs (7) but the network "
                + "has 10 classes"), "\(run)")
            let conflict = try await ConvTutorRun.of(Self.quick + ["--arch", "resnet-mini", "--variant", "classic"],
                                                     environment: environment)
            #expect(conflict.exitStatus == 2, "\(conflict)")
            #expect(conflict.standardError.contains("--variant classic chooses LeNet-5 (lenet5-classic) and --arch resnet-mini "
                + "another network; give one of them"), "\(conflict)")
        }
    }
}
