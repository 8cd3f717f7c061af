import ConvKernels
import Foundation
import Testing
@testable import Networks

/// Issue 13: a checkpoint is trusted only after every number in it is checked. Shapes and offsets
/// never overflow or trap, what the tensors take in memory is weighed before they are decoded, only
/// regular files of a sane size are read, and NaN, infinities and odd normalisation are reported
/// by name, never computed with.
@Suite("checkpoints: hostile headers, values and files")
struct CheckpointHostileTests {
    /// A safetensors file with `header` as its JSON text, as written (any numbers), then `data`.
    static func file(header: String, data: [UInt8] = []) -> [UInt8] {
        var json = Array(header.utf8)
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + json + data
    }

    func error(_ bytes: [UInt8]) -> String? {
        do {
            _ = try Checkpoint(bytes: bytes, name: "x.safetensors")
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: Shapes and offsets

    static let dimensions = ["0", "1", "3", "1099511627776", "4611686018427387904", "9223372036854775807",
                             "9223372036854775808", "-1", "1.5", "1e300", "\"2\"", "null"]

    /// Dimensions 0, 1, 3, huge, Int.max, past Int.max, negative, fractional, text, null.
    @Test("every shape of up to three such dimensions, with good and absurd offsets: a tensor or a refusal, never a trap",
          arguments: [1, 2, 3])
    func shapeSweep(rank: Int) {
        var shapes: [[String]] = [[]]
        for _ in 0..<rank { shapes = shapes.flatMap { shape in Self.dimensions.map { shape + [$0] } } }
        for shape in shapes {
            // Data for a product that is small and exact, else 12 bytes.
            let exact = shape.map { Int($0) }
            let count = exact.contains(nil) ? nil : ResourceBudget.product(exact.compactMap { $0 })
            let bytes = (count ?? 0) <= 64 ? (count ?? 3) * 4 : 12
            for offsets in ["[0, \(bytes)]", "[0, 9223372036854775807]", "[-8, 4]", "[12, 0]", "[4611686018427387904, 4611686018427387908]"] {
                let header = "{\"t\": {\"dtype\": \"F32\", \"shape\": [\(shape.joined(separator: ", "))], \"data_offsets\": \(offsets)}}"
                let message = error(Self.file(header: header, data: [UInt8](repeating: 0, count: bytes)))
                let valid = count.flatMap { ResourceBudget.product($0, 4) } == bytes && offsets == "[0, \(bytes)]"
                if valid {
                    #expect(message == nil, "\(header): \(message ?? "")")
                } else {
                    #expect(message?.hasPrefix("x.safetensors: ") == true, "\(header) was accepted")
                }
            }
        }
    }

    @Test("a product that overflows on the way is refused, even when a later 0 would bring it back")
    func overflowingProducts() {
        let header = "{\"t\": {\"dtype\": \"F32\", \"shape\": [9223372036854775807, 2, 0], \"data_offsets\": [0, 0]}}"
        #expect(error(Self.file(header: header)) == "x.safetensors: tensor t has shape [9223372036854775807, 2, 0], too many "
            + "elements to count; the file is corrupt")
        let bytes = "{\"t\": {\"dtype\": \"F64\", \"shape\": [2305843009213693952], \"data_offsets\": [0, 8]}}"
        #expect(error(Self.file(header: bytes, data: [UInt8](repeating: 0, count: 8))) == "x.safetensors: tensor t of shape "
            + "[2305843009213693952] and dtype F64 needs more bytes but its data_offsets are [0, 8] in 8 bytes of data; the "
            + "file is truncated or corrupt")
    }

    @Test("tensors that share bytes are refused: a small file cannot claim many copies of its data")
    func overlappingTensors() {
        let entries = (0..<1000).map { "\"t\($0)\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}" }
        let message = error(Self.file(header: "{" + entries.joined(separator: ", ") + "}", data: [UInt8](repeating: 0, count: 16)))
        #expect(message?.contains("overlap; each tensor needs its own bytes of the data: the file is corrupt") == true, "\(message ?? "")")
    }

    @Test("the tensors' memory as 32-bit floats, with the file, is checked against the budget before any is decoded")
    func tensorsOverTheBudget() throws {
        let layout = try Checkpoint.TensorLayout(key: "big", entry: ["dtype": "F16", "shape": [1000], "data_offsets": [0, 2000]],
                                                 dataLength: 2000, name: "x.safetensors")
        let small = ResourceBudget(memoryBytes: 5000, work: 1)
        #expect(throws: CheckpointError("x.safetensors: its 1 tensor (1000 values as 32-bit floats) would need 6.0 KB of "
            + "memory; the limit is 5.0 KB; LeNet-5 has about 62 thousand")) {
            try Checkpoint.checkMemory([layout], fileBytes: 2000, name: "x.safetensors", budget: small)
        }
        try Checkpoint.checkMemory([layout], fileBytes: 2000, name: "x.safetensors")
    }

    @Test("a header longer than 1 MB is refused before it is parsed")
    func hugeHeader() {
        var bytes = Self.file(header: "{" + String(repeating: " ", count: Checkpoint.maximumHeaderBytes) + "}")
        bytes.append(0)
        #expect(error(bytes) == "x.safetensors: its header is 1.0 MB of JSON; the limit is 1.0 MB (LeNet-5's is about 1 KB)")
    }

    // MARK: NaN and infinity

    @Test("NaN and infinities in any tensor are refused, naming every tensor affected with its counts",
          arguments: LeNet5Tests.legacyNames)
    func nonFiniteWeights(tensorName: String) throws {
        var checkpoint = try LeNet5Tests.legacyCheckpoint(seed: 3)
        let index = try #require(checkpoint.tensors.firstIndex { $0.name == tensorName })
        var data = checkpoint.tensors[index].tensor.data
        data[0] = .nan
        for position in 1..<min(data.count, 4) { data[position] = position % 2 == 0 ? .infinity : -.infinity }
        checkpoint.tensors[index].tensor = Tensor(shape: checkpoint.tensors[index].tensor.shape, data: data)
        let infinite = min(data.count, 4) - 1
        let counts = "1 NaN (not-a-number) value" + (infinite > 0 ? " and \(infinite) infinite value\(infinite == 1 ? "" : "s")" : "")
        let expected = "x.safetensors: \(tensorName) holds \(counts). A checkpoint's values must all be finite numbers (a "
            + "training run that diverged writes such values: resume from an earlier checkpoint, or train again with a "
            + "lower learning rate)"
        #expect(error(try checkpoint.encoded()) == expected)
        // Built in memory rather than read: the network refuses it too.
        #expect(throws: CheckpointError(expected)) { try Network(checkpoint: checkpoint, file: "x.safetensors") }
    }

    @Test("several tensors affected: each is named, with thousands grouped")
    func manyNonFiniteTensors() throws {
        var checkpoint = try LeNet5Tests.legacyCheckpoint(seed: 3)
        for (index, entry) in checkpoint.tensors.enumerated() where entry.name == "conv2.weight" || entry.name == "fc3.bias" {
            checkpoint.tensors[index].tensor = Tensor(shape: entry.tensor.shape,
                                                      data: [Float](repeating: entry.name == "fc3.bias" ? .nan : .infinity,
                                                                    count: entry.tensor.count))
        }
        let message = try #require(error(try checkpoint.encoded()))
        #expect(message.hasPrefix("x.safetensors: conv2.weight holds 2,400 infinite values; fc3.bias holds 10 NaN "
            + "(not-a-number) values. "), "\(message)")
    }

    @Test("F16, BF16 and F64 values that are NaN or infinite (or beyond Float's range) are refused too")
    func nonFiniteInEveryDataType() throws {
        let cases: [(String, [UInt8])] = [
            ("F16", SafetensorsBytes.bytes([0x7C00, 0x3C00] as [UInt16])),
            ("BF16", SafetensorsBytes.bytes([0x7FC0, 0x3F80] as [UInt16])),
            ("F64", SafetensorsBytes.bytes([1e300, 1] as [Double])),
        ]
        for (dtype, bytes) in cases {
            let file = try SafetensorsBytes.file([.init(name: "w", dtype: dtype, shape: [2], data: bytes)])
            #expect(error(file)?.hasPrefix("x.safetensors: w holds 1 ") == true, "\(dtype): \(error(file) ?? "accepted")")
        }
    }

    // MARK: Normalisation

    static let badNormalizations: [(mean: String?, deviation: String?, complaint: String)] = [
        ("nan", "0.3", "normalization_mean \"nan\" in the metadata is NaN (not a number)"),
        ("inf", "0.3", "normalization_mean \"inf\" in the metadata is infinite"),
        ("-inf", "0.3", "normalization_mean \"-inf\" in the metadata is infinite"),
        ("1e30", "0.3", "normalization_mean 1e+30 in the metadata is out of range"),
        ("-0.5", "0.3", "normalization_mean -0.5 in the metadata is out of range"),
        ("abc", "0.3", "normalization_mean \"abc\" in the metadata is not a number"),
        ("", "0.3", "normalization_mean \"\" in the metadata is not a number"),
        ("0.1", "nan", "normalization_std \"nan\" in the metadata is NaN (not a number)"),
        ("0.1", "inf", "normalization_std \"inf\" in the metadata is infinite"),
        ("0.1", "0", "normalization_std 0.0 in the metadata is out of range"),
        ("0.1", "-0.3", "normalization_std -0.3 in the metadata is out of range"),
        ("0.1", "1e-9", "normalization_std 1e-09 in the metadata is out of range"),
        ("0.1", "1e30", "normalization_std 1e+30 in the metadata is out of range"),
        ("0.1", nil, "its metadata has normalization_mean but no normalization_std"),
        (nil, "0.3", "its metadata has normalization_std but no normalization_mean"),
    ]

    @Test("odd normalisation metadata is refused on load, naming the field and what is accepted",
          arguments: badNormalizations.indices)
    func badNormalization(index: Int) throws {
        let (mean, deviation, complaint) = Self.badNormalizations[index]
        var metadata: [String: String] = [:]
        if let mean { metadata["normalization_mean"] = mean }
        if let deviation { metadata["normalization_std"] = deviation }
        let checkpoint = try Checkpoint(bytes: try LeNet5Tests.network(seed: 1).checkpoint(metadata: metadata).encoded(),
                                        name: "m.safetensors")
        do {
            _ = try Network(checkpoint: checkpoint, file: "m.safetensors")
            Issue.record("\(metadata) was accepted")
        } catch {
            #expect(error.message.hasPrefix("m.safetensors: \(complaint)"), "\(error.message)")
            #expect(error.message.contains("0.1307"), "says what is accepted: \(error.message)")
        }
    }

    @Test("sane normalisation is read back; none at all is nil")
    func goodNormalization() throws {
        let checkpoint = try LeNet5Tests.network(seed: 1).checkpoint(metadata: ["normalization_mean": "0.1307",
                                                                                "normalization_std": "0.3081"])
        let normalization = try #require(try checkpoint.normalization(name: "m"))
        #expect(normalization.mean == 0.1307 && normalization.standardDeviation == 0.3081)
        #expect(try LeNet5Tests.network(seed: 1).checkpoint().normalization(name: "m") == nil)
    }

    // MARK: Files

    @Test("only regular files are read: a FIFO is refused without waiting, a link to /dev/zero is not read, a huge file is refused")
    func onlyRegularFilesOfASaneSize() throws {
        let folder = NSTemporaryDirectory() + "checkpoint-hostile-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func message(_ path: String) -> String? {
            do {
                _ = try Checkpoint(path: path)
                return nil
            } catch {
                return error.message
            }
        }
        let fifo = folder + "/pipe.safetensors"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(message(fifo) == "\(fifo): is a FIFO (named pipe), not a regular file; expected a safetensors checkpoint")
        let zero = folder + "/zero.safetensors"
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        #expect(message(zero)?.hasPrefix("\(zero): is a character device") == true, "\(message(zero) ?? "")")
        let big = folder + "/big.safetensors"
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(Checkpoint.maximumFileBytes + 72_000_000)) == 0)   // sparse: no disk used
        #expect(message(big) == "\(big): is 200 MB; the limit for this kind of file is 128 MB (LeNet-5's checkpoint is "
            + "about 250 KB); expected a safetensors checkpoint")
        #expect(message(folder + "/missing.safetensors") == "\(folder)/missing.safetensors: no such file; expected a safetensors checkpoint")
    }
}
