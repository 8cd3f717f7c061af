import Foundation
import ConvKernels
import Imaging
import Testing
@testable import Lessons

/// The 5x5 input and 3x3 kernel of the classic convolution-arithmetic example (Dumoulin & Visin,
/// as drawn in CS231n-style notes).
let classicInput = GridStack([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
let classicKernel = GridStack([[0, 1, 2], [2, 2, 0], [0, 1, 2]])

/// Bits of every value, so "equal" means bit for bit.
private func bits(_ stack: GridStack) -> [UInt32] { stack.channels.flatMap { $0.flatMap { $0.map(\.bitPattern) } } }
private func bits(_ tensor: Tensor) -> [UInt32] { tensor.data.map(\.bitPattern) }

/// The error a throwing builder threw, or nil.
private func lessonError(_ body: () throws -> Void) -> LessonError? {
    do {
        try body()
        return nil
    } catch let error as LessonError {
        return error
    } catch {
        Issue.record("not a LessonError: \(error)")
        return nil
    }
}

/// Replays every recorded window (terms summed in order from 0, then the bias) into an output
/// grid, and checks each window's own value against its replay.
private func replay(_ trace: ConvTrace) -> GridStack {
    var channels = trace.sums.channels.map { $0.map { $0.map { _ in Float.nan } } }
    for window in trace.windows {
        var sum: Float = 0
        for term in window.terms { sum += term.input * term.weight }
        let value = sum + window.bias
        #expect(value.bitPattern == window.value.bitPattern)
        channels[window.outputChannel][window.outputRow][window.outputColumn] = value
    }
    return GridStack(channels: channels)
}

/// Checks the trace against the kernels: the replayed windows equal `sums` bit for bit, every output
/// cell has exactly one window, and `Conv2d.forward` without an observer (the fast path) on the
/// padded input gives the same sums (bit for bit when `exact`).
private func checkAgainstKernel(_ trace: ConvTrace, exact: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let sums = trace.sums
    #expect(trace.windows.count == sums.channelCount * sums.height * sums.width, sourceLocation: sourceLocation)
    #expect(bits(replay(trace)) == bits(sums), sourceLocation: sourceLocation)
    let kernels = trace.windows.isEmpty ? [] : trace.spec.kernels
    let perFilter = trace.spec.depthwise ? 1 : trace.spec.input.channelCount
    let weight = Tensor(shape: [kernels.count, perFilter, kernels[0].height, kernels[0].width],
                        data: kernels.flatMap { kernel in
                            (kernel.channelCount == perFilter ? kernel.channels
                                : Array(repeating: kernel.channels[0], count: perFilter)).flatMap { $0.flatMap { $0 } }
                        })
    let fast = try Conv2d.forward(
        input: trace.paddedInput.tensor, weight: weight, bias: Tensor(shape: [trace.spec.bias.count], data: trace.spec.bias),
        options: Conv2dOptions(stride: trace.spec.stride, padding: 0, dilation: trace.spec.dilation,
                               groups: trace.spec.depthwise ? trace.spec.input.channelCount : 1))
    if exact {
        #expect(bits(fast) == bits(sums), sourceLocation: sourceLocation)
    } else {
        let difference = zip(fast.data, bits(sums).map(Float.init(bitPattern:))).map { abs($0 - $1) }.max() ?? 0
        #expect(difference <= 1e-5, sourceLocation: sourceLocation)
    }
    // Zero padding through Pad2d then padding 0 is the kernel's own zero padding.
    if trace.spec.paddingMode == .zero, trace.sides.top == trace.sides.bottom, trace.sides.left == trace.sides.right {
        let direct = try Conv2d.forward(
            input: trace.spec.input.tensor, weight: weight,
            bias: Tensor(shape: [trace.spec.bias.count], data: trace.spec.bias),
            options: Conv2dOptions(stride: trace.spec.stride, padding: Pair(trace.sides.top, trace.sides.left),
                                   dilation: trace.spec.dilation,
                                   groups: trace.spec.depthwise ? trace.spec.input.channelCount : 1))
        if exact { #expect(bits(direct) == bits(sums), sourceLocation: sourceLocation) }
    }
}

@Suite struct ConvTraceTests {
    @Test func classicExample() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel]))
        #expect(trace.sums.channels == [[[12, 12, 17], [10, 17, 19], [9, 6, 14]]])
        #expect(trace.output == trace.sums)
        #expect(trace.paddedInput == classicInput)
        #expect(trace.sides == Pad2d.Sides(0))
        #expect(trace.sizeFormula == ["height: floor((5 + 0 + 0 - 3) / 1) + 1 = 3",
                                      "width: floor((5 + 0 + 0 - 3) / 1) + 1 = 3"])
        // The first window: rows 0-2, columns 0-2, in row-major order.
        let first = try #require(trace.windows.first)
        #expect(first.inputRows == [0, 1, 2] && first.inputColumns == [0, 1, 2])
        #expect(first.terms.map(\.input) == [3, 3, 2, 0, 0, 1, 3, 1, 2])
        #expect(first.terms.map(\.weight) == [0, 1, 2, 2, 2, 0, 0, 1, 2])
        try checkAgainstKernel(trace)
    }

    @Test func strideTwoPaddingOne() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel], stride: 2,
                                                 padding: .explicit(rows: 1, columns: 1)))
        #expect(trace.sums.channels == [[[6, 17, 3], [8, 17, 13], [6, 4, 4]]])
        #expect(trace.sides == Pad2d.Sides(1))
        #expect(trace.paddedInput.height == 7 && trace.paddedInput.width == 7)
        #expect(trace.isPadding(row: 0, column: 3) && trace.isPadding(row: 3, column: 6) && !trace.isPadding(row: 1, column: 1))
        #expect(trace.sizeFormula[0] == "height: floor((5 + 1 + 1 - 3) / 2) + 1 = 3")
        #expect(trace.windows[1].inputColumns == [2, 3, 4])
        try checkAgainstKernel(trace)
    }

    @Test func paddingOneStrideOne() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel],
                                                 padding: .explicit(rows: 1, columns: 1)))
        #expect(trace.sums.channels == [[[6, 14, 17, 11, 3], [14, 12, 12, 17, 11], [8, 10, 17, 19, 13],
                                         [11, 9, 6, 14, 12], [6, 4, 4, 6, 4]]])
        try checkAgainstKernel(trace)
        // "same" gives the same padding for an odd kernel, under both conventions.
        let same = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel], padding: .same))
        #expect(same.sums == trace.sums)
        #expect(same.sizeFormula[0] == "height: same padding (3 - 1) / 2 = 1 each side; floor((5 + 1 + 1 - 3) / 1) + 1 = 5")
        let tensorflow = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel], padding: .same,
                                                      rule: .tensorflow))
        #expect(tensorflow.sums == trace.sums)
    }

    @Test func dilationTwo() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel], dilation: 2))
        #expect(trace.sums.channels == [[[14]]])
        let window = try #require(trace.windows.first)
        #expect(window.inputRows == [0, 2, 4] && window.inputColumns == [0, 2, 4])
        #expect(trace.sizeFormula[0] == "height: floor((5 + 0 + 0 - 5) / 1) + 1 = 1 (dilated span 2x(3 - 1) + 1 = 5)")
        try checkAgainstKernel(trace)
    }

    @Test func everyPaddingModeOnAThreeByThree() throws {
        let input = GridStack([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let identity = KernelPreset.identity.stack()
        let expected: [Pad2d.Mode: [[Float]]] = [
            .zero: [[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 4, 5, 6, 0], [0, 7, 8, 9, 0], [0, 0, 0, 0, 0]],
            .reflect: [[5, 4, 5, 6, 5], [2, 1, 2, 3, 2], [5, 4, 5, 6, 5], [8, 7, 8, 9, 8], [5, 4, 5, 6, 5]],
            .replicate: [[1, 1, 2, 3, 3], [1, 1, 2, 3, 3], [4, 4, 5, 6, 6], [7, 7, 8, 9, 9], [7, 7, 8, 9, 9]],
            .circular: [[9, 7, 8, 9, 7], [3, 1, 2, 3, 1], [6, 4, 5, 6, 4], [9, 7, 8, 9, 7], [3, 1, 2, 3, 1]],
        ]
        for mode in Pad2d.Mode.allCases {
            let trace = try ConvTrace(spec: ConvSpec(input: input, kernels: [identity], padding: .explicit(rows: 1, columns: 1),
                                                     paddingMode: mode))
            #expect(trace.paddedInput.channels[0] == expected[mode], "\(mode)")
            #expect(trace.sums == input, "identity kernel under \(mode)")
            // A box sum shows the mode's values at the corner.
            let box = GridStack(Array(repeating: [1, 1, 1], count: 3))
            let boxTrace = try ConvTrace(spec: ConvSpec(input: input, kernels: [box], padding: .explicit(rows: 1, columns: 1),
                                                        paddingMode: mode))
            let corner = try #require(expected[mode]).prefix(3).flatMap { $0.prefix(3) }.reduce(0, +)
            #expect(boxTrace.sums.channels[0][0][0] == corner, "\(mode)")
            #expect(boxTrace.windows[0].terms.map(\.input) == (try #require(expected[mode])).prefix(3).flatMap { $0.prefix(3) })
            try checkAgainstKernel(boxTrace)
        }
    }

    @Test func tensorflowSameWithAnEvenKernelIsAsymmetric() throws {
        let kernel = GridStack([[1, 1], [1, 1]])
        let trace = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [kernel], padding: .same, rule: .tensorflow))
        #expect(trace.sides == Pad2d.Sides(top: 0, bottom: 1, left: 0, right: 1))
        #expect(trace.sums.height == 5 && trace.sums.width == 5)
        #expect(trace.sizeFormula == ["height: ceil(5 / 1) = 5; padding max((5 - 1)x1 + 2 - 5, 0) = 1: pad 0 top, 1 bottom",
                                      "width: ceil(5 / 1) = 5; padding max((5 - 1)x1 + 2 - 5, 0) = 1: pad 0 left, 1 right"])
        // The bottom-right cell sees the input's corner and three padding zeros.
        #expect(trace.sums.channels[0][4][4] == 1)
        #expect(trace.sums.channels[0][0][0] == 6)
        try checkAgainstKernel(trace)
        // A 4x4 kernel needs 3 cells: 1 before, 2 after.
        let four = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [GridStack(Array(repeating: [1, 1, 1, 1], count: 4))],
                                                padding: .same, rule: .tensorflow))
        #expect(four.sides == Pad2d.Sides(top: 1, bottom: 2, left: 1, right: 2))
        #expect(four.sizeFormula[0].hasSuffix("= 3: pad 1 top, 2 bottom"))
        try checkAgainstKernel(four)
        // Stride 2: ceil(5 / 2) = 3.
        let strided = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel], stride: 2, padding: .same,
                                                   rule: .tensorflow))
        #expect(strided.sums.channels == [[[6, 17, 3], [8, 17, 13], [6, 4, 4]]])
        #expect(strided.sizeFormula[0] == "height: ceil(5 / 2) = 3; padding max((3 - 1)x2 + 3 - 5, 0) = 2: pad 1 top, 1 bottom")
        // VALID: no padding.
        let valid = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel], stride: 2, padding: .valid,
                                                 rule: .tensorflow))
        #expect(valid.sums.channels == [[[12, 17], [9, 14]]])
        #expect(valid.sizeFormula[0] == "height: ceil((5 - 3 + 1) / 2) = 2")
    }

    @Test func cs231nRule() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel], stride: 2,
                                                 padding: .explicit(rows: 1, columns: 1), rule: .cs231n))
        #expect(trace.sizeFormula[0] == "height: (5 - 3 + 2x1) / 2 + 1 = 3")
        #expect(trace.sums.channels == [[[6, 17, 3], [8, 17, 13], [6, 4, 4]]])
        let six = GridStack(Array(repeating: [1, 2, 3, 4, 5, 6], count: 6))
        let error = try #require(lessonError { _ = try ConvTrace(spec: ConvSpec(input: six, kernels: [classicKernel], stride: 2, rule: .cs231n)) })
        #expect(error.field == "convention")
        #expect(error.message.hasPrefix("(W - F + 2P) / S + 1 = (6 - 3 + 2x0) / 2 + 1 = 3/2 + 1 is not a whole number: "
            + "CS231n calls these hyperparameters invalid (PyTorch would round down to 2)"))
        #expect(error.message.contains("convention = \"pytorch\""))
        // PyTorch rounds down instead.
        let floor = try ConvTrace(spec: ConvSpec(input: six, kernels: [classicKernel], stride: 2))
        #expect(floor.sums.height == 2)
    }

    @Test func multiChannelWithBias() throws {
        let input = GridStack(channels: [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [3, 0, 2], [1, 1, 0]]])
        let filterA = GridStack(channels: [[[1, 0], [0, 1]], [[2, 0], [0, -1]]])
        let filterB = GridStack(channels: [[[0, 1], [1, 0]], [[1, 1], [1, 1]]])
        let trace = try ConvTrace(spec: ConvSpec(input: input, kernels: [filterA, filterB], bias: [1, -2]))
        // Filter A at (0,0): 1*1 + 1*1 (channel 1) + 0*2 + 0*(-1) (channel 2) + 1 = 3.
        // Filter B at (0,0): 2 + 0 (channel 1) + 0 + 1 + 3 + 0 (channel 2) - 2 = 4.
        #expect(trace.sums.channels == [[[3, 6], [8, 3]], [[4, 3], [6, 6]]])
        #expect(trace.windows.count == 8)
        #expect(trace.windows[0].terms.map(\.inputChannel) == [0, 0, 0, 0, 1, 1, 1, 1])
        #expect(trace.windows[4].bias == -2)
        try checkAgainstKernel(trace)
    }

    @Test func presetRepeatsAcrossChannels() throws {
        let input = GridStack(channels: [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[9, 8, 7], [6, 5, 4], [3, 2, 1]]])
        let trace = try ConvTrace(spec: ConvSpec(input: input, kernels: [KernelPreset.identity.stack()]))
        #expect(trace.sums.channels == [[[10]]])
        try checkAgainstKernel(trace)
    }

    @Test func depthwise() throws {
        let input = GridStack(channels: [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0, 1], [0, 1, 0], [1, 0, 1]]])
        let kernels = [GridStack([[1, 0], [0, 1]]), GridStack([[1, 1], [1, 1]])]
        let trace = try ConvTrace(spec: ConvSpec(input: input, kernels: kernels, bias: [0, 0.5], depthwise: true))
        #expect(trace.sums.channels == [[[6, 8], [12, 14]], [[2.5, 2.5], [2.5, 2.5]]])
        // Each filter sees only its own channel.
        #expect(trace.windows.filter { $0.outputChannel == 1 }.allSatisfy { $0.terms.allSatisfy { $0.inputChannel == 1 } })
        #expect(trace.windows[0].terms.count == 4)
        try checkAgainstKernel(trace)

        let three = lessonError { _ = try ConvTrace(spec: ConvSpec(input: input, kernels: [kernels[0]], depthwise: true)) }
        #expect(three?.field == "depthwise")
        #expect(three?.message == "depthwise = true needs one filter per input channel: the input has 2 channels and there is 1 filter")
    }

    @Test func activationsAfterTheSum() throws {
        let kernel = GridStack([[1, -1], [-1, 1]])
        let input = GridStack([[1, 5, 2], [3, 0, 4], [2, 2, 2]])
        let plain = try ConvTrace(spec: ConvSpec(input: input, kernels: [kernel]))
        #expect(plain.sums.channels == [[[-7, 7], [3, -4]]])
        let relu = try ConvTrace(spec: ConvSpec(input: input, kernels: [kernel], activation: .elementwise(.relu)))
        #expect(relu.sums == plain.sums)
        #expect(relu.output.channels == [[[0, 7], [3, 0]]])
        let leaky = try ConvTrace(spec: ConvSpec(input: input, kernels: [kernel], activation: .elementwise(.leakyRelu(slope: 0.5))))
        #expect(leaky.output.channels == [[[-3.5, 7], [3, -2]]])
        let softmax = try ConvTrace(spec: ConvSpec(input: input, kernels: [kernel], activation: .softmax))
        let probabilities = try Softmax.forward(input: Tensor(shape: [1, 4], data: [-7, 7, 3, -4]))
        #expect(bits(softmax.output) == bits(probabilities))
        try checkAgainstKernel(relu)
    }

    @Test func fractionalValuesMatchTheFastPath() throws {
        var random = SeededRandom(seed: 7)
        let input = GridStack(channels: (0..<3).map { _ in (0..<9).map { _ in (0..<8).map { _ in random.nextFloat(in: -1..<1) } } })
        let kernels = (0..<4).map { _ in
            GridStack(channels: (0..<3).map { _ in (0..<3).map { _ in (0..<3).map { _ in random.nextFloat(in: -1..<1) } } })
        }
        let trace = try ConvTrace(spec: ConvSpec(input: input, kernels: kernels, bias: [0.1, -0.2, 0.3, 0],
                                                 stride: Pair(2, 1), padding: .explicit(rows: 1, columns: 2),
                                                 paddingMode: .reflect, dilation: Pair(1, 2)))
        #expect(trace.sums.channelCount == 4)
        try checkAgainstKernel(trace, exact: false)
    }

    @Test func errorsNameTheField() throws {
        func error(_ spec: ConvSpec) -> LessonError? { lessonError { _ = try ConvTrace(spec: spec) } }
        let big = GridStack(Array(repeating: [1, 1, 1, 1, 1, 1], count: 6))
        let tooBig = error(ConvSpec(input: classicInput, kernels: [big]))
        #expect(tooBig?.field == "kernel")
        #expect(tooBig?.message == "kernel height 6 is larger than the padded input height 5 (input 5 + 2 x padding 0); "
            + "the kernel must fit inside the padded input (at most 5 rows here): use a smaller kernel or more padding")
        #expect(error(ConvSpec(input: classicInput, kernels: [big, big]))?.field == "kernels")

        let stride = error(ConvSpec(input: classicInput, kernels: [classicKernel], stride: Pair(1, 0)))
        #expect(stride?.field == "stride")
        #expect(stride?.message == "stride 0 along the width is invalid; stride must be at least 1")
        #expect(error(ConvSpec(input: classicInput, kernels: [classicKernel], stride: 0, padding: .same))?.field == "stride")

        let dilation = error(ConvSpec(input: classicInput, kernels: [classicKernel], dilation: 0))
        #expect(dilation?.field == "dilation")
        #expect(dilation?.message == "dilation 0 along the height is invalid; dilation must be at least 1")
        #expect(error(ConvSpec(input: classicInput, kernels: [classicKernel], dilation: 3))?.field == "dilation")

        let negative = error(ConvSpec(input: classicInput, kernels: [classicKernel], padding: .explicit(rows: -1, columns: 0)))
        #expect(negative?.field == "padding")
        #expect(negative?.message == "padding -1 along the height is invalid; padding must be 0 or more")

        let reflect = error(ConvSpec(input: GridStack([[1, 2], [3, 4]]), kernels: [classicKernel],
                                     padding: .explicit(rows: 2, columns: 2), paddingMode: .reflect))
        #expect(reflect?.field == "padding_mode")
        #expect(reflect?.message.contains("reflect padding of 2 along the height needs an input height above it") == true)
        #expect(reflect?.message.contains("at most 1 rows and 1 columns here") == true)
        #expect(error(ConvSpec(input: GridStack([[1, 2], [3, 4]]), kernels: [GridStack([[1]])],
                               padding: .explicit(rows: 3, columns: 0), paddingMode: .circular))?.field == "padding_mode")

        let even = error(ConvSpec(input: classicInput, kernels: [GridStack([[1, 1], [1, 1]])], padding: .same))
        #expect(even?.field == "padding")
        #expect(even?.message.contains("convention = \"tensorflow\"") == true)

        let channels = error(ConvSpec(input: GridStack(channels: [classicInput.channels[0], classicInput.channels[0]]),
                                      kernels: [classicKernel]))
        #expect(channels?.field == "kernel")
        #expect(channels?.message == "the kernel has 1 channel but the input has 2 channels; a filter needs one grid per "
            + "input channel (2 here), or set depthwise = true to give each channel its own grid")

        let sizes = error(ConvSpec(input: classicInput, kernels: [classicKernel, GridStack([[1, 1], [1, 1]])]))
        #expect(sizes?.field == "kernels")
        #expect(sizes?.message == "filter 2 is 2x2 but filter 1 is 3x3; every filter of a step needs the same size")

        let bias = error(ConvSpec(input: classicInput, kernels: [classicKernel], bias: [1, 2]))
        #expect(bias?.field == "bias")
        #expect(bias?.message == "bias has 2 values but there is 1 filter; give one number for every filter, or one per filter")

        #expect(error(ConvSpec(input: classicInput, kernels: []))?.field == "kernel")

        // Too big to step through by hand: refused before anything is recorded.
        let huge = GridStack(Array(repeating: Array(repeating: 1, count: 200), count: 200))
        let tooMany = error(ConvSpec(input: huge, kernels: Array(repeating: GridStack(Array(repeating: [1, 1, 1, 1, 1], count: 5)),
                                                                   count: 4)))
        #expect(tooMany?.field == "input")
        #expect(tooMany?.message.hasPrefix("stepping through this convolution would record 3841600 products") == true)
    }
}

@Suite struct PoolTraceTests {
    static let grid = GridStack([[1, 3, 2, 1], [4, 2, 0, 1], [5, 6, 1, 2], [0, 1, 3, 8]])

    /// Replays each window from its own cells: the winner's value for max pooling, the cells added
    /// in order from 0 (divided by the divisor for average pooling) otherwise.
    func checkReplay(_ trace: PoolTrace, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(trace.windows.count == trace.output.channelCount * trace.output.height * trace.output.width,
                sourceLocation: sourceLocation)
        for window in trace.windows {
            let value: Float
            switch trace.spec.kind {
            case .max:
                let winner = try #require(window.winner, sourceLocation: sourceLocation)
                value = window.cells[winner].value
                #expect(window.cells.allSatisfy { $0.isPadding || !($0.value > value) }, sourceLocation: sourceLocation)
            case .average, .globalAverage, .sum:
                var sum: Float = 0
                for cell in window.cells where !cell.isPadding { sum += cell.value }
                value = trace.spec.kind == .sum ? sum : sum / Float(window.divisor)
            }
            #expect(value.bitPattern == window.value.bitPattern, sourceLocation: sourceLocation)
            #expect(value.bitPattern == trace.output.channels[window.channel][window.outputRow][window.outputColumn].bitPattern,
                    sourceLocation: sourceLocation)
            // Cells index the padded grid: each holds the padded grid's value there (or is padding).
            for cell in window.cells {
                #expect(trace.isPadding(row: cell.inputRow, column: cell.inputColumn) == cell.isPadding,
                        sourceLocation: sourceLocation)
                if !cell.isPadding {
                    #expect(trace.paddedInput.channels[window.channel][cell.inputRow][cell.inputColumn] == cell.value,
                            sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// The fast path (no observer) gives the same output.
    func checkFastPath(_ trace: PoolTrace, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let kind: PoolKind = trace.spec.kind == .max ? .max : (trace.spec.kind == .average ? .average : .sum)
        let fast = try Pool2d.forward(input: trace.spec.input.tensor, kind: kind,
                                      options: Pool2dOptions(kernel: trace.spec.size, stride: trace.spec.stride,
                                                             padding: trace.spec.padding))
        #expect(bits(fast) == bits(trace.output), sourceLocation: sourceLocation)
    }

    @Test func maxWithTheWinner() throws {
        let trace = try PoolTrace(spec: PoolSpec(input: Self.grid, kind: .max))
        #expect(trace.output.channels == [[[4, 2], [6, 8]]])
        let first = trace.windows[0]
        #expect(first.winner == 2)
        #expect(first.cells[2].inputRow == 1 && first.cells[2].inputColumn == 0)
        #expect(trace.sizeFormula == ["height: floor((4 + 0 + 0 - 2) / 2) + 1 = 2", "width: floor((4 + 0 + 0 - 2) / 2) + 1 = 2"])
        try checkReplay(trace)
        try checkFastPath(trace)
    }

    @Test func averageAndSum() throws {
        let average = try PoolTrace(spec: PoolSpec(input: Self.grid, kind: .average))
        #expect(average.output.channels == [[[2.5, 1], [3, 3.5]]])
        #expect(average.windows.allSatisfy { $0.divisor == 4 && $0.winner == nil })
        try checkReplay(average)
        try checkFastPath(average)
        let sum = try PoolTrace(spec: PoolSpec(input: Self.grid, kind: .sum))
        #expect(sum.output.channels == [[[10, 4], [12, 14]]])
        try checkReplay(sum)
        try checkFastPath(sum)
        // Overlapping windows: size 3, stride 1.
        let overlapping = try PoolTrace(spec: PoolSpec(input: Self.grid, kind: .max, size: 3, stride: 1))
        #expect(overlapping.output.channels == [[[6, 6], [6, 8]]])
        try checkReplay(overlapping)
    }

    @Test func paddingIsShiftedOntoThePaddedGrid() throws {
        let input = GridStack([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let trace = try PoolTrace(spec: PoolSpec(input: input, kind: .max, padding: 1))
        #expect(trace.output.channels == [[[1, 3], [7, 9]]])
        #expect(trace.sides == Pad2d.Sides(1))
        #expect(trace.paddedInput.channels[0] == [[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 4, 5, 6, 0], [0, 7, 8, 9, 0],
                                                  [0, 0, 0, 0, 0]])
        #expect(trace.windows[0].inputRows == [0, 1] && trace.windows[0].inputColumns == [0, 1])
        #expect(trace.windows[0].cells.map(\.isPadding) == [true, true, true, false])
        #expect(trace.windows[0].cells[0].value == -.infinity)
        #expect(trace.sizeFormula[0] == "height: floor((3 + 1 + 1 - 2) / 2) + 1 = 2")
        try checkReplay(trace)
        try checkFastPath(trace)
        let average = try PoolTrace(spec: PoolSpec(input: input, kind: .average, padding: 1))
        #expect(average.output.channels == [[[0.25, 1.25], [2.75, 7]]])
        try checkReplay(average)
        try checkFastPath(average)
    }

    @Test func globalAverage() throws {
        let input = GridStack(channels: [[[1, 2, 3], [4, 5, 6]], [[0.1, 0.2, 0.3], [0.4, 0.5, 0.7]]])
        let trace = try PoolTrace(spec: PoolSpec(input: input, kind: .globalAverage))
        let kernel = try GlobalAvgPool2d.forward(input: input.tensor)
        #expect(bits(trace.output) == bits(kernel))
        #expect(trace.output.channels[0] == [[3.5]])
        #expect(trace.windows.count == 2)
        #expect(trace.windows[1].cells.count == 6 && trace.windows[1].divisor == 6 && trace.windows[1].channel == 1)
        #expect(trace.windows[1].cells.map(\.value) == [0.1, 0.2, 0.3, 0.4, 0.5, 0.7])
        #expect(trace.sizeFormula == ["height: global average over all 2 rows = 1", "width: global average over all 3 columns = 1"])
        try checkReplay(trace)
    }

    @Test func multiChannelPooling() throws {
        let input = GridStack(channels: [Self.grid.channels[0], Self.grid.channels[0].map { $0.map { -$0 } }])
        let trace = try PoolTrace(spec: PoolSpec(input: input, kind: .max))
        #expect(trace.output.channels == [[[4, 2], [6, 8]], [[-1, 0], [0, -1]]])
        try checkReplay(trace)
        try checkFastPath(trace)
    }

    @Test func errorsNameTheField() {
        func error(_ spec: PoolSpec) -> LessonError? { lessonError { _ = try PoolTrace(spec: spec) } }
        let big = error(PoolSpec(input: Self.grid, kind: .max, size: 5))
        #expect(big?.field == "size")
        #expect(big?.message == "kernel height 5 is larger than the padded input height 4 (input 4 + 2 x padding 0); "
            + "the pooling window must fit inside the padded input (at most 4x4 here)")
        #expect(error(PoolSpec(input: Self.grid, kind: .max, size: 0))?.field == "size")
        let stride = error(PoolSpec(input: Self.grid, kind: .average, stride: Pair(2, 0)))
        #expect(stride?.field == "stride")
        #expect(stride?.message == "stride 0 along the width is invalid; stride must be at least 1")
        let padding = error(PoolSpec(input: Self.grid, kind: .max, padding: 2))
        #expect(padding?.field == "padding")
        #expect(padding?.message == "padding 2 along the height is too large for kernel height 2; pad should be at most half "
            + "of the kernel size (at most 1)")
        #expect(error(PoolSpec(input: Self.grid, kind: .sum, padding: -1))?.field == "padding")
    }
}

@Suite struct ActivationTraceTests {
    /// Central differences of `value` at each plot x, away from kinks.
    func checkDerivative(_ trace: ActivationTrace, _ value: (Float) -> Float, kink: Float? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        let step: Float = 1e-2
        for (index, x) in trace.plotX.enumerated() {
            if let kink, abs(x - kink) < 2 * step { continue }
            let numeric = (Double(value(x + step)) - Double(value(x - step))) / Double(2 * step)
            #expect(abs(numeric - Double(trace.plotDerivative[index])) < 2e-3, "x = \(x)", sourceLocation: sourceLocation)
        }
    }

    @Test func plotSamplesTheRange() throws {
        let trace = try ActivationTrace(spec: ActivationSpec(function: .elementwise(.tanh), plotRange: -3...5))
        #expect(trace.plotX.count == 121 && trace.plotValue.count == 121 && trace.plotDerivative.count == 121)
        #expect(trace.plotX.first == -3 && trace.plotX.last == 5)
        #expect(trace.output == nil && trace.derivative == nil)
        #expect(bits(Tensor(shape: [121], data: trace.plotValue)) == bits(Activation.tanh.forward(Tensor(shape: [121], data: trace.plotX))))
    }

    @Test func derivativesMatchFiniteDifferences() throws {
        let functions: [(Activation, Float?)] = [(.relu, 0), (.leakyRelu(slope: 0.1), 0), (.sigmoid, nil), (.tanh, nil)]
        for (function, kink) in functions {
            let trace = try ActivationTrace(spec: ActivationSpec(function: .elementwise(function)))
            checkDerivative(trace, { function.value($0) }, kink: kink)
        }
        let softmax = try ActivationTrace(spec: ActivationSpec(function: .softmax))
        checkDerivative(softmax, { 1 / (1 + Float(Foundation.exp(Double(-$0)))) })
    }

    @Test func appliedToAGrid() throws {
        let input = GridStack([[-2, 0, 3], [0.5, -0.5, 1]])
        let relu = try ActivationTrace(spec: ActivationSpec(function: .elementwise(.relu), input: input))
        #expect(relu.output?.channels == [[[0, 0, 3], [0.5, 0, 1]]])
        #expect(relu.derivative?.channels == [[[0, 0, 1], [1, 0, 1]]])
        let leaky = try ActivationTrace(spec: ActivationSpec(function: .elementwise(.leakyRelu(slope: 0.1)), input: input))
        #expect(leaky.output?.channels[0][0][0] == -0.2)
        #expect(leaky.derivative?.channels == [[[0.1, 0.1, 1], [1, 0.1, 1]]])
        let sigmoid = try ActivationTrace(spec: ActivationSpec(function: .elementwise(.sigmoid), input: input))
        let s = try #require(sigmoid.output?.channels[0][0][1])
        #expect(s == 0.5 && sigmoid.derivative?.channels[0][0][1] == 0.25)
    }

    @Test func softmaxOverEachChannel() throws {
        let input = GridStack(channels: [[[1, 2], [3, 4]], [[0, 0], [0, 0]]])
        let trace = try ActivationTrace(spec: ActivationSpec(function: .softmax, input: input))
        let output = try #require(trace.output), derivative = try #require(trace.derivative)
        let kernel = try Softmax.forward(input: input.tensor.reshaped([2, 4]))
        #expect(bits(output) == kernel.data.map(\.bitPattern))
        #expect(output.channels[1] == [[0.25, 0.25], [0.25, 0.25]])
        // The diagonal of the Jacobian, s(1 - s), and it agrees with finite differences.
        let flat = output.channels.flatMap { $0.flatMap { $0 } }, dFlat = derivative.channels.flatMap { $0.flatMap { $0 } }
        for index in flat.indices { #expect(abs(dFlat[index] - flat[index] * (1 - flat[index])) < 1e-7) }
        let step: Float = 1e-2
        for cell in 0..<4 {
            var plus = input.tensor.reshaped([2, 4]), minus = plus
            plus.data[cell] += step
            minus.data[cell] -= step
            let numeric = (try Softmax.forward(input: plus).data[cell] - Softmax.forward(input: minus).data[cell]) / (2 * step)
            #expect(abs(numeric - dFlat[cell]) < 1e-3)
        }
    }
}

@Suite struct PipelineTraceTests {
    static let input = GridStack([[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0]])

    @Test func eachStageFeedsTheNext() throws {
        let conv = ConvSpec(input: GridStack([[0]]), kernels: [KernelPreset.sobelX.stack()], padding: .explicit(rows: 1, columns: 1))
        let spec = PipelineSpec(input: Self.input, stages: [
            .conv(conv), .activation(.elementwise(.relu)), .pool(PoolSpec(input: GridStack([[0]]), kind: .max)),
        ])
        let trace = try PipelineTrace(spec: spec)
        #expect(trace.stages.count == 3)
        guard case .conv(let convTrace) = trace.stages[0], case .activation(_, let reluInput, let reluOutput) = trace.stages[1],
              case .pool(let poolTrace) = trace.stages[2] else {
            Issue.record("stage kinds: \(trace.stages)")
            return
        }
        #expect(convTrace.spec.input == Self.input)
        let direct = try ConvTrace(spec: ConvSpec(input: Self.input, kernels: [KernelPreset.sobelX.stack()],
                                                  padding: .explicit(rows: 1, columns: 1)))
        #expect(bits(convTrace.output) == bits(direct.output))
        #expect(reluInput == convTrace.output)
        #expect(bits(reluOutput) == bits(Activation.relu.forward(convTrace.output.tensor)))
        #expect(poolTrace.spec.input == reluOutput)
        #expect(trace.stages[2].output == poolTrace.output)
        #expect(poolTrace.output.height == 2 && poolTrace.output.width == 2)
        try checkAgainstKernel(convTrace)
    }

    @Test func errorsNameTheStage() {
        let big = ConvSpec(input: GridStack([[0]]), kernels: [GridStack(Array(repeating: [1, 1, 1, 1, 1], count: 5))])
        let error = lessonError {
            _ = try PipelineTrace(spec: PipelineSpec(input: Self.input, stages: [.activation(.elementwise(.tanh)), .conv(big)]))
        }
        #expect(error?.field == "stage 2.kernel")
        let pool = lessonError {
            _ = try PipelineTrace(spec: PipelineSpec(input: Self.input, stages: [
                .pool(PoolSpec(input: GridStack([[0]]), kind: .max, size: 2)),
                .pool(PoolSpec(input: GridStack([[0]]), kind: .max, size: 3)),
            ]))
        }
        #expect(pool?.field == "stage 2.size")
    }
}

@Suite struct ImageTraceTests {
    @Test func kernelsOnASampleImage() throws {
        let spec = ImageSpec(image: "house", kernels: [KernelPreset.sobelX.stack(), KernelPreset.sobelY.stack()])
        let trace = try ImageTrace(spec: spec, lessonFolder: nil)
        let house = try #require(SampleImage.make("house"))
        #expect(trace.image == house)
        #expect(trace.outputs.count == 2)
        #expect(trace.outputs.allSatisfy { $0.height == 28 && $0.width == 28 && $0.channelCount == 1 })
        // The kernel's fast path (no windows recorded) agrees with the traced reference loops.
        let direct = try ConvTrace(spec: ConvSpec(input: house, kernels: [KernelPreset.sobelY.stack()], padding: .same))
        let difference = zip(trace.outputs[1].channels[0].flatMap { $0 }, direct.output.channels[0].flatMap { $0 })
            .map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-5)
        let fast = try Conv2d.forward(input: house.tensor, weight: Tensor(grid: KernelPreset.sobelX.grid),
                                      options: Conv2dOptions(padding: 1))
        #expect(bits(trace.outputs[0]) == bits(fast))
        // The house's vertical wall edge: Sobel x responds, Sobel y does not (row 20, left wall at column 6).
        #expect(abs(trace.outputs[0].channels[0][20][6]) > 1 && trace.outputs[1].channels[0][20][6] == 0)
        // An even kernel with "same" splits as TensorFlow does instead of failing.
        let even = try ImageTrace(spec: ImageSpec(image: "circle", kernels: [GridStack([[1, -1], [1, -1]])]), lessonFolder: nil)
        #expect(even.outputs[0].height == 28)
    }

    @Test func activationAndStride() throws {
        let trace = try ImageTrace(spec: ImageSpec(image: "stripes", kernels: [KernelPreset.sobelX.stack()], stride: 2,
                                                   activation: .elementwise(.relu)), lessonFolder: "/tmp")
        #expect(trace.outputs[0].height == 14)
        #expect(trace.outputs[0].channels.allSatisfy { $0.allSatisfy { $0.allSatisfy { $0 >= 0 } } })
    }

    @Test("an image file relative to the lesson: decoded, made grey, scaled to fit 48 keeping its shape")
    func imageFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lesson-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("pictures"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // 96x64 grey: the left half black, the right half white (a vertical edge down the middle).
        let samples = (0..<(96 * 64)).map { UInt16($0 % 96 < 48 ? 0 : 255) }
        let image = PixelImage(width: 96, height: 64, channels: 1, maxValue: 255, samples: samples, format: .pgm, detail: "test")
        try ImageEncoder.write(ImageEncoder.png(image), to: folder.appendingPathComponent("pictures/edge.png").path)
        let trace = try ImageTrace(spec: ImageSpec(image: "pictures/edge.png", kernels: [KernelPreset.sobelX.stack()]),
                                   lessonFolder: folder.path)
        let input = trace.image.channels[0]
        #expect(input.count == 32 && input[0].count == 48, "halved to fit 48: 48x32")
        #expect(input[5][0] == 0 && input[5][23] == 0 && input[5][24] == 1 && input[5][47] == 1)
        // Sobel-x responds along the edge only (same padding: the borders see zero padding too).
        let output = trace.outputs[0].channels[0]
        #expect(output[16][23] != 0 && output[16][24] != 0)
        #expect(output[16][10] == 0 && output[16][36] == 0)
        // A small file keeps its size; a broken one names itself.
        try ImageEncoder.write(ImageEncoder.netpbm(PixelImage(width: 5, height: 3, channels: 1, maxValue: 255,
            samples: Array(repeating: 128, count: 15), format: .pgm, detail: "test")), to: folder.appendingPathComponent("small.pgm").path)
        let small = try ImageTrace(spec: ImageSpec(image: "small.pgm", kernels: [KernelPreset.boxBlur.stack()]), lessonFolder: folder.path)
        #expect(small.image.channels[0].count == 3 && small.image.channels[0][0].count == 5)
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("text.png"))
        let broken = lessonError { _ = try ImageTrace(spec: ImageSpec(image: "text.png", kernels: [KernelPreset.sobelX.stack()]),
                                                      lessonFolder: folder.path) }
        #expect(broken?.field == "image")
        #expect(broken?.message.hasPrefix(folder.appendingPathComponent("text.png").path + ": ") == true, "\(broken?.message ?? "")")
    }

    @Test func unknownImagesListTheBuiltInOnes() {
        let error = lessonError { _ = try ImageTrace(spec: ImageSpec(image: "castle", kernels: [KernelPreset.sobelX.stack()]),
                                                     lessonFolder: nil) }
        #expect(error?.field == "image")
        #expect(error?.message == "'castle' is not a built-in sample image (the built-in images are: "
            + SampleImage.names.joined(separator: ", ") + "), nor a file name (a PNG, JPEG, PGM or PPM path relative to the lesson)")
        let file = lessonError { _ = try ImageTrace(spec: ImageSpec(image: "images/cat.png", kernels: [KernelPreset.sobelX.stack()]),
                                                    lessonFolder: "/lessons") }
        #expect(file?.field == "image")
        #expect(file?.message.hasPrefix("/lessons/images/cat.png: ") == true, "\(file?.message ?? "")")
        #expect(file?.message.contains("give a PNG, JPEG, PGM or PPM file relative to the lesson, or a built-in sample image: house,") == true)
        let second = lessonError {
            _ = try ImageTrace(spec: ImageSpec(image: "house", kernels: [KernelPreset.sobelX.stack(),
                                                                         GridStack(channels: [[[1]], [[1]]])]), lessonFolder: nil)
        }
        #expect(second?.field == "kernels")
        #expect(second?.message.hasPrefix("kernel 2: the kernel has 2 channels but the input has 1 channel") == true)
    }
}
