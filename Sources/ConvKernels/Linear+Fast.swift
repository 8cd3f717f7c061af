/// The fast path of the linear layer: the register-blocked matrix products of `Gemm`, with rows
/// split over threads when the product is large enough to pay for waking them.
extension Linear {
    /// Below this many multiply-adds a product runs on the calling thread alone.
    static let parallelThreshold = 1 << 17

    static func fastForward(batch: Int, inputs: Int, outputs: Int, input: Tensor, weight: Tensor, bias: Tensor?,
                            threads: Int) -> Tensor {
        var output = Tensor(zeros: [batch, outputs])
        let parts = batch * inputs * outputs >= parallelThreshold ? Parallel.split(batch, into: threads) : [0..<batch]
        input.data.withUnsafeBufferPointer { inputBuffer in
            weight.data.withUnsafeBufferPointer { weightBuffer in
                output.data.withUnsafeMutableBufferPointer { outputBuffer in
                    nonisolated(unsafe) let x = inputBuffer.base, w = weightBuffer.base
                    nonisolated(unsafe) let y = outputBuffer.base
                    Parallel.forEach(chunks: parts.count, threads: threads) { part in
                        let rows = parts[part]
                        // y = x W^T: dot products of input rows with weight rows.
                        Gemm.multiplyTransposed(m: rows.count, n: outputs, k: inputs, a: x + rows.lowerBound * inputs, lda: inputs,
                                                b: w, ldb: inputs, c: y + rows.lowerBound * outputs, ldc: outputs,
                                                accumulate: false)
                    }
                }
            }
        }
        if let bias {
            for n in 0..<batch {
                for o in 0..<outputs { output.data[n * outputs + o] += bias.data[o] }
            }
        }
        return output
    }

    static func fastBackward(batch: Int, inputs: Int, outputs: Int, input: Tensor, weight: Tensor, dOutput: Tensor,
                             hasBias: Bool, needInputGradient: Bool, threads: Int) -> Gradients {
        var dInput = Tensor(zeros: [batch, inputs])
        var dWeight = Tensor(zeros: [outputs, inputs])
        var dBias = Tensor(zeros: [outputs])
        // dOutput^T [O, N], so the weight gradient is a plain product dOutput^T x.
        var transposedGradient = [Float](repeating: 0, count: outputs * batch)
        for n in 0..<batch {
            for o in 0..<outputs {
                let value = dOutput.data[n * outputs + o]
                transposedGradient[o * batch + n] = value
                dBias.data[o] += value
            }
        }
        let large = batch * inputs * outputs >= parallelThreshold
        let inputParts = large ? Parallel.split(batch, into: threads) : [0..<batch]
        let weightParts = large ? Parallel.split(outputs, into: threads) : [0..<outputs]
        input.data.withUnsafeBufferPointer { inputBuffer in
            weight.data.withUnsafeBufferPointer { weightBuffer in
                dOutput.data.withUnsafeBufferPointer { gradientBuffer in
                    transposedGradient.withUnsafeBufferPointer { transposedBuffer in
                        dInput.data.withUnsafeMutableBufferPointer { dInputBuffer in
                            dWeight.data.withUnsafeMutableBufferPointer { dWeightBuffer in
                                nonisolated(unsafe) let x = inputBuffer.base, w = weightBuffer.base
                                nonisolated(unsafe) let dy = gradientBuffer.base, dyT = transposedBuffer.base
                                nonisolated(unsafe) let dx = dInputBuffer.base, dw = dWeightBuffer.base
                                let inputJobs = needInputGradient ? inputParts.count : 0
                                Parallel.forEach(chunks: inputJobs + weightParts.count, threads: threads) { job in
                                    if job < inputJobs {
                                        // dInput = dOutput W
                                        let rows = inputParts[job]
                                        Gemm.multiply(m: rows.count, n: inputs, k: outputs, a: dy + rows.lowerBound * outputs,
                                                      lda: outputs, b: w, ldb: inputs, c: dx + rows.lowerBound * inputs,
                                                      ldc: inputs, accumulate: false)
                                    } else {
                                        // dWeight = dOutput^T x
                                        let rows = weightParts[job - inputJobs]
                                        Gemm.multiply(m: rows.count, n: inputs, k: batch, a: dyT + rows.lowerBound * batch,
                                                      lda: batch, b: x, ldb: inputs, c: dw + rows.lowerBound * inputs,
                                                      ldc: inputs, accumulate: false)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Gradients(dInput: dInput, dWeight: dWeight, dBias: hasBias ? dBias : nil)
    }
}
