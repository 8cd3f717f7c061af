@testable import ConvKernels
import Testing

/// The fast paths (im2col + blocked matrix products over threads) against the plain reference loops.
@Suite("fast path equals reference")
struct FastPathTests {
    static let convCases: [(input: [Int], weight: [Int], options: Conv2dOptions)] = [
        ([4, 1, 28, 28], [6, 1, 5, 5], Conv2dOptions(padding: 2)),            // LeNet conv1
        ([3, 6, 14, 14], [16, 6, 5, 5], Conv2dOptions()),                     // LeNet conv2
        ([1, 1, 28, 28], [6, 1, 5, 5], Conv2dOptions(padding: 2)),            // batch 1: threads split positions
        ([1, 6, 14, 14], [16, 6, 5, 5], Conv2dOptions()),
        ([2, 3, 9, 11], [5, 3, 3, 2], Conv2dOptions(stride: Pair(2, 3), padding: Pair(1, 2))),
        ([3, 4, 10, 9], [6, 2, 3, 3], Conv2dOptions(stride: 1, padding: 2, dilation: Pair(2, 3), groups: 2)),
        ([2, 5, 8, 8], [5, 1, 3, 3], Conv2dOptions(padding: 1, groups: 5)),   // depthwise
        ([1, 2, 40, 37], [3, 2, 4, 4], Conv2dOptions(stride: 3, padding: 3, dilation: 2)),
        ([5, 2, 3, 3], [7, 2, 1, 1], Conv2dOptions()),                        // 1x1, tiny planes
        ([2, 1, 6, 6], [1, 1, 6, 6], Conv2dOptions(padding: 1)),              // kernel covers the image
        // Nine or more outputs per group: the weight gradient by broadcasting, spare lanes and all.
        ([2, 4, 9, 9], [20, 2, 3, 3], Conv2dOptions(padding: 1, groups: 2)),
        ([1, 3, 7, 7], [40, 3, 3, 3], Conv2dOptions(dilation: 2)),
        // Batches of 16 or more take the batched (batch-innermost, no im2col) path.
        ([16, 1, 28, 28], [6, 1, 5, 5], Conv2dOptions(padding: 2)),           // LeNet conv1
        ([21, 6, 14, 14], [16, 6, 5, 5], Conv2dOptions()),                    // LeNet conv2, spare lanes
        ([33, 3, 9, 11], [5, 3, 3, 2], Conv2dOptions(stride: Pair(2, 3), padding: Pair(1, 2))),
        ([16, 4, 10, 9], [6, 2, 3, 3], Conv2dOptions(stride: 1, padding: 2, dilation: Pair(2, 3), groups: 2)),
        ([17, 6, 8, 8], [6, 1, 3, 3], Conv2dOptions(padding: 1, groups: 6)),  // depthwise
        ([48, 4, 7, 7], [10, 2, 3, 3], Conv2dOptions(padding: 1, groups: 2)), // 5 outputs per group: blocks straddle groups
        ([16, 2, 5, 5], [3, 2, 1, 1], Conv2dOptions()),                       // 1x1
        // A whole 64-lane batch with one or two outputs or inputs per group.
        ([64, 1, 12, 12], [2, 1, 3, 3], Conv2dOptions(padding: 1)),
        ([50, 2, 9, 9], [1, 2, 3, 3], Conv2dOptions(dilation: 2)),
    ]

    @Test("conv2d forward and backward, on 1 and 2 threads", arguments: 0..<convCases.count, [1, 2])
    func conv(caseIndex: Int, threads: Int) throws {
        let (inputShape, weightShape, options) = Self.convCases[caseIndex]
        var random = SeededRandom(seed: UInt64(caseIndex * 10 + threads))
        let input = random.uniformTensor(shape: inputShape)
        let weight = random.uniformTensor(shape: weightShape)
        let bias = random.uniformTensor(shape: [weightShape[0]])
        let g = try Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, options: options)
        let dOutput = random.uniformTensor(shape: g.outputShape)

        let fast = Conv2d.fastForward(g, input: input, weight: weight, bias: bias, threads: threads)
        let reference = Conv2d.referenceForward(g, input: input, weight: weight, bias: bias)
        expectClose(fast, reference, tolerance: 1e-5, "forward")

        expectBackwardMatchesReference(g, input: input, weight: weight, dOutput: dOutput, threads: threads)
    }

    @Test("conv2d with an infinite input: the fast paths spoil exactly the values the reference spoils",
          arguments: [1, 20], [3, 12])
    func infiniteInput(batch: Int, outputs: Int) throws {
        // Batch 1 takes the direct (wide-row) path, batch 20 the batched one; 3 outputs take the
        // direct weight gradient by masked dot products, 12 by broadcasting. The infinity sits in
        // the last column, where the direct path's dropped positions read for most kernel taps.
        let options = Conv2dOptions(padding: 1)
        let threads = outputs == 3 ? 1 : 2
        let g = try Conv2dGeometry(inputShape: [batch, 2, 8, 8], weightShape: [outputs, 2, 3, 3], options: options)
        var random = SeededRandom(seed: 901)
        var input = random.uniformTensor(shape: g.inputShape)
        input[0, 1, 3, 7] = .infinity
        let weight = random.uniformTensor(shape: g.weightShape)
        let dOutput = random.uniformTensor(shape: g.outputShape)
        func expectSameSpoilage(_ fast: Tensor, _ reference: Tensor, _ what: String) {
            #expect(zip(fast.data, reference.data).allSatisfy { $0.isFinite == $1.isFinite }, "\(what): spoiled values differ")
            let finite = reference.data.indices.filter { reference.data[$0].isFinite && fast.data[$0].isFinite }
            #expect(finite.count < reference.count, "\(what): the infinity spoiled nothing")
            expectClose(Tensor(shape: [finite.count], data: finite.map { fast.data[$0] }),
                        Tensor(shape: [finite.count], data: finite.map { reference.data[$0] }),
                        tolerance: 1e-5, magnitudeFloor: 1, what)
        }
        expectSameSpoilage(Conv2d.fastForward(g, input: input, weight: weight, bias: nil, threads: threads),
                           Conv2d.referenceForward(g, input: input, weight: weight, bias: nil), "forward")
        let fast = Conv2d.fastBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: false,
                                       needInputGradient: true, threads: threads)
        let reference = Conv2d.referenceBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: false)
        expectSameSpoilage(fast.dWeight, reference.dWeight, "dWeight")
        expectClose(fast.dInput, reference.dInput, tolerance: 1e-5, magnitudeFloor: 1, "dInput")
    }

    static let linearCases: [(batch: Int, inputs: Int, outputs: Int)] = [
        (64, 400, 120), (64, 120, 84), (64, 84, 10), (1, 400, 120), (3, 7, 5), (17, 33, 19), (256, 84, 10),
    ]

    @Test("linear forward and backward, on 1 and 2 threads", arguments: 0..<linearCases.count, [1, 2])
    func linear(caseIndex: Int, threads: Int) throws {
        let (batch, inputs, outputs) = Self.linearCases[caseIndex]
        var random = SeededRandom(seed: UInt64(500 + caseIndex * 10 + threads))
        let input = random.uniformTensor(shape: [batch, inputs])
        let weight = random.uniformTensor(shape: [outputs, inputs])
        let bias = random.uniformTensor(shape: [outputs])
        let dOutput = random.uniformTensor(shape: [batch, outputs])

        let fast = try Linear.forward(input: input, weight: weight, bias: bias, threads: threads)
        expectClose(fast, Linear.referenceForward(input: input, weight: weight, bias: bias), tolerance: 1e-5, "forward")
        let fastGradients = try Linear.backward(input: input, weight: weight, dOutput: dOutput, threads: threads)
        let reference = Linear.referenceBackward(input: input, weight: weight, dOutput: dOutput, hasBias: true)
        expectClose(fastGradients.dInput, reference.dInput, tolerance: 1e-5, "dInput")
        expectClose(fastGradients.dWeight, reference.dWeight, tolerance: 1e-5, "dWeight")
        expectClose(fastGradients.dBias!, reference.dBias!, tolerance: 1e-5, "dBias")
    }

    static let poolCases: [(input: [Int], kernel: Pair, stride: Pair?)] = [
        ([64, 6, 28, 28], 2, nil),                 // LeNet pool1
        ([3, 16, 10, 10], 2, nil),                 // LeNet pool2
        ([2, 3, 9, 7], Pair(3, 2), Pair(2, 1)),    // overlapping, non-square
        ([1, 2, 5, 5], 5, nil),                    // one window per plane
        ([4, 1, 6, 6], 1, 2),
        ([2, 3, 8, 9], 2, nil),                    // odd width: the last column is in no window
        ([1, 2, 12, 12], 2, nil),                  // six windows a row: two overlapping vectors of four
        ([2, 2, 6, 6], 2, nil),                    // three windows a row: one at a time
    ]

    @Test("unpadded pooling: the fast path equals the observed reference, value for value",
          arguments: 0..<poolCases.count, PoolKind.allCases)
    func pooling(caseIndex: Int, kind: PoolKind) throws {
        let (shape, kernel, stride) = Self.poolCases[caseIndex]
        var random = SeededRandom(seed: UInt64(700 + caseIndex))
        var input = random.uniformTensor(shape: shape)
        // Ties and a NaN, where PyTorch's rule (first maximum, a NaN takes over) matters.
        input.data[0] = input.data[1]
        input.data[5] = .nan
        let width = shape[3]
        if shape[2] >= 4 && width >= 8 {
            // A NaN in a bottom row, a tie down a column, and two NaNs in one window.
            input.data[width + 3] = .nan
            input.data[2 * width + 4] = input.data[3 * width + 4]
            input.data[2 * width + 6] = .nan
            input.data[3 * width + 7] = .nan
        }
        let options = Pool2dOptions(kernel: kernel, stride: stride)
        for threads in [1, 2] {
            let fast = try Pool2d.forward(input: input, kind: kind, options: options, threads: threads)
            let reference = try Pool2d.forward(input: input, kind: kind, options: options) { _ in }
            #expect(fast.shape == reference.shape)
            #expect(zip(fast.data, reference.data).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
            let dOutput = random.uniformTensor(shape: reference.shape)
            let fastGradient = try Pool2d.backward(input: input, dOutput: dOutput, kind: kind, options: options, threads: threads)
            let referenceGradient = try Pool2d.backward(input: input, dOutput: dOutput, kind: kind, options: options) { _ in }
            #expect(fastGradient == referenceGradient)
        }
    }
}
