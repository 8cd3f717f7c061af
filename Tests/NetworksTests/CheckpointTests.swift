import ConvKernels
import Foundation
import Testing
import Networks
import Datasets

@Suite("checkpoints (safetensors)")
struct CheckpointTests {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "convtutor-\(UUID().uuidString)-\(name)"
    }

    @Test("the bytes follow the safetensors layout: length, JSON header padded to 8, little-endian F32 data")
    func layout() throws {
        let checkpoint = Checkpoint(tensors: [("a", Tensor(shape: [2], data: [1, -2])), ("b.weight", Tensor(shape: [1, 1, 1, 1], data: [0.5]))],
                                    metadata: ["variant": "modern"])
        let bytes = try checkpoint.encoded()
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect((8 + headerLength) % 8 == 0, "the data starts on an 8-byte boundary")
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        let a = try #require(header["a"] as? [String: Any])
        #expect(a["dtype"] as? String == "F32" && a["shape"] as? [Int] == [2] && a["data_offsets"] as? [Int] == [0, 8])
        let b = try #require(header["b.weight"] as? [String: Any])
        #expect(b["shape"] as? [Int] == [1, 1, 1, 1] && b["data_offsets"] as? [Int] == [8, 12])
        #expect(header["__metadata__"] as? [String: String] == ["variant": "modern"])
        #expect(Array(bytes[(8 + headerLength)...]) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F])
    }

    @Test("a LeNet-5 goes to a file and comes back unchanged, variant included", arguments: LeNet5.Variant.allCases)
    func roundTrip(variant: LeNet5.Variant) throws {
        let network = LeNet5(variant: variant, seed: 11)
        let path = temporaryPath("lenet5.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try network.checkpoint(metadata: ["epoch": "3"]).write(to: path)
        let checkpoint = try Checkpoint(path: path)
        #expect(checkpoint.metadata["epoch"] == "3")
        #expect(checkpoint.tensors.map(\.name) == LeNet5.parameterNames)
        let loaded = try LeNet5(checkpoint: checkpoint, name: path)
        #expect(loaded.variant == variant)
        #expect(loaded.parameters == network.parameters)
    }

    @Test("a checkpoint PyTorch wrote loads here and gives PyTorch's logits")
    func pytorchCheckpoint() throws {
        let checkpoint = try Checkpoint(path: Self.fixtures.appendingPathComponent("pytorch-lenet5.safetensors").path)
        let network = try LeNet5(checkpoint: checkpoint, name: "pytorch-lenet5.safetensors")
        let reference = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("pytorch-lenet5-logits.json"))) as? [String: [Double]]
        let input = try #require(reference?["input"]).map(Float.init), expected = try #require(reference?["logits"]).map(Float.init)
        let logits = try network.forward(Tensor(shape: [2, 1, 28, 28], data: input)).logits
        let scale = expected.map(abs).max() ?? 1
        let worst = zip(logits.data, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst / scale < 1e-5, "largest difference from PyTorch's logits: \(worst) (scale \(scale))")
    }

    private func readError(_ bytes: [UInt8]) -> String {
        do {
            _ = try Checkpoint(bytes: bytes, name: "bad.safetensors")
            return ""
        } catch {
            return error.message
        }
    }

    @Test("corrupt, truncated and foreign files are refused with what is wrong")
    func badFiles() throws {
        let good = try LeNet5(seed: 1).checkpoint().encoded()
        #expect(readError(Array(good.prefix(5))).contains("too short"))
        #expect(readError(Array(good.prefix(200))).contains("truncated or not safetensors"))
        #expect(readError(Array(good.prefix(good.count - 10))).contains("truncated or corrupt"))
        var garbled = good
        for index in 8..<20 { garbled[index] = 0x7B }
        #expect(readError(garbled).contains("not valid JSON"))
        let half = Checkpoint(tensors: [("conv1.weight", Tensor(zeros: [6, 1, 5, 5]))])
        #expect(throws: CheckpointError.self) { try LeNet5(checkpoint: half, name: "half") }
        let wrongShape = Checkpoint(tensors: LeNet5(seed: 1).checkpoint().tensors.map {
            $0.name == "fc1.weight" ? ($0.name, Tensor(zeros: [100, 400])) : $0
        })
        do {
            _ = try LeNet5(checkpoint: wrongShape, name: "wrong")
            Issue.record("a checkpoint with another fc1 shape loaded")
        } catch {
            #expect(error.message.contains("fc1.weight has shape [100, 400]; LeNet-5's is [120, 400]"))
        }
        // A half-precision tensor (as PyTorch writes with dtype=float16).
        var header = #"{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#
        while (8 + header.utf8.count) % 8 != 0 { header += " " }
        var f16: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { f16.append(contentsOf: $0) }
        f16 += Array(header.utf8) + [0, 0x3C]
        #expect(readError(f16).contains("only F32"))
    }

    @Test("a write that cannot happen leaves the existing file untouched")
    func atomicWrite() throws {
        let path = temporaryPath("keep.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try LeNet5(seed: 1).checkpoint().write(to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.self) { try LeNet5(seed: 2).checkpoint().write(to: "/nonexistent-folder/x.safetensors") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // Overwriting replaces the whole file, and no temporary file is left beside it.
        try LeNet5(seed: 2).checkpoint().write(to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty)
    }
}
