import ConvKernels
import Testing
@testable import ConvTutorCommands

@Suite("Grid commands")
struct GridCommandTests {
    let example = "0 1 2; 3 4 5; 6 7 8"

    func conv(_ input: String, _ kernel: String, bias: Float? = nil, options: Conv2dOptions = Conv2dOptions(),
              steps: Bool = false) throws -> GridReport {
        try ConvGridCommand.run(input: Grid(parsing: input), kernel: Grid(parsing: kernel), bias: bias,
                                options: options, steps: steps)
    }

    // MARK: conv

    @Test("conv: the worked example, plain")
    func convPlain() throws {
        let report = try conv(example, "0 1; 2 3")
        #expect(report.output == [[19, 25], [37, 43]])
        #expect(report.rendered(json: false) == "19  25\n37  43")
    }

    @Test("conv: --json prints exactly {\"output\": [[19, 25], [37, 43]]}")
    func convJSON() throws {
        #expect(try conv(example, "0 1; 2 3").rendered(json: true) == #"{"output": [[19, 25], [37, 43]]}"#)
        let withSteps = try conv(example, "0 1; 2 3", steps: true).rendered(json: true)
        #expect(withSteps.hasPrefix(#"{"output": [[19, 25], [37, 43]], "steps": ["out[0,0]: 0x0 + 1x1 + 3x2 + 4x3 = 19", "#))
    }

    @Test("conv: --steps shows every window's arithmetic, then the output")
    func convSteps() throws {
        let report = try conv(example, "0 1; 2 3", steps: true)
        #expect(report.steps == [
            "out[0,0]: 0x0 + 1x1 + 3x2 + 4x3 = 19",
            "out[0,1]: 1x0 + 2x1 + 4x2 + 5x3 = 25",
            "out[1,0]: 3x0 + 4x1 + 6x2 + 7x3 = 37",
            "out[1,1]: 4x0 + 5x1 + 7x2 + 8x3 = 43",
        ])
        #expect(report.rendered(json: false) == """
            out[0,0]: 0x0 + 1x1 + 3x2 + 4x3 = 19
            out[0,1]: 1x0 + 2x1 + 4x2 + 5x3 = 25
            out[1,0]: 3x0 + 4x1 + 6x2 + 7x3 = 37
            out[1,1]: 4x0 + 5x1 + 7x2 + 8x3 = 43

            output:
            19  25
            37  43
            """)
    }

    @Test("conv: padding cells are marked, the bias is added before '='")
    func convPaddingAndBias() throws {
        let report = try conv(example, "0 1; 2 3", bias: 0.5, options: Conv2dOptions(padding: 1), steps: true)
        #expect(report.output == [[0.5, 3.5, 8.5, 4.5], [9.5, 19.5, 25.5, 10.5],
                                  [21.5, 37.5, 43.5, 16.5], [6.5, 7.5, 8.5, 0.5]])
        #expect(report.steps?.first == "out[0,0]: 0(pad)x0 + 0(pad)x1 + 0(pad)x2 + 0x3 + 0.5 = 0.5")
        #expect(report.steps?[5] == "out[1,1]: 0x0 + 1x1 + 3x2 + 4x3 + 0.5 = 19.5")
        #expect(report.steps?.last == "out[3,3]: 8x0 + 0(pad)x1 + 0(pad)x2 + 0(pad)x3 + 0.5 = 0.5")
        #expect(report.rendered(json: false).hasSuffix("""
            output:
             0.5   3.5   8.5   4.5
             9.5  19.5  25.5  10.5
            21.5  37.5  43.5  16.5
             6.5   7.5   8.5   0.5
            """))
    }

    @Test("conv: reflect and replicate padding fill the border from the input (a 1x1 kernel shows the padded grid)")
    func convPaddingModes() throws {
        let reflect = try ConvGridCommand.run(input: Grid(parsing: example), kernel: Grid(parsing: "1"),
                                              options: Conv2dOptions(padding: 1), paddingMode: .reflect)
        #expect(reflect.output == [[4, 3, 4, 5, 4], [1, 0, 1, 2, 1], [4, 3, 4, 5, 4], [7, 6, 7, 8, 7], [4, 3, 4, 5, 4]])
        let replicate = try ConvGridCommand.run(input: Grid(parsing: example), kernel: Grid(parsing: "1"),
                                                options: Conv2dOptions(padding: 1), paddingMode: .replicate)
        #expect(replicate.output == [[0, 0, 1, 2, 2], [0, 0, 1, 2, 2], [3, 3, 4, 5, 5], [6, 6, 7, 8, 8], [6, 6, 7, 8, 8]])
        let circular = try ConvGridCommand.run(input: Grid(parsing: example), kernel: Grid(parsing: "1"),
                                               options: Conv2dOptions(padding: 1), paddingMode: .circular)
        #expect(circular.output[0] == [8, 6, 7, 8, 6])
        // Reflect padding must be smaller than the input, as in PyTorch.
        #expect(throws: KernelError.self) {
            try ConvGridCommand.run(input: Grid(parsing: example), kernel: Grid(parsing: "1"),
                                    options: Conv2dOptions(padding: 3), paddingMode: .reflect)
        }
    }

    @Test("conv: negative values in parentheses")
    func convNegative() throws {
        let report = try conv("-1 2; 3 4", "1 -2", bias: -0.5, steps: true)
        #expect(report.output == [[-5.5], [-5.5]])
        #expect(report.steps == ["out[0,0]: (-1)x1 + 2x(-2) + (-0.5) = -5.5", "out[1,0]: 3x1 + 4x(-2) + (-0.5) = -5.5"])
    }

    @Test("conv: stride, stride pair and dilation")
    func convOptions() throws {
        #expect(try conv(example, "0 1; 2 3", options: Conv2dOptions(stride: 2)).output == [[19]])
        #expect(try conv("0 1 2 3; 4 5 6 7; 8 9 10 11", "1", options: Conv2dOptions(stride: Pair(2, 3))).output == [[0, 3], [8, 11]])
        let dilated = try conv(example, "0 1; 2 3", options: Conv2dOptions(dilation: 2), steps: true)
        #expect(dilated.output == [[38]])
        #expect(dilated.steps == ["out[0,0]: 0x0 + 2x1 + 6x2 + 8x3 = 38"])
    }

    @Test("conv: one kernel per input channel, summed into one output")
    func convChannels() throws {
        let report = try conv("1 2; 3 4 | 5 6; 7 8", "1 0; 0 1 | 0 1; 1 0", steps: true)
        #expect(report.output == [[18]])
        #expect(report.steps == ["out[0,0]: 1x1 + 2x0 + 3x0 + 4x1 + 5x0 + 6x1 + 7x1 + 8x0 = 18"])
        #expect(errorMessage { _ = try conv("1 2; 3 4 | 5 6; 7 8", "1") }
            == "--kernel has 1 channel and --input has 2 channels; give one kernel per input channel, separated by '|' as in the input")
    }

    @Test("conv: the kernel's errors come through unchanged")
    func convErrors() {
        #expect(errorMessage { _ = try conv("1 2; 3 4", "1 2 3; 4 5 6; 7 8 9") }
            == "kernel height 3 is larger than the padded input height 2 (input 2 + 2 x padding 0)")
        #expect(errorMessage { _ = try conv(example, "1", options: Conv2dOptions(stride: 0)) }
            == "stride 0 along the height is invalid; stride must be at least 1")
        #expect(errorMessage { _ = try conv(example, "1", options: Conv2dOptions(dilation: Pair(1, 0))) }
            == "dilation 0 along the width is invalid; dilation must be at least 1")
        #expect(errorMessage { _ = try conv(example, "1", options: Conv2dOptions(padding: -1)) }
            == "padding -1 along the height is invalid; padding must be 0 or more")
    }

    // MARK: pool

    let poolInput = "1 3 2 4; 5 6 1 2; 7 2 9 0; 1 1 3 4"

    @Test("pool max: output, steps with the winner")
    func poolMax() throws {
        let report = try PoolGridCommand.run(input: Grid(parsing: poolInput), kind: .max,
                                             options: Pool2dOptions(kernel: 2), steps: true)
        #expect(report.output == [[6, 4], [7, 9]])
        #expect(report.steps == [
            "out[0,0]: max(1, 3, 5, 6) = 6 at in[1,1]",
            "out[0,1]: max(2, 4, 1, 2) = 4 at in[0,3]",
            "out[1,0]: max(7, 2, 1, 1) = 7 at in[2,0]",
            "out[1,1]: max(9, 0, 3, 4) = 9 at in[2,2]",
        ])
        #expect(report.rendered(json: false).hasSuffix("output:\n6  4\n7  9"))
    }

    @Test("pool max with padding: padding cells never win")
    func poolMaxPadding() throws {
        let report = try PoolGridCommand.run(input: Grid(parsing: "-1 -2; -3 -4"), kind: .max,
                                             options: Pool2dOptions(kernel: 2, padding: 1), steps: true)
        #expect(report.output == [[-1, -2], [-3, -4]])
        #expect(report.steps?.first == "out[0,0]: max(-inf(pad), -inf(pad), -inf(pad), -1) = -1 at in[0,0]")
    }

    @Test("pool avg: the sum and the divisor")
    func poolAverage() throws {
        let report = try PoolGridCommand.run(input: Grid(parsing: "1 2 3; 4 5 6; 7 8 9"), kind: .avg,
                                             options: Pool2dOptions(kernel: 2, stride: 1), steps: true)
        #expect(report.output == [[3, 4], [6, 7]])
        #expect(report.steps?.first == "out[0,0]: (1 + 2 + 4 + 5) / 4 = 3")
        let padded = try PoolGridCommand.run(input: Grid(parsing: "1 2; 3 4"), kind: .avg,
                                             options: Pool2dOptions(kernel: 2, padding: 1), steps: true)
        #expect(padded.output == [[0.25, 0.5], [0.75, 1]])
        #expect(padded.steps?.first == "out[0,0]: (0(pad) + 0(pad) + 0(pad) + 1) / 4 = 0.25")
    }

    @Test("pool sum, and JSON")
    func poolSum() throws {
        let report = try PoolGridCommand.run(input: Grid(parsing: "1 2 3; 4 5 -6; 7 8 9"), kind: .sum,
                                             options: Pool2dOptions(kernel: 2, stride: 1), steps: true)
        #expect(report.output == [[12, 4], [24, 16]])
        #expect(report.steps?[1] == "out[0,1]: 2 + 3 + 5 + (-6) = 4")
        let json = try PoolGridCommand.run(input: Grid(parsing: "1 2 3; 4 5 -6; 7 8 9"), kind: .sum,
                                           options: Pool2dOptions(kernel: Pair(3, 2))).rendered(json: true)
        #expect(json == #"{"output": [[27]]}"#)
    }

    @Test("pool: errors")
    func poolErrors() {
        #expect(errorMessage { _ = try PoolGridCommand.run(input: Grid(parsing: "1 2; 3 4"), kind: .max, options: Pool2dOptions(kernel: 3)) }
            == "kernel height 3 is larger than the padded input height 2 (input 2 + 2 x padding 0)")
        #expect(errorMessage { _ = try PoolGridCommand.run(input: Grid(parsing: "1 2 | 3 4"), kind: .max, options: Pool2dOptions(kernel: 1)) }
            == "--input has 2 channels separated by '|'; pool takes one grid")
        #expect(!errorMessage { _ = try PoolGridCommand.run(input: Grid(parsing: "1 2; 3 4"), kind: .max,
                                                            options: Pool2dOptions(kernel: 2, padding: 2)) }.isEmpty)
    }

    // MARK: activate

    @Test("activate: relu, leaky-relu, sigmoid, tanh")
    func activateElementwise() throws {
        let input = try Grid(parsing: "-2 -0.5 0 1.5")
        #expect(try ActivateGridCommand.run(input: input, function: .relu).output == [[0, 0, 0, 1.5]])
        #expect(try ActivateGridCommand.run(input: input, function: .leakyRelu, slope: 0.1).output == [[-0.2, -0.05, 0, 1.5]])
        #expect(try ActivateGridCommand.run(input: input, function: .leakyRelu).output == [[-0.02, -0.005, 0, 1.5]])
        #expect(try ActivateGridCommand.run(input: Grid(parsing: "0; 0"), function: .sigmoid).output == [[0.5], [0.5]])
        #expect(try ActivateGridCommand.run(input: Grid(parsing: "0 0"), function: .tanh).output == [[0, 0]])
        #expect(try ActivateGridCommand.run(input: input, function: .relu).rendered(json: true) == #"{"output": [[0, 0, 0, 1.5]]}"#)
        #expect(try ActivateGridCommand.run(input: input, function: .relu).rendered(json: false) == "0  0  0  1.5")
    }

    @Test("activate: softmax over each row")
    func activateSoftmax() throws {
        let report = try ActivateGridCommand.run(input: Grid(parsing: "0 0 0 0; 5 5 5 5; 1 1 1 1"), function: .softmax)
        #expect(report.output == [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]])
        let rows = try ActivateGridCommand.run(input: Grid(parsing: "0 0; 1000 0"), function: .softmax).output
        #expect(rows == [[0.5, 0.5], [1, 0]])
    }

    @Test("activate: one grid only")
    func activateErrors() {
        #expect(errorMessage { _ = try ActivateGridCommand.run(input: Grid(parsing: "1 | 2"), function: .relu) }
            == "--input has 2 channels separated by '|'; activate takes one grid")
    }

    @Test("exit statuses: swift-argument-parser's usage error 64 becomes 2")
    func exitStatus() {
        #expect(ExitStatus.mapping(parserStatus: 64) == 2)
        #expect(ExitStatus.mapping(parserStatus: 0) == 0)
        #expect(ExitStatus.mapping(parserStatus: 1) == 1)
        #expect(ExitStatus.usage == 2 && ExitStatus.failure == 1 && ExitStatus.success == 0)
    }
}

@Suite("output limit")
struct OutputLimitTests {
    @Test("a convolution whose output would be huge is refused with its size")
    func hugeOutput() throws {
        let input = try Grid(parsing: "1 2; 3 4"), kernel = try Grid(parsing: "1")
        var message = ""
        do {
            _ = try ConvGridCommand.run(input: input, kernel: kernel, options: Conv2dOptions(padding: 100_000))
        } catch {
            message = error.message
        }
        #expect(message.contains("would hold 40000800004 values; at most 67108864 are accepted"))
        let answer = ComputeFilter.answer(to: #"{"op": "conv2d", "input": {"shape": [1,1,2,2], "data": [1,2,3,4]}, "weight": {"shape": [1,1,1,1], "data": [1]}, "padding": 50000}"#)
        #expect(answer.failed)
        #expect(answer.json.contains("at most 67108864"))
    }
}
