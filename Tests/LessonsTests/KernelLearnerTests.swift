import ConvKernels
import Testing
@testable import Lessons

@Suite("KernelLearner")
struct KernelLearnerTests {
    /// A small drawing with edges in every direction: a dark sky, a house with a pitched roof, a
    /// door and a window (values 0...1).
    static let drawing: GridStack = {
        let size = 16
        var grid = Array(repeating: Array(repeating: Float(0.15), count: size), count: size)
        for row in 0..<size {
            for column in 0..<size {
                if row >= 8 && row < 15 && column >= 3 && column < 13 { grid[row][column] = 0.7 }
                // The roof: a triangle over the body.
                if row >= 3 && row < 8 && abs(column - 8) <= row - 3 + 1 && column >= 2 && column < 14 {
                    grid[row][column] = 0.45
                }
                if row >= 11 && row < 15 && column >= 5 && column < 7 { grid[row][column] = 0.05 }
                if row >= 9 && row < 11 && column >= 9 && column < 11 { grid[row][column] = 0.95 }
            }
        }
        // Grass with a little texture, so that no two neighbourhoods are the same.
        for column in 0..<size { grid[15][column] = 0.3 + Float(column % 3) * 0.1 }
        return GridStack(grid)
    }()

    static func spec(target: KernelPreset = .sobelX, start: GridStack? = nil, learningRate: Float = 0.5,
                     steps: Int = 200) -> TrainSpec {
        TrainSpec(task: .kernel(target: target.stack(), start: start, image: "house"), learningRate: learningRate,
                  steps: steps)
    }

    @Test func theTargetOutputIsTheKernelsOwnConvolution() throws {
        let learner = try KernelLearner(spec: Self.spec(), image: Self.drawing)
        let expected = try Conv2d.forward(input: Self.drawing.tensor, weight: KernelPreset.sobelX.stack().tensor)
        #expect(learner.targetOutput.channels[0] == expected.grid())
        #expect(learner.targetOutput.height == 14 && learner.targetOutput.width == 14)
        // Zeros to start with: the output is all zeros and the loss is the mean of y².
        #expect(learner.kernel.channels[0] == Array(repeating: [0, 0, 0], count: 3))
        let meanSquare = expected.data.reduce(Float(0)) { $0 + $1 * $1 } / Float(expected.count)
        #expect(abs(learner.loss - meanSquare) <= 1e-5 * meanSquare)
        #expect(learner.losses == [learner.loss])
        #expect(learner.stepCount == 0 && !learner.isFinished && learner.lastGradientWindows.isEmpty)
    }

    /// The rate and steps the lessons use for Sobel-x on the house: plain gradient descent
    /// diverges above about 0.65 on it (the image's mean brightness makes the all-ones direction
    /// steep) and converges slowly along directions the house's flat regions barely excite.
    static let houseRate: Float = 0.5
    static let houseSteps = 1_000

    @Test func learnsSobelXFromTheHouseWithinTheLessonsSteps() throws {
        var learner = try KernelLearner(spec: Self.spec(learningRate: Self.houseRate, steps: Self.houseSteps))
        #expect(learner.image == SampleImage.make("house"))
        var previous = learner.loss
        while !learner.isFinished {
            learner.step()
            // Gradient descent on a quadratic with a stable rate never raises the loss.
            #expect(learner.loss <= previous * (1 + 1e-4) + 1e-9)
            previous = learner.loss
        }
        #expect(learner.failure == nil)
        #expect(learner.stepCount <= Self.houseSteps)
        #expect(learner.losses.count == learner.stepCount + 1)
        #expect(learner.losses.last! < learner.losses[0] / 1_000)
        #expect(learner.largestKernelError < 0.05, "kernel \(learner.kernel.channels)")
    }

    @Test func theLossFallsOnAnotherDrawing() throws {
        var learner = try KernelLearner(spec: Self.spec(target: .laplacian), image: Self.drawing)
        for _ in 0..<100 { learner.step() }
        #expect(learner.failure == nil)
        #expect(learner.losses.last! < learner.losses[0] / 4)
        #expect(zip(learner.losses, learner.losses.dropFirst()).allSatisfy { $1 <= $0 * (1 + 1e-4) + 1e-9 })
    }

    @Test func aRateAboveTheStableOneStopsWhileTheLossGrows() throws {
        var learner = try KernelLearner(spec: Self.spec(learningRate: 0.8, steps: 200))
        while !learner.isFinished { learner.step() }
        let failure = try #require(learner.failure)
        #expect(failure.contains("over 10x its start"))
        // The message names the step that was not kept and the one shown, as the header counts them.
        #expect(failure.contains("at step \(learner.stepCount + 1) (not kept; step \(learner.stepCount) is shown)"), "\(failure)")
        #expect(failure.contains("learning rate 0.8 is too large here; try a smaller one, such as 0.08"))
        #expect(learner.stepCount < 200)
        // The kept kernel is the last one whose loss was still acceptable.
        #expect(learner.loss <= 10 * learner.losses[0])
    }

    @Test func eachStepRecordsOneGradientWindowPerOutputCell() throws {
        var learner = try KernelLearner(spec: Self.spec(), image: Self.drawing)
        learner.step()
        #expect(learner.lastGradientWindows.count == 14 * 14)
        #expect(learner.lastGradientWindows.first.map { [$0.outputRow, $0.outputColumn] } == [0, 0])
        #expect(learner.lastGradientWindows.last.map { [$0.outputRow, $0.outputColumn] } == [13, 13])
        // dOut = 2 (ŷ - y) / N at every cell.
        for window in learner.lastGradientWindows {
            let r = window.outputRow, c = window.outputColumn
            let expected = 2 / Float(196) * (learner.lastStepOutput.channels[0][r][c] - learner.targetOutput.channels[0][r][c])
            #expect(window.gradOutput == expected)
        }
        learner.step()
        // Only the last step's windows are kept.
        #expect(learner.lastGradientWindows.count == 14 * 14)
    }

    @Test func theWindowsAddUpToTheKernelsWeightGradientBitForBit() throws {
        var learner = try KernelLearner(spec: Self.spec(), image: Self.drawing)
        learner.step()
        learner.step()
        let windows = learner.lastGradientWindows
        let replayed = KernelLearner.weightGradient(from: windows[...], shape: [1, 1, 3, 3])
        #expect(replayed == learner.gradient.channels)
        // And the same as Conv2d.backward called here, at the kernel and output gradient of that step.
        let dOutput = learner.outputGradient.tensor
        // The kernel the step started from: the current one plus the update it made.
        var start = learner.kernel.tensor
        for index in 0..<start.count { start.data[index] += learner.learningRate * learner.gradient.tensor.data[index] }
        let reference = try Conv2d.backward(input: Self.drawing.tensor, weight: start, dOutput: dOutput, hasBias: false,
                                            observer: { _ in })
        #expect(reference.dWeight.grid() == replayed[0])
        // The fast path agrees to rounding.
        let fast = try Conv2d.backward(input: Self.drawing.tensor, weight: start, dOutput: dOutput, hasBias: false)
        for (a, b) in zip(fast.dWeight.data, reference.dWeight.data) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
    }

    @Test func theWeightGradientMatchesFiniteDifferencesOfTheLoss() throws {
        var learner = try KernelLearner(spec: Self.spec(), image: Self.drawing)
        for _ in 0..<3 { learner.step() }
        // The gradient of the last step was taken at the kernel before its update.
        var start = learner.kernel
        for channel in 0..<start.channelCount {
            for row in 0..<3 {
                for column in 0..<3 {
                    start.channels[channel][row][column] += learner.learningRate * learner.gradient.channels[channel][row][column]
                }
            }
        }
        let epsilon: Float = 1e-2
        for row in 0..<3 {
            for column in 0..<3 {
                var plus = start, minus = start
                plus.channels[0][row][column] += epsilon
                minus.channels[0][row][column] -= epsilon
                // The loss is quadratic in the weights, so the central difference is exact up to rounding.
                let numerical = (learner.loss(of: plus) - learner.loss(of: minus)) / (2 * epsilon)
                let analytic = learner.gradient.channels[0][row][column]
                #expect(abs(numerical - analytic) <= 2e-3 * max(1, abs(analytic)),
                        "dW[\(row),\(column)]: numerical \(numerical), analytic \(analytic)")
            }
        }
    }

    @Test func theArithmeticExplainsOneWindowWithItsOwnNumbers() throws {
        var learner = try KernelLearner(spec: Self.spec(), image: Self.drawing)
        learner.step()
        let index = 5
        let window = learner.lastGradientWindows[index]
        let lines = learner.gradientArithmetic(windowIndex: index)
        let predicted = learner.lastStepOutput.channels[0][0][5], wanted = learner.targetOutput.channels[0][0][5]
        #expect(lines.count == 11)
        #expect(lines[0] == "output (1, 6): ŷ \(KernelLearner.format(predicted)), target y \(KernelLearner.format(wanted))")
        #expect(lines[1] == "dOut = 2 × (\(KernelLearner.format(predicted)) − \(KernelLearner.format(wanted))) / 196 = "
            + KernelLearner.format(window.gradOutput))
        let term = window.terms[4]
        #expect(lines[6] == ("dW[2,2] += dOut \(KernelLearner.format(window.gradOutput)) × x "
            + "\(KernelLearner.format(term.input)) = \(KernelLearner.format(window.gradOutput * term.input))"))
        #expect(lines[2].hasPrefix("dW[1,1] += dOut "), "rows and columns counted from 1, as in the rest of the app")
        // The running sums: after the last window they are the step's gradient; before the first, zeros.
        #expect(learner.gradientSums(throughWindow: learner.lastGradientWindows.count - 1) == learner.gradient.channels)
        #expect(learner.gradientSums(throughWindow: -1) == [Array(repeating: [0, 0, 0], count: 3)])
        let first = learner.gradientSums(throughWindow: 0)
        #expect(first[0][2][1] == learner.lastGradientWindows[0].terms[7].input * learner.lastGradientWindows[0].gradOutput)
        let last = learner.gradientArithmetic(windowIndex: learner.lastGradientWindows.count - 1, ascii: true)
        #expect(last[0].hasPrefix("output (14, 14): y^ "))
        #expect(last[1].hasPrefix("dOut = 2 * ("))
        #expect(last[2].contains(" * x "))
        #expect(last.allSatisfy { $0.allSatisfy(\.isASCII) })
        #expect(learner.gradientArithmetic(windowIndex: -1).isEmpty)
        #expect(learner.gradientArithmetic(windowIndex: 196).isEmpty)
    }

    @Test func aLearningRateTooLargeStopsWithAMessage() throws {
        var learner = try KernelLearner(spec: Self.spec(learningRate: 1e4, steps: 500), image: Self.drawing)
        var steps = 0
        while !learner.isFinished && steps < 500 {
            learner.step()
            steps += 1
        }
        let failure = try #require(learner.failure)
        #expect(failure.contains("learning rate 10000 is too large here"))
        #expect(failure.contains("try a smaller one"))
        #expect(learner.isFinished)
        #expect(learner.loss.isFinite && learner.kernel.channels[0].joined().allSatisfy(\.isFinite))
        // Finished runs ignore further steps.
        let count = learner.stepCount
        learner.step()
        #expect(learner.stepCount == count)
    }

    @Test func startingAtTheTargetIsAlreadyFinished() throws {
        let learner = try KernelLearner(spec: Self.spec(start: KernelPreset.sobelX.stack()), image: Self.drawing)
        #expect(learner.loss == 0)
        #expect(learner.isFinished)
    }

    @Test func theRunStopsAfterItsSteps() throws {
        var learner = try KernelLearner(spec: Self.spec(learningRate: 0.01, steps: 3), image: Self.drawing)
        for _ in 0..<10 { learner.step() }
        #expect(learner.stepCount == 3)
        #expect(learner.isFinished)
    }

    @Test func badSpecsNameTheField() {
        func field(_ spec: TrainSpec, image: GridStack = KernelLearnerTests.drawing) -> String? {
            do {
                _ = try KernelLearner(spec: spec, image: image)
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(TrainSpec(task: .overfitting(trainingImages: 10, epochs: 1, dropout: false, weightDecay: 0,
                                                   augment: false))) == "task")
        #expect(field(TrainSpec(task: .kernel(target: KernelPreset.sobelX.stack(channels: 3), start: nil,
                                              image: "house"))) == "target")
        #expect(field(Self.spec(start: GridStack([[1, 2], [3, 4]]))) == "start")
        #expect(field(Self.spec(learningRate: -1)) == "learning_rate")
        #expect(field(Self.spec(learningRate: 0)) == "learning_rate")
        #expect(field(Self.spec(steps: 0)) == "steps")
        #expect(field(Self.spec(), image: GridStack([[1, 2], [3, 4]])) == "target")
        do {
            _ = try KernelLearner(spec: TrainSpec(task: .kernel(target: KernelPreset.sobelX.stack(), start: nil,
                                                                image: "castle")))
            Issue.record("an unknown image was accepted")
        } catch {
            #expect(error.field == "image")
            #expect(error.message.contains("unknown sample image 'castle'; known images: house"))
        }
    }
}
