import Foundation
import Testing
@testable import ConvKernels

/// The vectorised tanh against tanh computed in Double, and its agreement across Activation's paths.
@Suite("VectorMath")
struct VectorMathTests {
    /// Error in units in the last place of the correctly rounded result.
    static func ulps(_ value: Float, _ exact: Double) -> Double {
        let rounded = Float(exact)
        let ulp = Double(rounded == 0 ? Float.leastNonzeroMagnitude : rounded.ulp)
        return abs(Double(value) - exact) / ulp
    }

    @Test("tanh is within 3 ulp of the exact value from -12 to 12, odd, and exactly ±1 far out")
    func tanhAccuracy() {
        var worst = 0.0, worstAt: Float = 0
        var x: Float = -12
        while x <= 12 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 1e-4 })
            let result = VectorMath.tanh(lanes)
            for lane in 0..<8 {
                let error = Self.ulps(result[lane], Foundation.tanh(Double(lanes[lane])))
                if error > worst { (worst, worstAt) = (error, lanes[lane]) }
                #expect(result[lane] == -VectorMath.tanh(-lanes)[lane], "odd at \(lanes[lane])")
            }
            x += 8e-4 + 3.7e-5  // an irregular stride, so the lanes sweep every part of the range
        }
        #expect(worst <= 3, "worst \(worst) ulp at \(worstAt)")
        // Tiny inputs: tanh(x) = x to Float's precision, subnormals included.
        for tiny: Float in [1e-30, -1e-30, Float.leastNonzeroMagnitude * 100, 3e-8, 0, -0.0] {
            #expect(VectorMath.tanh(SIMD8(repeating: tiny))[0] == tiny)
        }
        for far: Float in [20, 50, 88, 89, 1e30, .infinity] {
            #expect(VectorMath.tanh(SIMD8(repeating: far))[0] == 1)
            #expect(VectorMath.tanh(SIMD8(repeating: -far))[0] == -1)
        }
        #expect(VectorMath.tanh(SIMD8(repeating: .nan))[0].isNaN)
    }

    @Test("Activation.tanh: forward and backward (eight at a time and the tail) equal value and derivative bit for bit")
    func activationPathsAgree() {
        var random = SeededRandom(seed: 5)
        let input = random.uniformTensor(shape: [3, 7], in: -4..<4)  // 21 values: two vectors and a tail of 5
        let dOutput = random.uniformTensor(shape: [3, 7], in: -1..<1)
        let output = Activation.tanh.forward(input)
        let dInput = Activation.tanh.backward(input: input, dOutput: dOutput)
        for index in 0..<input.count {
            #expect(output.data[index] == Activation.tanh.value(input.data[index]))
            #expect(dInput.data[index] == dOutput.data[index] * Activation.tanh.derivative(input.data[index]))
        }
    }
}
