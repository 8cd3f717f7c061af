@testable import ConvKernels
import Testing

/// The depthwise path (groups = channels, one plane at a time in phase planes) and the pointwise
/// path (1x1, no padding: a matrix product per image) against the plain reference loops.
@Suite("depthwise and pointwise fast paths equal the reference")
struct DepthwisePointwiseFastPathTests {
    static let depthwiseCases: [(input: [Int], kernel: Pair, options: Conv2dOptions)] = [
        ([1, 3, 7, 9], 3, Conv2dOptions(padding: 1, groups: 3)),                                  // batch 1
        ([2, 5, 11, 13], 3, Conv2dOptions(stride: 2, padding: 1, groups: 5)),                     // odd sizes, stride 2
        ([3, 6, 10, 9], Pair(3, 2), Conv2dOptions(stride: Pair(2, 3), padding: Pair(1, 2), dilation: Pair(2, 1), groups: 6)),
        ([17, 7, 14, 14], 3, Conv2dOptions(padding: 1, groups: 7)),                               // 7 channels, batch 17
        ([20, 9, 15, 15], 5, Conv2dOptions(stride: 2, padding: 2, dilation: 2, groups: 9)),
        ([4, 3, 6, 6], 1, Conv2dOptions(groups: 3)),                                              // 1x1 depthwise
        ([2, 4, 5, 5], 6, Conv2dOptions(padding: 1, groups: 4)),                                  // kernel past the image
        ([5, 2, 9, 4], 3, Conv2dOptions(stride: 3, padding: 0, groups: 2)),                       // no padding, stride 3
        ([64, 16, 14, 14], 3, Conv2dOptions(padding: 1, groups: 16)),                             // big enough for 2 threads
        ([64, 12, 15, 15], 3, Conv2dOptions(stride: 2, padding: 1, groups: 12)),
    ]

    static let pointwiseCases: [(input: [Int], outputs: Int, options: Conv2dOptions)] = [
        ([16, 3, 5, 7], 5, Conv2dOptions()),
        ([17, 6, 9, 11], 10, Conv2dOptions(stride: 2)),                                           // strided shortcut
        ([20, 5, 7, 8], 3, Conv2dOptions(stride: Pair(2, 3), dilation: 2)),
        ([33, 13, 14, 14], 19, Conv2dOptions()),                                                  // counts not multiples of 8
        ([16, 1, 4, 4], 2, Conv2dOptions()),
        ([18, 4, 1, 5], 7, Conv2dOptions(stride: 2)),                                             // one row: strided in width only
        ([64, 16, 28, 28], 32, Conv2dOptions(stride: 2)),                                         // ResNet's shortcut
    ]

    /// Runs one case through the fast and the reference paths and compares every result.
    private func compare(input inputShape: [Int], weight weightShape: [Int], options: Conv2dOptions, threads: Int,
                         seed: UInt64, forwardBitExact: Bool) throws {
        var random = SeededRandom(seed: seed)
        let input = random.uniformTensor(shape: inputShape)
        let weight = random.uniformTensor(shape: weightShape)
        let bias = random.uniformTensor(shape: [weightShape[0]])
        let g = try Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, options: options)
        let dOutput = random.uniformTensor(shape: g.outputShape)

        for withBias in [true, false] {
            let fast = Conv2d.fastForward(g, input: input, weight: weight, bias: withBias ? bias : nil, threads: threads)
            let reference = Conv2d.referenceForward(g, input: input, weight: weight, bias: withBias ? bias : nil)
            expectClose(fast, reference, tolerance: 1e-5, "forward")
            if forwardBitExact { #expect(fast == reference, "forward: not the reference's bits") }
        }
        expectBackwardMatchesReference(g, input: input, weight: weight, dOutput: dOutput, threads: threads)
    }

    @Test("depthwise forward (bit for bit) and backward, on 1 and 2 threads", arguments: 0..<depthwiseCases.count, [1, 2])
    func depthwise(caseIndex: Int, threads: Int) throws {
        let (inputShape, kernel, options) = Self.depthwiseCases[caseIndex]
        let weightShape = [inputShape[1], 1, kernel.height, kernel.width]
        let g = try Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, options: options)
        #expect(Conv2d.depthwisePathApplies(g))
        try compare(input: inputShape, weight: weightShape, options: options, threads: threads,
                    seed: UInt64(300 + caseIndex * 10 + threads), forwardBitExact: true)
    }

    @Test("pointwise forward and backward, on 1 and 2 threads", arguments: 0..<pointwiseCases.count, [1, 2])
    func pointwise(caseIndex: Int, threads: Int) throws {
        let (inputShape, outputs, options) = Self.pointwiseCases[caseIndex]
        let weightShape = [outputs, inputShape[1], 1, 1]
        let g = try Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, options: options)
        #expect(Conv2d.pointwisePathApplies(g))
        try compare(input: inputShape, weight: weightShape, options: options, threads: threads,
                    seed: UInt64(500 + caseIndex * 10 + threads), forwardBitExact: false)
    }

    @Test("pointwise stays off where it does not apply: padding, groups, small batches, bigger kernels")
    func pointwiseScope() throws {
        func applies(_ input: [Int], _ weight: [Int], _ options: Conv2dOptions) throws -> Bool {
            Conv2d.pointwisePathApplies(try Conv2dGeometry(inputShape: input, weightShape: weight, options: options))
        }
        #expect(try !applies([16, 4, 5, 5], [4, 4, 1, 1], Conv2dOptions(padding: 1)))
        #expect(try !applies([16, 4, 5, 5], [4, 2, 1, 1], Conv2dOptions(groups: 2)))
        #expect(try !applies([15, 4, 5, 5], [4, 4, 1, 1], Conv2dOptions()))
        #expect(try !applies([16, 4, 5, 5], [4, 4, 3, 3], Conv2dOptions()))
        #expect(try !Conv2d.depthwisePathApplies(Conv2dGeometry(inputShape: [2, 4, 5, 5], weightShape: [8, 1, 3, 3],
                                                                 options: Conv2dOptions(groups: 4))))
    }

    @Test("a stride longer than the padded plane leaves depthwise convolutions to the other paths, and they still match",
          arguments: [1, 20])
    func depthwiseHugeStride(batch: Int) throws {
        // One channel, one output: the depthwise condition holds, but 10^9 x 10^9 phase planes would not fit.
        for stride in [Pair(1_000_000_000, 1), Pair(1, Int.max), Pair(6, 6)] {
            let options = Conv2dOptions(stride: stride, padding: 1)
            let g = try Conv2dGeometry(inputShape: [batch, 1, 3, 3], weightShape: [1, 1, 2, 2], options: options)
            #expect(!Conv2d.depthwisePathApplies(g))
            var random = SeededRandom(seed: 903)
            let input = random.uniformTensor(shape: g.inputShape), weight = random.uniformTensor(shape: g.weightShape)
            expectClose(Conv2d.fastForward(g, input: input, weight: weight, bias: nil, threads: 2),
                        Conv2d.referenceForward(g, input: input, weight: weight, bias: nil), tolerance: 1e-5, "forward")
        }
        // A stride that fits takes the depthwise path.
        let fits = try Conv2dGeometry(inputShape: [batch, 1, 3, 3], weightShape: [1, 1, 2, 2],
                                      options: Conv2dOptions(stride: 5, padding: 1))
        #expect(Conv2d.depthwisePathApplies(fits))
    }

    @Test("depthwise with an infinite input: the fast path spoils exactly the values the reference spoils",
          arguments: [1, 2], [1, 20])
    func depthwiseInfiniteInput(stride: Int, batch: Int) throws {
        // The infinity sits in the last column, which the dropped wide positions read for some taps.
        let options = Conv2dOptions(stride: Pair(integerLiteral: stride), padding: 1, groups: 3)
        let g = try Conv2dGeometry(inputShape: [batch, 3, 9, 9], weightShape: [3, 1, 3, 3], options: options)
        var random = SeededRandom(seed: 902)
        var input = random.uniformTensor(shape: g.inputShape)
        input[0, 1, 4, 8] = .infinity
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
        expectSameSpoilage(Conv2d.fastForward(g, input: input, weight: weight, bias: nil, threads: 2),
                           Conv2d.referenceForward(g, input: input, weight: weight, bias: nil), "forward")
        let fast = Conv2d.fastBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: false,
                                       needInputGradient: true, threads: 2)
        let reference = Conv2d.referenceBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: false)
        expectSameSpoilage(fast.dWeight, reference.dWeight, "dWeight")
        expectClose(fast.dInput, reference.dInput, tolerance: 1e-5, magnitudeFloor: 1, "dInput")
    }
}
