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

    @Test("a LeNet-5 goes to a file and comes back unchanged, its spec included", arguments: ["lenet5", "lenet5-classic"])
    func roundTrip(name: String) throws {
        let network = try LeNet5Tests.network(name, seed: 11)
        let path = temporaryPath("lenet5.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try network.checkpoint(metadata: ["epoch": "3"]).write(to: path)
        let checkpoint = try Checkpoint(path: path)
        #expect(checkpoint.metadata["epoch"] == "3")
        #expect(checkpoint.tensors.map(\.name) == network.parameterNames)
        let loaded = try Network(checkpoint: checkpoint, file: path)
        #expect(loaded.spec.name == name)
        #expect(loaded.parameters == network.parameters)
    }

    @Test("a checkpoint PyTorch wrote loads here and gives PyTorch's logits")
    func pytorchCheckpoint() throws {
        let checkpoint = try Checkpoint(path: Self.fixtures.appendingPathComponent("pytorch-lenet5.safetensors").path)
        let network = try Network(checkpoint: checkpoint, file: "pytorch-lenet5.safetensors")
        let reference = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("pytorch-lenet5-logits.json"))) as? [String: [Double]]
        let input = try #require(reference?["input"]).map(Float.init), expected = try #require(reference?["logits"]).map(Float.init)
        let logits = try network.logits(Tensor(shape: [2, 1, 28, 28], data: input))
        let scale = expected.map(abs).max() ?? 1
        let worst = zip(logits.data, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst / scale < 1e-5, "largest difference from PyTorch's logits: \(worst) (scale \(scale))")
    }

    private func readError(_ bytes: [UInt8], name: String = "bad.safetensors") -> String {
        do {
            _ = try Checkpoint(bytes: bytes, name: name)
            return ""
        } catch {
            return error.message
        }
    }

    @Test("corrupt, truncated and foreign files are refused with what is wrong")
    func badFiles() throws {
        let lenet = try LeNet5Tests.network(seed: 1)
        let good = try lenet.checkpoint().encoded()
        #expect(readError(Array(good.prefix(5))).contains("too short"))
        #expect(readError(Array(good.prefix(200))).contains("truncated or not safetensors"))
        #expect(readError(Array(good.prefix(good.count - 10))).contains("truncated or corrupt"))
        var garbled = good
        for index in 8..<20 { garbled[index] = 0x7B }
        #expect(readError(garbled).contains("not valid JSON"))
        let half = Checkpoint(tensors: [("conv1.weight", Tensor(zeros: [6, 1, 5, 5]))])
        #expect(throws: CheckpointError("half: has no tensor 'conv1.bias', which its spec 'lenet5' needs: the spec and the "
                                            + "weights do not match")) { try Network(checkpoint: half, file: "half") }
        var wrongShape = lenet.checkpoint()
        wrongShape.tensors = wrongShape.tensors.map { $0.name == "layers.7.weight" ? ($0.name, Tensor(zeros: [100, 400])) : $0 }
        #expect(throws: CheckpointError("wrong: tensor 'layers.7.weight' is [100, 400] but its spec 'lenet5' gives it "
                                            + "[120, 400]: the spec and the weights do not match")) {
            try Network(checkpoint: wrongShape, file: "wrong")
        }
        // A dtype that is not read (F16, BF16 and F64 are: see CheckpointDataTypeTests).
        var header = #"{"x":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#
        while (8 + header.utf8.count) % 8 != 0 { header += " " }
        var i32: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { i32.append(contentsOf: $0) }
        i32 += Array(header.utf8) + [1, 0, 0, 0]
        #expect(readError(i32).contains("is I32; the dtypes read are F32, F16, BF16, F64"))
    }

    /// The first bytes of a zip archive whose first entry is `entry`: a local file header (signature,
    /// 22 bytes of version, flags, method, times, CRC and sizes, the name's length, no extra field).
    private func zipArchive(firstEntry entry: String) -> [UInt8] {
        let name = Array(entry.utf8)
        return [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 22) + [UInt8(name.count), 0, 0, 0] + name
            + [0x80, 0x02, 0x7D, 0x71, 0x00]
    }

    @Test("a PyTorch .pt/.pth (zip or legacy pickle) is named as such, with the command that converts it")
    func pytorchFiles() throws {
        let zipped = readError(zipArchive(firstEntry: "archive/data.pkl"), name: "lenet.pt")
        #expect(zipped.hasPrefix("lenet.pt: is a PyTorch checkpoint (the zip archive torch.save writes, holding archive/data.pkl), "
            + "not safetensors."), "\(zipped)")
        #expect(zipped.contains(#"python -c "import torch; from safetensors.torch import save_file; "#
            + #"save_file(torch.load('lenet.pt', map_location='cpu'), 'lenet.safetensors')""#), "\(zipped)")
        #expect(zipped.contains(".state_dict()") && zipped.contains("['state_dict']"))
        #expect(!zipped.contains("header claims"))

        // Legacy torch.save (before 1.6): a pickle, protocol 2, starting with the magic number.
        let pickled = readError([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19], name: "old.pth")
        #expect(pickled.hasPrefix("old.pth: is a Python pickle (protocol 2), as PyTorch's torch.save wrote before version 1.6"))
        #expect(pickled.contains("torch.load('old.pth', map_location='cpu'), 'old.safetensors'"))
        for protocolByte: UInt8 in [3, 4, 5] {
            #expect(readError([0x80, protocolByte, 0x95] + [UInt8](repeating: 0, count: 20)).contains("is a Python pickle"))
        }
        // data.pkl not first: the central directory at the end names it.
        let reordered = readError(zipArchive(firstEntry: "archive/.format_version") + Array("PK\u{1}\u{2}archive/data.pkl".utf8))
        #expect(reordered.hasPrefix("bad.safetensors: is a PyTorch checkpoint (the zip archive torch.save writes, holding a data.pkl)"))
        // A name the command line cannot quote gets placeholders.
        #expect(readError(zipArchive(firstEntry: "m/data.pkl"), name: "it's.pt").contains("torch.load('IN.pt', map_location='cpu'), 'OUT.safetensors'"))

        // Through a file, as `inspect --model` and `train --resume` read it.
        let path = NSTemporaryDirectory() + "convtutor-\(UUID().uuidString)-model.pt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(zipArchive(firstEntry: "model/data.pkl")).write(to: URL(fileURLWithPath: path))
        do {
            _ = try Checkpoint(path: path)
            Issue.record("a PyTorch zip checkpoint was read as safetensors")
        } catch {
            #expect(error.message.hasPrefix("\(path): is a PyTorch checkpoint"))
            #expect(error.message.contains("torch.load('\(path)', map_location='cpu')"))
        }
    }

    @Test("other files that are not safetensors say what they are and what a safetensors file looks like")
    func otherFormats() throws {
        let layout = "a safetensors file starts with its header's length in 8 bytes (little-endian), then that JSON "
            + #"header from "{" (each tensor's dtype, shape and data_offsets), then the tensors' data"#
        #expect(readError([]) == "bad.safetensors: is empty; " + layout)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + Array("IHDR".utf8)
        #expect(readError(png) == "bad.safetensors: is a PNG image, not a safetensors checkpoint; " + layout)
        #expect(readError([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0, count: 12)).hasPrefix("bad.safetensors: is a JPEG image"))
        #expect(readError([0x1F, 0x8B, 0x08, 0] + [UInt8](repeating: 0, count: 12)).contains("gzip-compressed"))
        let text = readError(Array("conv1.weight 0.1 0.2 0.3\n".utf8))
        #expect(text == #"bad.safetensors: is text (it starts "conv1.weight 0.1 0.2 0.3..."), not a safetensors checkpoint; "# + layout)
        #expect(readError(Array("{\"a\": 1}\n".utf8)).hasPrefix(#"bad.safetensors: is text (it starts "{"a": 1}\n"), "#))
        #expect(readError(zipArchive(firstEntry: "arr_0.npy")).hasPrefix("bad.safetensors: is a zip archive (its first entry is arr_0.npy; "
            + "a PyTorch checkpoint's is .../data.pkl), not safetensors; "))
        // Unrecognised bytes: the header-length check explains, with the layout.
        let unknown = readError([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0xFE])
        #expect(unknown.contains("truncated or not safetensors") && unknown.hasSuffix(layout + ")"))
    }

    @Test("a safetensors file whose header length happens to start like a pickle (640 = 0x280) still loads")
    func headerLengthLikeAPickle() throws {
        var filler = ""
        var bytes: [UInt8] = []
        repeat {
            filler += "x"
            bytes = try Checkpoint(tensors: [("a", Tensor(shape: [1], data: [2]))], metadata: ["note": filler]).encoded()
        } while bytes[0] != 0x80 || bytes[1] != 0x02
        #expect(Array(bytes[0..<3]) == [0x80, 0x02, 0x00])
        let checkpoint = try Checkpoint(bytes: bytes, name: "edge.safetensors")
        #expect(checkpoint.tensor(named: "a")?.data == [2])
    }

    @Test("names wrapped by DataParallel (module.) and torch.compile (_orig_mod.), alone or together, load",
          arguments: ["module.", "_orig_mod.", "module._orig_mod.", "_orig_mod.module.", "module.module."])
    func wrappedNames(prefix: String) throws {
        let network = try LeNet5Tests.network(seed: 4)
        let plain = network.checkpoint()
        let wrapped = Checkpoint(tensors: plain.tensors.map { (prefix + $0.name, $0.tensor) }, metadata: plain.metadata)
        let loaded = try Network(checkpoint: wrapped, file: "wrapped.safetensors")
        #expect(loaded.parameters == network.parameters)
        #expect(Checkpoint.parameterName(prefix + "fc1.weight") == "fc1.weight")
    }

    @Test("wrapper prefixes: only at the front, a name is never emptied, and two names for one parameter are refused")
    func wrappedNameEdges() throws {
        #expect(Checkpoint.parameterName("fc1.module.weight") == "fc1.module.weight")
        #expect(Checkpoint.parameterName("module.") == "module.")
        #expect(Checkpoint.parameterName("modules.conv1.weight") == "modules.conv1.weight")
        // Batch normalisation is found under a prefix too.
        let batchNorm = try LeNet5Tests.network(batchNorm: true, seed: 2)
        let rename = Network.legacyLeNet5Names(batchNorm.spec)
        let bare = Checkpoint(tensors: batchNorm.checkpoint().tensors.map { ("module." + rename($0.name), $0.tensor) })
        #expect(try Network(checkpoint: bare, file: "bn.safetensors").spec == batchNorm.spec)
        let legacy = try LeNet5Tests.legacyCheckpoint(seed: 1)
        let twice = Checkpoint(tensors: legacy.tensors + [("module.fc3.bias", Tensor(zeros: [10]))])
        #expect(throws: CheckpointError("twice.safetensors: holds both fc3.bias and module.fc3.bias, which are the same "
            + "parameter fc3.bias once the wrappers' prefixes (module., _orig_mod.) are removed; keep one of them")) {
            try Network(checkpoint: twice, file: "twice.safetensors")
        }
        // Neither a spec nor LeNet-5's names: it says what the file does hold.
        let other = Checkpoint(tensors: [("model.conv1.weight", Tensor(zeros: [6, 1, 5, 5]))])
        do {
            _ = try Network(checkpoint: other, file: "other.safetensors")
            Issue.record("a checkpoint without a spec or LeNet-5's names loaded")
        } catch {
            #expect(error.message.contains("this one holds model.conv1.weight); give a checkpoint written by convtutor train"),
                    "\(error.message)")
        }
    }

    @Test("a write that cannot happen leaves the existing file untouched")
    func atomicWrite() throws {
        // A folder of its own: other tests write checkpoints into the shared temporary folder at the same time.
        let folder = temporaryPath("atomic-write")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/keep.safetensors"
        try LeNet5Tests.network(seed: 1).checkpoint().write(to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let other = try LeNet5Tests.network(seed: 2).checkpoint()
        #expect(throws: CheckpointError.self) { try other.write(to: "/nonexistent-folder/x.safetensors") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // Overwriting replaces the whole file, and no temporary file is left beside it.
        try other.write(to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix("convtutor-partial") }
        #expect(leftovers.isEmpty)
    }
}
