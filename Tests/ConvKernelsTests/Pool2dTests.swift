import ConvKernels
import Testing

/// A 4x4 grid 1...16 (row-major) as a 1x1x4x4 tensor.
private let grid16 = Tensor(grid: (0..<4).map { r in (0..<4).map { c in Float(r * 4 + c + 1) } })

/// Distinct values, a random permutation of multiples of 1/8 centred on 0, so that a finite-difference
/// step of 2^-10 is exact in Float and never changes which cell of a max-pooling window wins.
private func spacedValues(shape: [Int], random: inout SeededRandom) -> Tensor {
    let count = shape.reduce(1, *)
    let order = Array(0..<count).shuffled(using: &random)
    return Tensor(shape: shape, data: order.map { Float($0 - count / 2) * 0.125 })
}

@Suite("pool2d")
struct Pool2dTests {
    @Test("2x2 windows, stride 1, on X: max [[4,5],[7,8]], average [[2,3],[5,6]], sum [[8,12],[20,24]]")
    func workedExamplesStride1() throws {
        let options = Pool2dOptions(kernel: 2, stride: 1)
        #expect(try Pool2d.forward(input: gridX, kind: .max, options: options).grid() == [[4, 5], [7, 8]])
        #expect(try Pool2d.forward(input: gridX, kind: .average, options: options).grid() == [[2, 3], [5, 6]])
        #expect(try Pool2d.forward(input: gridX, kind: .sum, options: options).grid() == [[8, 12], [20, 24]])
    }

    @Test("stride defaults to the kernel: 2x2 windows tile a 4x4 grid")
    func workedExamplesStride2() throws {
        let options = Pool2dOptions(kernel: 2)
        #expect(options.stride == 2)
        // Windows {1,2,5,6}, {3,4,7,8}, {9,10,13,14}, {11,12,15,16}.
        #expect(try Pool2d.forward(input: grid16, kind: .max, options: options).grid() == [[6, 8], [14, 16]])
        #expect(try Pool2d.forward(input: grid16, kind: .average, options: options).grid() == [[3.5, 5.5], [11.5, 13.5]])
        #expect(try Pool2d.forward(input: grid16, kind: .sum, options: options).grid() == [[14, 22], [46, 54]])
    }

    @Test("padding 1: average pooling divides by the whole window, padding included")
    func workedExamplesPadding() throws {
        // 2x2 windows, stride 2, padding 1 on 1...16: output 3x3, rows and columns {-1,0}, {1,2}, {3,4}.
        // Window (0,0) holds only the input cell 1 (three padding cells): average 1/4.
        let options = Pool2dOptions(kernel: 2, stride: 2, padding: 1)
        #expect(try Pool2d.forward(input: grid16, kind: .sum, options: options).grid()
            == [[1, 5, 4], [14, 34, 20], [13, 29, 16]])
        #expect(try Pool2d.forward(input: grid16, kind: .average, options: options).grid()
            == [[0.25, 1.25, 1], [3.5, 8.5, 5], [3.25, 7.25, 4]])
        #expect(try Pool2d.forward(input: grid16, kind: .max, options: options).grid()
            == [[1, 3, 4], [9, 11, 12], [13, 15, 16]])
        // Padding never wins max pooling, even against negative values.
        let negative = Tensor(grid: grid16.grid().map { $0.map { -$0 } })
        #expect(try Pool2d.forward(input: negative, kind: .max, options: options).grid()
            == [[-1, -2, -4], [-5, -6, -8], [-13, -14, -16]])
        // 3x3 windows, stride 1, padding 1 on X: the corner window holds 0, 1, 3, 4 and five zeros: 8/9.
        let average = try Pool2d.forward(input: gridX, kind: .average, options: Pool2dOptions(kernel: 3, stride: 1, padding: 1))
        #expect(average[0, 0, 0, 0] == Float(8) / 9)
        #expect(average[0, 0, 1, 1] == Float(36) / 9)
        #expect(average[0, 0, 2, 2] == Float(4 + 5 + 7 + 8) / 9)
    }

    @Test("non-square kernel and stride: 1x2 windows, stride (2, 1)")
    func workedExamplesNonSquare() throws {
        let options = Pool2dOptions(kernel: Pair(1, 2), stride: Pair(2, 1))
        // Rows 0 and 2; columns {0,1}, {1,2}, {2,3}.
        #expect(try Pool2d.forward(input: grid16, kind: .max, options: options).grid() == [[2, 3, 4], [10, 11, 12]])
        #expect(try Pool2d.forward(input: grid16, kind: .sum, options: options).grid() == [[3, 5, 7], [19, 21, 23]])
        #expect(try Pool2d.forward(input: grid16, kind: .average, options: options).grid()
            == [[1.5, 2.5, 3.5], [9.5, 10.5, 11.5]])
    }

    @Test("max pooling ties go to the first cell in row-major order, and so does the gradient")
    func maxTies() throws {
        let input = Tensor(grid: [[2, 5], [5, 1]])
        let options = Pool2dOptions(kernel: 2)
        var windows: [PoolWindow] = []
        let output = try Pool2d.forward(input: input, kind: .max, options: options) { windows.append($0) }
        #expect(output.grid() == [[5]])
        #expect(windows.map(\.winner) == [1])
        let dInput = try Pool2d.backward(input: input, dOutput: Tensor(grid: [[3]]), kind: .max, options: options)
        #expect(dInput.grid() == [[0, 3], [0, 0]])
        // All equal: the top-left cell wins.
        let flat = try Pool2d.backward(input: Tensor(repeating: 7, shape: [1, 1, 2, 2]), dOutput: Tensor(grid: [[1]]),
                                       kind: .max, options: options)
        #expect(flat.grid() == [[1, 0], [0, 0]])
    }

    @Test("backward worked examples: overlapping windows accumulate")
    func backwardWorkedExamples() throws {
        let options = Pool2dOptions(kernel: 2, stride: 1)
        let ones = Tensor(repeating: 1, shape: [1, 1, 2, 2])
        // The winners of X's four windows are 4, 5, 7, 8.
        #expect(try Pool2d.backward(input: gridX, dOutput: ones, kind: .max, options: options).grid()
            == [[0, 0, 0], [0, 1, 1], [0, 1, 1]])
        // One peak in the middle wins all four windows.
        let peak = Tensor(grid: [[0, 0, 0], [0, 9, 0], [0, 0, 0]])
        #expect(try Pool2d.backward(input: peak, dOutput: Tensor(grid: [[1, 2], [3, 4]]), kind: .max, options: options).grid()
            == [[0, 0, 0], [0, 10, 0], [0, 0, 0]])
        // Average: each cell gets 1/4 per window covering it; sum: 1 per window.
        #expect(try Pool2d.backward(input: gridX, dOutput: ones, kind: .average, options: options).grid()
            == [[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]])
        #expect(try Pool2d.backward(input: gridX, dOutput: ones, kind: .sum, options: options).grid()
            == [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
        // Padding: the corner window's gradient 4 reaches the one input cell it covers, divided by 4.
        let padded = Pool2dOptions(kernel: 2, stride: 2, padding: 1)
        let dOutput = Tensor(grid: [[4, 0, 0], [0, 0, 0], [0, 0, 8]])
        #expect(try Pool2d.backward(input: grid16, dOutput: dOutput, kind: .average, options: padded).grid()
            == [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]])
    }

    static let gradientCases: [(shape: [Int], options: Pool2dOptions)] = [
        ([2, 3, 5, 6], Pool2dOptions(kernel: 2)),
        ([1, 2, 7, 7], Pool2dOptions(kernel: 3, stride: 2, padding: 1)),
        ([2, 2, 6, 5], Pool2dOptions(kernel: Pair(3, 2), stride: Pair(1, 2), padding: 1)),
        ([1, 1, 5, 4], Pool2dOptions(kernel: Pair(2, 3), stride: 1, padding: Pair(1, 0))),
        ([1, 2, 4, 4], Pool2dOptions(kernel: 2, stride: 1, padding: 1)),
        // ceil mode: clipped last windows, without padding and with it.
        ([1, 2, 5, 5], Pool2dOptions(kernel: 2, ceilMode: true)),
        ([2, 1, 6, 7], Pool2dOptions(kernel: 3, stride: 2, padding: 1, ceilMode: true)),
    ]

    @Test("ceil mode on X, 2x2 windows: the last row and column of windows are clipped by the edge")
    func ceilModeWorkedExample() throws {
        let options = Pool2dOptions(kernel: 2, ceilMode: true)
        #expect(try Pool2d.forward(input: gridX, kind: .max, options: Pool2dOptions(kernel: 2)).grid() == [[4]])
        // Windows {0, 1, 3, 4}, {2, 5}, {6, 7}, {8}; average pooling divides by the cells inside.
        #expect(try Pool2d.forward(input: gridX, kind: .max, options: options).grid() == [[4, 5], [7, 8]])
        #expect(try Pool2d.forward(input: gridX, kind: .sum, options: options).grid() == [[8, 7], [13, 8]])
        #expect(try Pool2d.forward(input: gridX, kind: .average, options: options).grid() == [[2, 3.5], [6.5, 8]])
        let ones = Tensor(repeating: 1, shape: [1, 1, 2, 2])
        #expect(try Pool2d.backward(input: gridX, dOutput: ones, kind: .average, options: options).grid()
            == [[0.25, 0.25, 0.5], [0.25, 0.25, 0.5], [0.5, 0.5, 1]])
        #expect(try Pool2d.backward(input: gridX, dOutput: ones, kind: .max, options: options).grid()
            == [[0, 0, 0], [0, 1, 1], [0, 1, 1]])
    }

    @Test("ceil mode's output size: one more window for a remainder, none that would start in the right padding",
          arguments: [(5, 2, 2, 0, 2, 3), (6, 3, 2, 1, 3, 4), (5, 2, 2, 1, 3, 3), (7, 3, 2, 1, 4, 4), (4, 2, 3, 0, 1, 2)])
    func ceilModeSizes(input: Int, kernel: Int, stride: Int, padding: Int, floorSize: Int, ceilSize: Int) throws {
        let shape = [1, 1, input, input]
        let floor = try Pool2d.Geometry(inputShape: shape, options: Pool2dOptions(kernel: Pair(kernel), stride: Pair(stride), padding: Pair(padding)))
        let ceil = try Pool2d.Geometry(inputShape: shape, options: Pool2dOptions(kernel: Pair(kernel), stride: Pair(stride), padding: Pair(padding), ceilMode: true))
        #expect(floor.outputShape == [1, 1, floorSize, floorSize])
        #expect(ceil.outputShape == [1, 1, ceilSize, ceilSize])
        #expect(floor.windowsFit)
        #expect(ceil.windowsFit == (ceilSize == floorSize))
    }

    @Test("backward matches finite differences", arguments: PoolKind.allCases, 0..<gradientCases.count)
    func gradientCheck(kind: PoolKind, caseIndex: Int) throws {
        let (shape, options) = Self.gradientCases[caseIndex]
        var random = SeededRandom(seed: UInt64(200 + caseIndex))
        let input = spacedValues(shape: shape, random: &random)
        let output = try Pool2d.forward(input: input, kind: kind, options: options)
        let dOutput = random.uniformTensor(shape: output.shape)
        let dInput = try Pool2d.backward(input: input, dOutput: dOutput, kind: kind, options: options)
        let numerical = numericalGradient(of: input, outputWeights: dOutput, step: 1.0 / 1024) {
            try! Pool2d.forward(input: $0, kind: kind, options: options)
        }
        expectClose(dInput, numerical, tolerance: 1e-3, "\(kind) dInput")
    }

    @Test("the observer's windows rebuild the forward output exactly", arguments: PoolKind.allCases)
    func observerRebuildsForward(kind: PoolKind) throws {
        var random = SeededRandom(seed: 17)
        let options = Pool2dOptions(kernel: Pair(3, 2), stride: Pair(2, 1), padding: 1)
        let (height, width) = (7, 6)
        let input = random.uniformTensor(shape: [2, 3, height, width])
        var windows: [PoolWindow] = []
        let output = try Pool2d.forward(input: input, kind: kind, options: options) { windows.append($0) }
        #expect(windows.count == output.count)
        var rebuilt = Tensor(zeros: output.shape)
        for window in windows {
            #expect(window.inputRows == (0..<3).map { window.outputRow * 2 - 1 + $0 })
            #expect(window.inputColumns == (0..<2).map { window.outputColumn - 1 + $0 })
            #expect(window.cells.count == 6)
            for (index, cell) in window.cells.enumerated() {
                #expect(cell.inputRow == window.inputRows[index / 2] && cell.inputColumn == window.inputColumns[index % 2])
                let outside = cell.inputRow < 0 || cell.inputRow >= height || cell.inputColumn < 0 || cell.inputColumn >= width
                #expect(cell.isPadding == outside)
                if outside {
                    #expect(cell.value == (kind == .max ? -.infinity : 0))
                } else {
                    #expect(cell.value == input[window.batch, window.channel, cell.inputRow, cell.inputColumn])
                }
            }
            let replayed: Float
            switch kind {
            case .max:
                // The first cell holding the largest value.
                let largest = window.cells.map(\.value).max() ?? -.infinity
                let first = window.cells.firstIndex { $0.value == largest }
                #expect(window.winner == first)
                #expect(window.divisor == 1)
                replayed = window.cells[window.winner ?? 0].value
            case .average, .sum:
                #expect(window.winner == nil)
                #expect(window.divisor == (kind == .average ? 6 : 1))
                var sum: Float = 0
                for cell in window.cells { sum += cell.value }
                replayed = sum / Float(window.divisor)
            }
            #expect(replayed == window.value)
            rebuilt[window.batch, window.channel, window.outputRow, window.outputColumn] = replayed
        }
        #expect(rebuilt == output)
        // Without an observer the same loops write the same floats.
        #expect(try Pool2d.forward(input: input, kind: kind, options: options) == output)
    }

    @Test("the backward observer's contributions rebuild dInput exactly", arguments: PoolKind.allCases)
    func observerRebuildsBackward(kind: PoolKind) throws {
        var random = SeededRandom(seed: 18)
        let options = Pool2dOptions(kernel: 3, stride: 2, padding: 1)
        let input = random.uniformTensor(shape: [2, 2, 6, 7])
        var forwardWindows: [PoolWindow] = []
        let output = try Pool2d.forward(input: input, kind: kind, options: options) { forwardWindows.append($0) }
        let dOutput = random.uniformTensor(shape: output.shape)
        var windows: [PoolGradientWindow] = []
        let dInput = try Pool2d.backward(input: input, dOutput: dOutput, kind: kind, options: options) { windows.append($0) }
        #expect(windows.count == output.count)
        var rebuilt = Tensor(zeros: input.shape)
        for (window, forwardWindow) in zip(windows, forwardWindows) {
            #expect(window.gradOutput == dOutput[window.batch, window.channel, window.outputRow, window.outputColumn])
            let inputCells = forwardWindow.cells.filter { !$0.isPadding }
            switch kind {
            case .max:
                let winner = forwardWindow.cells[forwardWindow.winner ?? 0]
                #expect(window.contributions == [PoolContribution(inputRow: winner.inputRow, inputColumn: winner.inputColumn,
                                                                  gradient: window.gradOutput)])
            case .average:
                #expect(window.contributions.map { [$0.inputRow, $0.inputColumn] } == inputCells.map { [$0.inputRow, $0.inputColumn] })
                #expect(window.contributions.allSatisfy { $0.gradient == window.gradOutput / 9 })
            case .sum:
                #expect(window.contributions.map { [$0.inputRow, $0.inputColumn] } == inputCells.map { [$0.inputRow, $0.inputColumn] })
                #expect(window.contributions.allSatisfy { $0.gradient == window.gradOutput })
            }
            for contribution in window.contributions {
                rebuilt[window.batch, window.channel, contribution.inputRow, contribution.inputColumn] += contribution.gradient
            }
        }
        #expect(rebuilt == dInput)
        #expect(try Pool2d.backward(input: input, dOutput: dOutput, kind: kind, options: options) == dInput)
    }

    @Test("bad shapes and options are rejected with the rule they broke")
    func badInput() {
        func message(_ options: Pool2dOptions, input: Tensor = gridX) -> String {
            kernelErrorMessage { _ = try Pool2d.forward(input: input, kind: .max, options: options) }
        }
        #expect(message(Pool2dOptions(kernel: 2, padding: 2)).contains("pad should be at most half of the kernel size"))
        #expect(message(Pool2dOptions(kernel: Pair(3, 2), padding: Pair(1, 2))).contains("padding 2 along the width"))
        #expect(message(Pool2dOptions(kernel: 2, stride: 0)).contains("stride must be at least 1"))
        #expect(message(Pool2dOptions(kernel: Pair(2, 0))).contains("kernel width is 0; it must be at least 1"))
        #expect(message(Pool2dOptions(kernel: 2, padding: -1)).contains("padding must be 0 or more"))
        #expect(message(Pool2dOptions(kernel: 4)).contains("larger than the padded input"))
        #expect(message(Pool2dOptions(kernel: 2), input: Tensor(zeros: [3, 3])).contains("must have 4 dimensions"))
        #expect(message(Pool2dOptions(kernel: 2), input: Tensor(zeros: [0, 1, 3, 3])).contains("every size must be at least 1"))
        let wrongGradient = kernelErrorMessage {
            _ = try Pool2d.backward(input: gridX, dOutput: Tensor(zeros: [1, 1, 2, 2]), kind: .sum,
                                    options: Pool2dOptions(kernel: 2))
        }
        #expect(wrongGradient.contains("must have the output's shape [1, 1, 1, 1]"))
        // The backward pass checks the options too.
        #expect(kernelErrorMessage {
            _ = try Pool2d.backward(input: gridX, dOutput: Tensor(zeros: [1, 1, 2, 2]), kind: .average,
                                    options: Pool2dOptions(kernel: 1, stride: 1, padding: 1))
        }.contains("pad should be at most half of the kernel size"))
    }
}

@Suite("global average pooling")
struct GlobalAvgPool2dTests {
    @Test("each plane becomes its mean")
    func workedExample() throws {
        let doubled = gridX.grid().map { $0.map { $0 * 2 } }
        let input = Tensor(channels: [gridX.grid(), doubled])
        let output = try GlobalAvgPool2d.forward(input: input)
        #expect(output.shape == [1, 2, 1, 1])
        #expect(output.data == [4, 8])
    }

    @Test("backward spreads dOutput / (H * W) over the plane")
    func backwardWorkedExample() throws {
        let input = Tensor(zeros: [2, 1, 2, 4])
        let dInput = try GlobalAvgPool2d.backward(input: input, dOutput: Tensor(shape: [2, 1, 1, 1], data: [8, -4]))
        #expect(dInput.data == [Float](repeating: 1, count: 8) + [Float](repeating: -0.5, count: 8))
    }

    @Test("agrees with average pooling over the whole plane")
    func matchesPool2d() throws {
        var random = SeededRandom(seed: 30)
        let input = random.uniformTensor(shape: [2, 3, 4, 5])
        let pooled = try Pool2d.forward(input: input, kind: .average, options: Pool2dOptions(kernel: Pair(4, 5)))
        expectClose(try GlobalAvgPool2d.forward(input: input), pooled, tolerance: 1e-6, "global vs pool2d")
    }

    @Test("backward matches finite differences")
    func gradientCheck() throws {
        var random = SeededRandom(seed: 31)
        let input = random.uniformTensor(shape: [2, 3, 4, 5])
        let dOutput = random.uniformTensor(shape: [2, 3, 1, 1])
        let dInput = try GlobalAvgPool2d.backward(input: input, dOutput: dOutput)
        let numerical = numericalGradient(of: input, outputWeights: dOutput) { try! GlobalAvgPool2d.forward(input: $0) }
        expectClose(dInput, numerical, tolerance: 1e-3, "dInput")
    }

    @Test("bad shapes are rejected with the rule they broke")
    func badInput() {
        #expect(kernelErrorMessage { _ = try GlobalAvgPool2d.forward(input: Tensor(zeros: [2, 3, 4])) }
            .contains("must have 4 dimensions"))
        #expect(kernelErrorMessage { _ = try GlobalAvgPool2d.forward(input: Tensor(zeros: [1, 1, 0, 3])) }
            .contains("every size must be at least 1"))
        #expect(kernelErrorMessage { _ = try GlobalAvgPool2d.backward(input: gridX, dOutput: Tensor(zeros: [1, 1, 3, 3])) }
            .contains("must have the output's shape [1, 1, 1, 1]"))
    }
}

@Suite("flatten")
struct FlattenTests {
    @Test("[N, C, H, W] becomes [N, C * H * W] with the values in place, and backward undoes it")
    func roundTrip() {
        var random = SeededRandom(seed: 40)
        let input = random.uniformTensor(shape: [2, 3, 4, 5])
        let output = Flatten.forward(input)
        #expect(output.shape == [2, 60])
        #expect(output.data == input.data)
        #expect(output[1, 0] == input[1, 0, 0, 0])
        #expect(output[0, 59] == input[0, 2, 3, 4])
        let dInput = Flatten.backward(dOutput: output, inputShape: input.shape)
        #expect(dInput == input)
        // A 2-D tensor is already flat.
        let flat = Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
        #expect(Flatten.forward(flat) == flat)
    }
}
