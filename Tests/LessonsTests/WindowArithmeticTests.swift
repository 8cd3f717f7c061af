import ConvKernels
import Testing
@testable import Lessons

@Suite struct WindowArithmeticTests {
    @Test func classicWindowWritesEveryTerm() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: classicInput, kernels: [classicKernel]))
        let window = trace.windows[0]
        #expect(WindowArithmetic.lines(for: window, bias: 0, activation: nil, output: window.value, ascii: false)
            == ["3×0 + 3×1 + 2×2 + 0×2 + 0×2 + 1×0 + 3×0 + 1×1 + 2×2 = 12"])
        #expect(WindowArithmetic.lines(for: window, bias: 0, activation: nil, output: window.value, ascii: true)
            == ["3x0 + 3x1 + 2x2 + 0x2 + 0x2 + 1x0 + 3x0 + 1x1 + 2x2 = 12"])
    }

    @Test func negativesInBracketsAndActivation() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: GridStack([[1, 5], [-3, 0]]), kernels: [GridStack([[1, -1], [-1, 1]])],
                                                 activation: .elementwise(.relu)))
        let window = trace.windows[0]
        #expect(WindowArithmetic.lines(for: window, bias: 0, activation: .elementwise(.relu), output: trace.output.channels[0][0][0],
                                       ascii: false)
            == ["1×1 + 5×(−1) + (−3)×(−1) + 0×1 = −1", "relu(−1) = 0"])
        #expect(WindowArithmetic.lines(for: window, bias: 0, activation: .elementwise(.relu), output: trace.output.channels[0][0][0],
                                       ascii: true)
            == ["1x1 + 5x(-1) + (-3)x(-1) + 0x1 = -1", "relu(-1) = 0"])
    }

    @Test func multiChannelWithBias() throws {
        let input = GridStack(channels: [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [3, 0, 2], [1, 1, 0]]])
        let filter = GridStack(channels: [[[1, 0], [0, 1]], [[2, 0], [0, -1]]])
        let trace = try ConvTrace(spec: ConvSpec(input: input, kernels: [filter], bias: [1]))
        let window = trace.windows[0]
        #expect(WindowArithmetic.lines(for: window, bias: 1, activation: nil, output: window.value, ascii: false) == [
            "channel 1: 1×1 + 2×0 + 0×0 + 1×1 = 2",
            "channel 2: 0×2 + 1×0 + 3×0 + 0×(−1) = 0",
            "total: 2 + 0 = 2",
            "2 + bias 1 = 3",
        ])
        let negativeBias = try ConvTrace(spec: ConvSpec(input: input, kernels: [filter], bias: [-0.5],
                                                        activation: .elementwise(.sigmoid)))
        let lines = WindowArithmetic.lines(for: negativeBias.windows[0], bias: -0.5, activation: .elementwise(.sigmoid),
                                           output: negativeBias.output.channels[0][0][0], ascii: true)
        #expect(lines.suffix(2) == ["2 + bias (-0.5) = 1.5", "sigmoid(1.5) = 0.818"])
    }

    @Test func longSumsWrapToTheWidthGiven() throws {
        let input = GridStack((0..<5).map { row in (0..<5).map { Float(row * 5 + $0) - 12 } })
        let kernel = GridStack((0..<5).map { row in (0..<5).map { Float(($0 + row) % 3) - 1 } })
        let window = try ConvTrace(spec: ConvSpec(input: input, kernels: [kernel])).windows[0]
        let narrow = WindowArithmetic.lines(for: window, bias: 0, activation: nil, output: window.value, ascii: true, width: 40)
        #expect(narrow.allSatisfy { $0.count <= 40 }, "\(narrow)")
        let wide = WindowArithmetic.lines(for: window, bias: 0, activation: nil, output: window.value, ascii: true, width: 400)
        #expect(wide.count == 1)
        // The same terms, however they are wrapped.
        func words(_ lines: [String]) -> [String] {
            lines.joined(separator: " ").split(whereSeparator: { $0 == " " || $0 == "+" }).map(String.init)
        }
        #expect(words(narrow) == words(wide))
    }

    @Test func longSumsWrapAtSixtyCharacters() throws {
        let input = GridStack((0..<5).map { row in (0..<5).map { Float(row * 5 + $0) - 12 } })
        let kernel = GridStack((0..<5).map { row in (0..<5).map { Float(($0 + row) % 3) - 1 } })
        let trace = try ConvTrace(spec: ConvSpec(input: input, kernels: [kernel]))
        let window = trace.windows[0]
        let lines = WindowArithmetic.lines(for: window, bias: 0, activation: nil, output: window.value, ascii: false)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= WindowArithmetic.maxLineWidth }, "\(lines)")
        // Unwrapped, the lines are every term in order and the kernel's value.
        let joined = lines.map { String($0.drop(while: { $0 == " " })) }.joined(separator: " ")
        let terms = window.terms.map { term -> String in
            func operand(_ value: Float) -> String {
                value < 0 ? "(−\(LessonNumber.format(-value)))" : LessonNumber.format(value)
            }
            return "\(operand(term.input))×\(operand(term.weight))"
        }
        let value = window.value < 0 ? "−" + LessonNumber.format(-window.value) : LessonNumber.format(window.value)
        #expect(joined == terms.joined(separator: " + ") + " = " + value)
    }

    @Test func printsTheKernelsFloats() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: GridStack([[0.1, 0.2], [0.3, 0.4]]), kernels: [GridStack([[1, 1], [1, 1]])],
                                                 bias: [1.0 / 3]))
        let window = trace.windows[0]
        let lines = WindowArithmetic.lines(for: window, bias: 1.0 / 3, activation: nil, output: window.value, ascii: true)
        #expect(lines == ["0.1x1 + 0.2x1 + 0.3x1 + 0.4x1 = 1", "1 + bias 0.333 = 1.333"])
        #expect(lines[1].hasSuffix(LessonNumber.format(window.value)))
    }

    @Test func softmaxLine() throws {
        let trace = try ConvTrace(spec: ConvSpec(input: GridStack([[1, 2, 3]]), kernels: [GridStack([[1]])], activation: .softmax))
        let window = trace.windows[2]
        #expect(WindowArithmetic.lines(for: window, bias: 0, activation: .softmax, output: trace.output.channels[0][0][2],
                                       ascii: true).last == "softmax over the channel: 3 -> 0.665")
    }

    func poolWindows(_ grid: [[Float]], kind: PoolKind, size: Pair = 2, padding: Pair = 0) throws -> [PoolWindow] {
        var windows: [PoolWindow] = []
        _ = try Pool2d.forward(input: Tensor(grid: grid), kind: kind, options: Pool2dOptions(kernel: size, padding: padding),
                               observer: { windows.append($0) })
        return windows
    }

    @Test func pooling() throws {
        let grid: [[Float]] = [[1, 3], [2, 4]]
        #expect(WindowArithmetic.lines(for: try poolWindows(grid, kind: .max)[0], kind: .max, ascii: true) == ["max(1, 3, 2, 4) = 4"])
        #expect(WindowArithmetic.lines(for: try poolWindows(grid, kind: .average)[0], kind: .average, ascii: true)
            == ["(1 + 3 + 2 + 4) / 4 = 2.5"])
        #expect(WindowArithmetic.lines(for: try poolWindows(grid, kind: .sum)[0], kind: .sum, ascii: true) == ["1 + 3 + 2 + 4 = 10"])
        let negative: [[Float]] = [[-1, 3], [-2, -4]]
        #expect(WindowArithmetic.lines(for: try poolWindows(negative, kind: .max)[0], kind: .max, ascii: false)
            == ["max(−1, 3, −2, −4) = 3"])
        #expect(WindowArithmetic.lines(for: try poolWindows(negative, kind: .sum)[0], kind: .sum, ascii: false)
            == ["−1 + 3 + (−2) + (−4) = −4"])
    }

    @Test func poolingPaddingCells() throws {
        let grid: [[Float]] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
        let max = try poolWindows(grid, kind: .max, padding: 1)
        #expect(WindowArithmetic.lines(for: max[0], kind: .max, ascii: true) == ["max(pad, pad, pad, 1) = 1"])
        let average = try poolWindows(grid, kind: .average, padding: 1)
        #expect(WindowArithmetic.lines(for: average[0], kind: .average, ascii: true) == ["(pad + pad + pad + 1) / 4 = 0.25"])
        #expect(WindowArithmetic.lines(for: average[3], kind: .average, ascii: true) == ["(5 + 6 + 8 + 9) / 4 = 7"])
    }

    @Test func bigPoolWindowsWrapOrSummarise() throws {
        let grid = (0..<6).map { row in (0..<6).map { Float(row * 6 + $0) } }
        let windows = try poolWindows(grid, kind: .max, size: 6)
        let lines = WindowArithmetic.lines(for: windows[0], kind: .max, ascii: true)
        #expect(lines.count > 1 && lines.allSatisfy { $0.count <= WindowArithmetic.maxLineWidth }, "\(lines)")
        #expect(lines.first?.hasPrefix("max(0, 1, 2,") == true && lines.last?.hasSuffix("35) = 35") == true)
        let large = (0..<10).map { row in (0..<10).map { Float(row * 10 + $0) } }
        let average = try poolWindows(large, kind: .average, size: 10)
        #expect(WindowArithmetic.lines(for: average[0], kind: .average, ascii: true)
            == ["the sum of the 100 cells = 4950", "4950 / 100 = 49.5"])
    }
}
