import Testing
@testable import ConvKernels

/// Issue 13: no arithmetic on user-supplied sizes traps, and every geometry estimates what a call
/// costs from the shapes alone, before anything is allocated.
@Suite("Kernel costs and hostile sizes")
struct KernelCostTests {
    static let hostile = [0, -1, 1_000_000_000, Int.max, Int.min]

    @Test("output-size arithmetic never traps: every size at 0, -1, 1e9, Int.max and Int.min")
    func slidingWindowSweep() {
        for input in [1, 5] + Self.hostile {
            for kernel in [1, 3] + Self.hostile {
                for stride in [1] + Self.hostile {
                    for padding in [0, 1] + Self.hostile {
                        for dilation in [1] + Self.hostile {
                            // Thrown or returned: either is fine, a trap is not.
                            if let size = try? SlidingWindow.outputSize(input: input, kernel: kernel, stride: stride,
                                                                        padding: padding, dilation: dilation) {
                                #expect(size >= 1)
                            }
                            for convention in PaddingConvention.allCases {
                                _ = try? convention.output(input: input, kernel: kernel, stride: stride,
                                                           padding: padding, dilation: dilation)
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("Conv2dGeometry counts multiply-adds without overflow; nil when they cannot be counted")
    func multiplyAddsChecked() throws {
        let huge = try Conv2dGeometry(inputShape: [1 << 22, 1 << 22, 1, 1], weightShape: [1 << 22, 1 << 22, 1, 1],
                                      options: Conv2dOptions())
        #expect(huge.checkedMultiplyAdds == nil)
        #expect(huge.multiplyAdds == Int.max)
        #expect(huge.cost().steps == nil)
        #expect(throws: BudgetExceeded.self) { try huge.cost().check(for: "a huge convolution") }
        let small = try Conv2dGeometry(inputShape: [1, 2, 5, 5], weightShape: [3, 2, 3, 3], options: Conv2dOptions(padding: 1))
        #expect(small.checkedMultiplyAdds == 3 * 25 * 2 * 9)
    }

    @Test("a 3x3 output with dilation and padding of a billion costs kilobytes, and equals the reference")
    func hugeDilationAndPadding() throws {
        let input = Tensor(shape: [1, 1, 3, 3], data: (1...9).map(Float.init))
        let weight = Tensor(shape: [1, 1, 3, 3], data: [1, 0, 1, 0, 1, 0, 1, 0, 1])
        let options = Conv2dOptions(padding: 1_000_000_000, dilation: 1_000_000_000)
        let geometry = try Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        #expect(geometry.outputShape == [1, 1, 3, 3])
        let bytes = try #require(geometry.cost().bytes)
        #expect(bytes < 1_000_000, "estimated \(bytes) bytes")
        let fast = try Conv2d.forward(input: input, weight: weight, options: options)
        let reference = Conv2d.referenceForward(geometry, input: input, weight: weight, bias: nil)
        #expect(fast == reference)
        #expect(fast == input)  // only the centre tap lands on the input
        let gradients = try Conv2d.backward(input: input, weight: weight, dOutput: Tensor(repeating: 1, shape: [1, 1, 3, 3]),
                                            options: options)
        let referenceGradients = Conv2d.referenceBackward(geometry, input: input, weight: weight,
                                                          dOutput: Tensor(repeating: 1, shape: [1, 1, 3, 3]), hasBias: true)
        #expect(gradients.dInput == referenceGradients.dInput)
        #expect(gradients.dWeight == referenceGradients.dWeight)
    }

    @Test("a batch of 16 with a huge padding takes the unfolding path and equals the reference")
    func batchedHugePadding() throws {
        let input = Tensor(shape: [16, 1, 2, 2], data: (0..<64).map { Float($0 % 7) - 3 })
        let weight = Tensor(shape: [2, 1, 2, 2], data: [1, -1, 2, 0.5, 0, 1, -2, 1])
        let options = Conv2dOptions(padding: 100_000, dilation: 200_000)
        let geometry = try Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, options: options)
        #expect(try #require(geometry.cost().bytes) < 10_000_000)
        let fast = try Conv2d.forward(input: input, weight: weight, options: options)
        #expect(fast == Conv2d.referenceForward(geometry, input: input, weight: weight, bias: nil))
    }

    @Test("recorded windows are counted: a conv's terms and a pool's cells")
    func recordingCost() throws {
        let geometry = try Conv2dGeometry(inputShape: [1, 1, 6003, 6003], weightShape: [1, 1, 1, 1], options: Conv2dOptions())
        let plain = try #require(geometry.cost().bytes)
        let recorded = try #require(geometry.cost(recordingWindows: true).bytes)
        #expect(recorded > plain + 36_000_000 * MemoryLayout<ConvTerm>.stride)
        // The reported example: a 20001-cell window with padding 10000 over a 3x3 grid has a 1x1 output
        // but visits 400 million cells and would record them all.
        let pool = try Pool2d.Geometry(inputShape: [1, 1, 3, 3], options: Pool2dOptions(kernel: 20001, padding: 10000))
        #expect(pool.outputShape == [1, 1, 1, 1])
        #expect(pool.cellVisits == 20001 * 20001)
        let message = budgetMessage { try pool.cost(recordingWindows: true).check(for: "this pooling") }
        #expect(message.hasPrefix("this pooling would need "))
        #expect(message.hasSuffix("of memory; the limit is 512 MB"))
        let hours = try Pool2d.Geometry(inputShape: [1, 1, 3, 3], options: Pool2dOptions(kernel: 2_000_000_000, padding: 1_000_000_000))
        let work = budgetMessage { try hours.cost().check(for: "this pooling", unit: "window cell visits") }
        #expect(work == "this pooling would take 4.0 quintillion window cell visits; the limit is 2.0 billion")
    }

    @Test("Pad2d refuses paddings whose size overflows, and estimates the rest")
    func padOverflow() throws {
        let shape = [1, 1, 3, 3]
        for amount in [Int.max, Int.max / 2 + 1] {
            for mode in Pad2d.Mode.allCases {
                #expect(throws: KernelError.self) { try Pad2d.cost(inputShape: shape, sides: .init(amount), mode: mode) }
                #expect(throws: KernelError.self) {
                    try Pad2d.forward(input: Tensor(zeros: shape), sides: .init(amount), mode: mode)
                }
            }
        }
        let cost = try Pad2d.cost(inputShape: shape, sides: .init(100_000), mode: .replicate)
        #expect(cost.steps == 200_003 * 200_003)
        #expect(throws: BudgetExceeded.self) { try cost.check(for: "padding") }
    }

    @Test("pooling geometry never traps on hostile sizes")
    func poolSweep() {
        for kernel in [1, 2] + Self.hostile {
            for stride in [1] + Self.hostile {
                for padding in [0] + Self.hostile {
                    if let geometry = try? Pool2d.Geometry(inputShape: [1, 1, 3, 3],
                                                           options: Pool2dOptions(kernel: Pair(kernel), stride: Pair(stride),
                                                                                  padding: Pair(padding))) {
                        _ = geometry.cost(recordingWindows: true)
                    }
                }
            }
        }
    }
}

/// The message of the `BudgetExceeded` that `body` throws, or "" when it throws none.
func budgetMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch let error as BudgetExceeded {
        return error.message
    } catch {
        return "unexpected error \(error)"
    }
}
