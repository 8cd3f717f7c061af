import ConvKernels
import Datasets
import Foundation
import Testing
@testable import Networks

/// F16, BF16 and F64 tensors, as PyTorch writes them after `.half()`, `.bfloat16()` or `.double()`,
/// are read as Float: checked on hand-built files whose values are known bit for bit.
@Suite("checkpoints: F16, BF16 and F64 tensors")
struct CheckpointDataTypeTests {
    private static let shippedModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/Networks/Resources/lenet5-mnist.safetensors").path

    /// `bytes` as `count` values of `dtype`, converted as the reader converts them; when they are all
    /// finite, also read back from a file holding them as its one tensor "x" (the reader refuses NaN
    /// and infinities, see `CheckpointHostileTests`).
    private func read(_ dtype: String, _ bytes: [UInt8], count: Int) throws -> [Float] {
        let type = try #require(Checkpoint.DataType(rawValue: dtype))
        let values = Checkpoint.floats(bytes, at: 0, count: count, as: type)
        if values.allSatisfy(\.isFinite) {
            let file = try SafetensorsBytes.file([.init(name: "x", dtype: dtype, shape: [count], data: bytes)])
            let checkpoint = try Checkpoint(bytes: file, name: "x.safetensors")
            let tensor = try #require(checkpoint.tensor(named: "x"))
            #expect(tensor.shape == [count])
            #expect(tensor.data.map(\.bitPattern) == values.map(\.bitPattern))
        }
        return values
    }

    private func readError(_ file: [UInt8]) -> String {
        do {
            _ = try Checkpoint(bytes: file, name: "x.safetensors")
            return ""
        } catch {
            return error.message
        }
    }

    @Test("F16: normals, the largest, the subnormals, signed zeros, infinities and NaN")
    func half() throws {
        let cases: [(bits: UInt16, value: Float)] = [
            (0x3C00, 1), (0xC000, -2), (0x3555, 0.333251953125), (0x7BFF, 65504),
            (0x0400, 6.103515625e-05),            // 2^-14, the smallest normal
            (0x03FF, 6.097555160522461e-05),      // 1023 * 2^-24, the largest subnormal
            (0x0001, 5.960464477539063e-08),      // 2^-24, the smallest subnormal
            (0x8001, -5.960464477539063e-08),
            (0x0000, 0), (0x8000, -0.0),
            (0x7C00, .infinity), (0xFC00, -.infinity),
        ]
        let values = try read("F16", SafetensorsBytes.bytes(cases.map(\.bits)), count: cases.count)
        for (index, (bits, expected)) in cases.enumerated() {
            #expect(values[index].bitPattern == expected.bitPattern,
                    "F16 0x\(String(bits, radix: 16)) read as \(values[index]), not \(expected)")
        }
        let nans = try read("F16", SafetensorsBytes.bytes([0x7E00, 0x7C01, 0xFE00] as [UInt16]), count: 3)
        #expect(nans.allSatisfy { $0.isNaN })
        #expect(nans[2].sign == .minus)
    }

    #if !(os(macOS) && arch(x86_64))  // Swift has no Float16 on Intel Macs
    @Test("F16: every one of the 65,536 patterns is read as Swift's Float16 converts it")
    func everyHalf() throws {
        let patterns = (0...UInt16.max).map { $0 }
        let values = try read("F16", SafetensorsBytes.bytes(patterns), count: patterns.count)
        var wrong: [UInt16] = []
        for (bits, value) in zip(patterns, values) {
            let expected = Float(Float16(bitPattern: bits))
            let same = expected.isNaN ? value.isNaN && value.sign == expected.sign : value.bitPattern == expected.bitPattern
            if !same { wrong.append(bits) }
        }
        #expect(wrong.isEmpty, "patterns read differently: \(wrong.prefix(10).map { String($0, radix: 16) })")
    }
    #endif

    @Test("BF16: the top half of a Float32, subnormals, negatives, infinities and NaN included")
    func bfloat16() throws {
        let cases: [(bits: UInt16, value: Float)] = [
            (0x3F80, 1), (0xC040, -3), (0x4049, 3.140625), (0x7F7F, 3.3895313892515355e38),
            (0x0080, Float.leastNormalMagnitude),
            (0x0001, Float(sign: .plus, exponent: -133, significand: 1)),  // a subnormal: 0x00010000
            (0x8001, Float(sign: .minus, exponent: -133, significand: 1)),
            (0x8000, -0.0), (0x7F80, .infinity), (0xFF80, -.infinity),
        ]
        let values = try read("BF16", SafetensorsBytes.bytes(cases.map(\.bits)), count: cases.count)
        for (index, (bits, expected)) in cases.enumerated() {
            #expect(values[index].bitPattern == expected.bitPattern,
                    "BF16 0x\(String(bits, radix: 16)) read as \(values[index]), not \(expected)")
        }
        #expect(try read("BF16", SafetensorsBytes.bytes([0x7FC0] as [UInt16]), count: 1)[0].isNaN)
    }

    @Test("F64: rounded to the nearest Float; beyond Float's range, infinity; below it, zero")
    func double() throws {
        let cases: [(Double, Float)] = [
            (1, 1), (-2.5, -2.5), (0.1, 0.1), (1e300, .infinity), (-1e300, -.infinity), (1e-50, 0),
            (Double(Float.greatestFiniteMagnitude), .greatestFiniteMagnitude),
            (Double(Float.leastNonzeroMagnitude), .leastNonzeroMagnitude),
        ]
        let values = try read("F64", SafetensorsBytes.bytes(cases.map(\.0)), count: cases.count)
        for (index, (double, expected)) in cases.enumerated() {
            #expect(values[index].bitPattern == expected.bitPattern, "F64 \(double) read as \(values[index]), not \(expected)")
        }
        #expect(try read("F64", SafetensorsBytes.bytes([Double.nan]), count: 1)[0].isNaN)
    }

    @Test("tensors of several dtypes in one file, as PyTorch may mix them, come back in file order")
    func mixed() throws {
        let file = try SafetensorsBytes.file([
            .init(name: "a", dtype: "F16", shape: [2], data: SafetensorsBytes.bytes([0x3C00, 0xC000] as [UInt16])),
            .init(name: "b", dtype: "F64", shape: [1, 1], data: SafetensorsBytes.bytes([0.5])),
            .init(name: "c", dtype: "BF16", shape: [1], data: SafetensorsBytes.bytes([0x4049] as [UInt16])),
            .init(name: "d", dtype: "F32", shape: [1], data: [0x00, 0x00, 0x80, 0x3F]),
        ])
        let checkpoint = try Checkpoint(bytes: file, name: "mixed.safetensors")
        #expect(checkpoint.tensors.map(\.name) == ["a", "b", "c", "d"])
        #expect(checkpoint.tensors.map(\.tensor.data) == [[1, -2], [0.5], [3.140625], [1]])
    }

    @Test("each tensor's byte length is checked against its shape and dtype, overflow included")
    func lengths() throws {
        // Three F16 values take 6 bytes, not 4 (nor 12, as F32 would).
        let short = try SafetensorsBytes.file([.init(name: "x", dtype: "F16", shape: [3], data: [0, 0, 0, 0])])
        #expect(readError(short) == "x.safetensors: tensor x of shape [3] and dtype F16 needs 6 bytes but its data_offsets "
            + "are [0, 4] in 4 bytes of data; the file is truncated or corrupt")
        let asF32 = try SafetensorsBytes.file([.init(name: "x", dtype: "F64", shape: [2], data: [UInt8](repeating: 0, count: 8))])
        #expect(readError(asF32).contains("dtype F64 needs 16 bytes"))
        // A shape whose element count overflows, and one whose byte count does.
        let huge = try SafetensorsBytes.file([.init(name: "x", dtype: "F16", shape: [Int.max, 2], data: [0, 0], offsets: [0, 2])])
        #expect(readError(huge).contains("too many elements"))
        let wide = try SafetensorsBytes.file([.init(name: "x", dtype: "F64", shape: [Int.max / 4], data: [0, 0], offsets: [0, 2])])
        #expect(readError(wide).contains("needs more bytes"))
        // A dtype that is not read names the ones that are.
        let integers = try SafetensorsBytes.file([.init(name: "bn1.num_batches_tracked", dtype: "I64", shape: [], data: [UInt8](repeating: 0, count: 8))])
        #expect(readError(integers) == "x.safetensors: tensor bn1.num_batches_tracked is I64; the dtypes read are F32, F16, BF16, F64 "
            + "(converted to 32-bit float)")
    }

    #if !(os(macOS) && arch(x86_64))
    @Test("the pretrained LeNet-5 converted to F16 loads and predicts as the F32 one does")
    func lenetInHalfPrecision() throws {
        let original = try Checkpoint(path: Self.shippedModel)
        let halves = original.tensors.map { entry in
            SafetensorsBytes.Entry(name: entry.name, dtype: "F16", shape: entry.tensor.shape,
                                   data: SafetensorsBytes.bytes(entry.tensor.data.map { Float16($0).bitPattern }))
        }
        let file = try SafetensorsBytes.file(halves, metadata: original.metadata)
        #expect(file.count < 130_000, "half the bytes of the weights: \(file.count)")
        let converted = try Checkpoint(bytes: file, name: "lenet5-f16.safetensors")
        let full = try Network(checkpoint: original, file: "lenet5-mnist.safetensors")
        let half = try Network(checkpoint: converted, file: "lenet5-f16.safetensors")
        // Every weight is the F32 one rounded to 11 significant bits.
        for (a, b) in zip(full.parameters, half.parameters) {
            for (x, y) in zip(a.data, b.data) { #expect(abs(x - y) <= abs(x) * 0x1p-11 + 0x1p-25) }
        }

        let mean = try #require(original.metadata["normalization_mean"].flatMap(Float.init))
        let deviation = try #require(original.metadata["normalization_std"].flatMap(Float.init))
        let digits = SyntheticDigits.make(trainCount: 0, testCount: 200, seed: 5, threads: 1).test
        var unused = SeededRandom(seed: 0)
        let (images, _) = BatchMaker(images: digits, mean: mean, standardDeviation: deviation)
            .batch(Array(0..<digits.count)[...], random: &unused)
        let expected = try full.logits(images, threads: 1), logits = try half.logits(images, threads: 1)
        let scale = expected.maxMagnitude
        let worst = zip(expected.data, logits.data).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 0.01 * scale, "largest logit difference \(worst) (largest logit \(scale))")
        print("LeNet-5 in F16: largest logit difference \(worst) (largest logit \(scale))")
        func predictions(_ logits: Tensor) -> [Int] {
            (0..<digits.count).map { row in
                let values = logits.data[(row * 10)..<(row * 10 + 10)]
                return values.indices.max { values[$0] < values[$1] }.map { $0 - row * 10 } ?? -1
            }
        }
        #expect(predictions(logits) == predictions(expected))
    }
    #endif
}
