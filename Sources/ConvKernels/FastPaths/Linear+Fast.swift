/// The fast path of the linear layer: the register-blocked matrix products of `Gemm`, with rows
/// split over threads when the product is large enough to pay for waking them.
extension Linear {
    /// Below this many multiply-adds a product runs on the calling thread alone.
    static let parallelThreshold = 1 << 17

    static func fastForward(batch: Int, inputs: Int, outputs: Int, input: Tensor, weight: Tensor, bias: Tensor?,
                            threads: Int) -> Tensor {
        let parts = batch * inputs * outputs >= parallelThreshold ? Parallel.split(batch, into: threads) : [0..<batch]
        // The products overwrite every value, so the output starts uninitialised.
        return Tensor(shape: [batch, outputs]) { outputBuffer in
            input.data.withUnsafeBufferPointer { inputBuffer in
                weight.data.withUnsafeBufferPointer { weightBuffer in
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
            if let bias {
                bias.data.withUnsafeBufferPointer { biasBuffer in
                    for n in 0..<batch {
                        addFloats(from: biasBuffer.base, to: outputBuffer.base + n * outputs, count: outputs)
                    }
                }
            }
        }
    }

    static func fastBackward(batch: Int, inputs: Int, outputs: Int, input: Tensor, weight: Tensor, dOutput: Tensor,
                             hasBias: Bool, needInputGradient: Bool, threads: Int) -> Gradients {
        var dBias = [Float](repeating: 0, count: outputs)
        dOutput.data.withUnsafeBufferPointer { source in
            dBias.withUnsafeMutableBufferPointer { target in
                for n in 0..<batch { addFloats(from: source.base + n * outputs, to: target.base, count: outputs) }
            }
        }
        // dOutput^T [O, N], so the weight gradient is a plain product dOutput^T x (at batch 1 it is dOutput itself).
        let transposedGradient = batch == 1 ? dOutput.data : [Float](unsafeUninitializedCapacity: outputs * batch) { target, count in
            dOutput.data.withUnsafeBufferPointer { source in
                transpose(rows: batch, columns: outputs, from: source.base, rowStride: outputs,
                          to: target.base, targetRowStride: batch)
            }
            count = outputs * batch
        }
        let large = batch * inputs * outputs >= parallelThreshold
        let inputParts = large ? Parallel.split(batch, into: threads) : [0..<batch]
        let weightParts = large ? Parallel.split(outputs, into: threads) : [0..<outputs]
        /// Both products, each overwriting every value of its gradient; `dx` nil skips dInput.
        func products(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>) {
            input.data.withUnsafeBufferPointer { inputBuffer in
                weight.data.withUnsafeBufferPointer { weightBuffer in
                    dOutput.data.withUnsafeBufferPointer { gradientBuffer in
                        transposedGradient.withUnsafeBufferPointer { transposedBuffer in
                            nonisolated(unsafe) let x = inputBuffer.base, w = weightBuffer.base
                            nonisolated(unsafe) let dy = gradientBuffer.base, dyT = transposedBuffer.base
                            nonisolated(unsafe) let dx = dx, dw = dw
                            let inputJobs = dx == nil ? 0 : inputParts.count
                            Parallel.forEach(chunks: inputJobs + weightParts.count, threads: threads) { job in
                                if job < inputJobs, let dx {
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
        // The products write every value, so the gradients start uninitialised.
        var dInput: Tensor?
        let dWeight = Tensor(shape: [outputs, inputs]) { dWeightBuffer in
            if needInputGradient {
                dInput = Tensor(shape: [batch, inputs]) { dInputBuffer in products(dx: dInputBuffer.base, dw: dWeightBuffer.base) }
            } else {
                products(dx: nil, dw: dWeightBuffer.base)
            }
        }
        return Gradients(dInput: dInput ?? Tensor(zeros: [batch, inputs]), dWeight: dWeight,
                         dBias: hasBias ? Tensor(shape: [outputs], data: dBias) : nil)
    }
}
