import ConvKernels
import Testing

@Suite("Padding modes and framework conventions")
struct Pad2dTests {
    /// The row 1 2 3 4 padded by 2 on the left and 1 on the right, as F.pad documents each mode.
    @Test("one row, every mode, worked by hand", arguments: [
        (Pad2d.Mode.zero, [Float(0), 0, 1, 2, 3, 4, 0]),
        (.reflect, [3, 2, 1, 2, 3, 4, 3]),
        (.replicate, [1, 1, 1, 2, 3, 4, 4]),
        (.circular, [3, 4, 1, 2, 3, 4, 1]),
    ])
    func row(mode: Pad2d.Mode, expected: [Float]) throws {
        let input = Tensor(grid: [[1, 2, 3, 4]])
        let output = try Pad2d.forward(input: input, sides: Pad2d.Sides(top: 0, bottom: 0, left: 2, right: 1), mode: mode)
        #expect(output.shape == [1, 1, 1, 7])
        #expect(output.data == expected)
    }

    @Test("a 3x3 grid reflected by 1 on every side")
    func grid() throws {
        let input = Tensor(grid: [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let output = try Pad2d.forward(input: input, sides: Pad2d.Sides(1), mode: .reflect)
        #expect(output == Tensor(grid: [
            [5, 4, 5, 6, 5], [2, 1, 2, 3, 2], [5, 4, 5, 6, 5], [8, 7, 8, 9, 8], [5, 4, 5, 6, 5],
        ]))
    }

    @Test("backward is the adjoint of forward: <pad(x), g> = <x, backward(g)>", arguments: Pad2d.Mode.allCases)
    func adjoint(mode: Pad2d.Mode) throws {
        var random = SeededRandom(seed: 4)
        let x = random.uniformTensor(shape: [2, 3, 4, 5])
        let sides = Pad2d.Sides(top: 1, bottom: 3, left: 2, right: 0)
        let padded = try Pad2d.forward(input: x, sides: sides, mode: mode)
        let g = random.uniformTensor(shape: padded.shape)
        let dInput = try Pad2d.backward(dOutput: g, inputShape: x.shape, sides: sides, mode: mode)
        let left = zip(padded.data, g.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x.data, dInput.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) < 1e-4 * max(1, abs(left)))
    }

    @Test("PyTorch's limits: reflect narrower than the input, circular no wider, nothing negative")
    func limits() {
        let input = Tensor(grid: [[1, 2, 3]])
        #expect(throws: KernelError.self) { try Pad2d.forward(input: input, sides: Pad2d.Sides(top: 0, bottom: 0, left: 3, right: 0), mode: .reflect) }
        #expect(throws: KernelError.self) { try Pad2d.forward(input: input, sides: Pad2d.Sides(top: 0, bottom: 0, left: 4, right: 0), mode: .circular) }
        #expect(throws: KernelError.self) { try Pad2d.forward(input: input, sides: Pad2d.Sides(-1), mode: .zero) }
        #expect((try? Pad2d.forward(input: input, sides: Pad2d.Sides(top: 0, bottom: 0, left: 3, right: 3), mode: .circular)) != nil)
    }

    @Test("TensorFlow SAME: output ceil(in / stride), the odd extra padding cell after")
    func tensorflowSame() throws {
        // 5 wide, 2x2 kernel, stride 1: out 5, total padding 1 -> 0 before, 1 after.
        let a = try PaddingConvention.tensorflowSame.output(input: 5, kernel: 2, stride: 1)
        #expect(a.size == 5 && a.before == 0 && a.after == 1)
        // 7 wide, 3x3 kernel, stride 2: out 4, total (4-1)*2 + 3 - 7 = 2 -> 1 and 1.
        let b = try PaddingConvention.tensorflowSame.output(input: 7, kernel: 3, stride: 2)
        #expect(b.size == 4 && b.before == 1 && b.after == 1)
        // 6 wide, 3x3, stride 2: out 3, total (3-1)*2 + 3 - 6 = 1 -> 0 and 1.
        let c = try PaddingConvention.tensorflowSame.output(input: 6, kernel: 3, stride: 2)
        #expect(c.size == 3 && c.before == 0 && c.after == 1)
    }

    @Test("PyTorch's floor, TensorFlow VALID and CS231n's whole-number rule")
    func floorValidAndCS231n() throws {
        #expect(try PaddingConvention.pytorch.output(input: 7, kernel: 3, stride: 2, padding: 0).size == 3)
        #expect(try PaddingConvention.tensorflowValid.output(input: 7, kernel: 3, stride: 2).size == 3)
        // CS231n's own examples: 7x7 input, 3x3 filter: stride 2 gives 3; stride 3 is invalid.
        #expect(try PaddingConvention.cs231n.output(input: 7, kernel: 3, stride: 2).size == 3)
        do {
            _ = try PaddingConvention.cs231n.output(input: 7, kernel: 3, stride: 3)
            Issue.record("stride 3 on 7 with a 3-filter was accepted")
        } catch {
            #expect(error.message.contains("4/3 + 1 is not a whole number"))
            #expect(error.message.contains("PyTorch would round down to 2"))
        }
        // PyTorch floors the same case to 2.
        #expect(try PaddingConvention.pytorch.output(input: 7, kernel: 3, stride: 3).size == 2)
    }
}
