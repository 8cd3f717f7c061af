import ConvKernels
import Foundation
import Imaging
import Networks
import Testing

extension EndToEnd {
    /// Issue 13 through the real binary: hostile images and checkpoints given to `convtutor inspect`
    /// are refused with exit 1, the file and what was wrong on standard error, nothing on standard
    /// output (no "prediction": 0 from NaN), no crash and no hang (each run is bounded by the
    /// harness's time limit; a FIFO with no writer must not block).
    @Suite("End to end: convtutor inspect refuses hostile input")
    struct InspectHostileInputTests {
        static func scratch() throws -> URL { try InspectCommandTests.scratch() }

        static func sevenImage(in folder: URL) throws -> String {
            try InspectCommandTests.write(InspectCommandTests.pgm(width: 80, height: 80, pixels: InspectCommandTests.seven()),
                                          "seven.pgm", in: folder)
        }

        /// The run failed with exit 1, printed nothing, and its message starts with `subject` and holds every one of `words`.
        static func expectRefusal(_ run: ConvTutorRun, subject: String, _ words: [String]) {
            #expect(run.exitStatus == 1, "\(run)")
            #expect(run.standardOutput.isEmpty, "\(run)")
            #expect(run.standardError.hasPrefix("convtutor inspect: \(subject): "), "\(run)")
            for word in words { #expect(run.standardError.contains(word), "expected \"\(word)\": \(run)") }
        }

        /// A LeNet-5 (seed 9, its parameters named as the engine names them: layers.0.weight is
        /// conv1's) with `change` applied to its checkpoint, written to `name` in `folder`.
        static func model(_ name: String, in folder: URL, change: (inout Checkpoint) -> Void) throws -> String {
            let spec = try #require(BuiltInArchitecture.named("lenet5")).spec
            var checkpoint = try Network(spec: spec, seed: 9).checkpoint(metadata: ["normalization_mean": "0.1307", "normalization_std": "0.3081"])
            change(&checkpoint)
            let path = folder.appendingPathComponent(name).path
            try checkpoint.write(to: path)
            return path
        }

        static func setting(_ tensorName: String, to value: Float) -> (inout Checkpoint) -> Void {
            { checkpoint in
                guard let index = checkpoint.tensors.firstIndex(where: { $0.name == tensorName }) else { return }
                let shape = checkpoint.tensors[index].tensor.shape
                checkpoint.tensors[index].tensor = Tensor(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
            }
        }

        @Test("a few hundred bytes of JPEG claiming 8000x8000: refused from its header")
        func tinyJPEGClaimingHugeSize() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            var bytes = try ImageEncoder.jpeg(PixelImage(width: 8, height: 8, channels: 1, maxValue: 255,
                                                         samples: (0..<64).map { UInt16($0 * 3) }, format: .pgm, detail: ""))
            let sof = try #require((2..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
            bytes.replaceSubrange(sof + 5..<sof + 9, with: [0x1F, 0x40, 0x1F, 0x40])
            let path = try InspectCommandTests.write(bytes, "huge.jpg", in: folder)
            for format in ["--plain", "--json"] {
                Self.expectRefusal(try await ConvTutorRun.of(["inspect", path, format]), subject: path,
                                   ["corrupt or truncated JPEG", "cannot hold the 8000x8000 pixels its header claims"])
            }
        }

        @Test("an 8 KB PNG that decodes to 8000x8000 in colour: refused by what it would cost, saying what is accepted")
        func tinyPNGThatDecodesHuge() async throws {
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("ImagingTests/Fixtures/palette1-8000x8000.png").path
            Self.expectRefusal(try await ConvTutorRun.of(["inspect", fixture, "--plain"]), subject: fixture,
                               ["an RGB PNG of 8000x8000 would need 913 MB of memory; the limit is 512 MB",
                                "accepted up to about 35.9 megapixels"])
        }

        @Test("a FIFO as the image and a link to /dev/zero as the model: refused at once, never read")
        func notRegularFiles() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let fifo = folder.appendingPathComponent("pipe.png").path
            #expect(mkfifo(fifo, 0o600) == 0)
            Self.expectRefusal(try await ConvTutorRun.of(["inspect", fifo, "--plain"]), subject: fifo,
                               ["is a FIFO (named pipe), not a regular file"])
            let zero = folder.appendingPathComponent("zero.safetensors").path
            try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
            Self.expectRefusal(try await ConvTutorRun.of(["inspect", try Self.sevenImage(in: folder), "--plain", "--model", zero]),
                               subject: zero, ["is a character device", "not a regular file"])
        }

        @Test("a checkpoint with infinite and NaN weights: each tensor named with its counts, in --plain and --json")
        func nonFiniteWeights() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let model = try Self.model("diverged.safetensors", in: folder) { checkpoint in
                Self.setting("layers.3.weight", to: .infinity)(&checkpoint)
                Self.setting("layers.7.bias", to: .nan)(&checkpoint)
            }
            let image = try Self.sevenImage(in: folder)
            for format in ["--plain", "--json"] {
                Self.expectRefusal(try await ConvTutorRun.of(["inspect", image, format, "--model", model]), subject: model,
                                   ["layers.3.weight holds 2,400 infinite values", "layers.7.bias holds 120 NaN (not-a-number) values"])
            }
        }

        @Test("odd normalisation metadata: the field named with what is accepted", arguments: ["nan", "inf", "0", "-1", "1e30"])
        func oddNormalization(deviation: String) async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let model = try Self.model("odd.safetensors", in: folder) { $0.metadata["normalization_std"] = deviation }
            Self.expectRefusal(try await ConvTutorRun.of(["inspect", try Self.sevenImage(in: folder), "--json", "--model", model]),
                               subject: model, ["normalization_std", "accepted: a number from 0.001 to 1.0"])
        }

        @Test("finite weights whose sums overflow: the layer named, no \"prediction\": 0")
        func overflowingActivations() async throws {
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let model = try Self.model("huge.safetensors", in: folder, change: Self.setting("layers.0.weight", to: 3e38))
            let image = try Self.sevenImage(in: folder)
            for format in ["--plain", "--json"] {
                Self.expectRefusal(try await ConvTutorRun.of(["inspect", image, format, "--model", model]), subject: image,
                                   ["the output of the network's layer 1 (conv) holds", "so there is no prediction to show"])
            }
        }
    }
}
