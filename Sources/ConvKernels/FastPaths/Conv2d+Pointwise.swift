/// The fast path of 1x1 convolutions without padding (MobileNet's pointwise layers, Inception's
/// reductions, ResNet's strided shortcuts) at batches of 16 or more: per image, a plain matrix
/// product on the NCHW planes, with no repacking at all.
///
/// With `X[n]` image n's input as `[C, P]` (`P = OH * OW` positions, taken every `sH`-th row and
/// `sW`-th column when strided) and `Y[n]`, `dY[n]` its output and output gradient as `[O, P]`:
///
///     Y[n]    = W X[n] + bias              W: [O, C]
///     dW      = sum over n of dY[n] X[n]^T
///     dX[n]   = W^T dY[n]                  (scattered back to the strided positions)
///
/// Each thread owns whole images and keeps its own weight gradient; the copies are summed in
/// thread order afterwards.
extension Conv2d {
    /// Whether the pointwise path applies: a 1x1 kernel, no padding, one group, a batch of 16 or more.
    static func pointwisePathApplies(_ g: Conv2dGeometry) -> Bool {
        g.kernelHeight == 1 && g.kernelWidth == 1 && g.options.padding == Pair(0, 0) && g.groups == 1
            && g.batch >= batchedPathMinimumBatch
    }

    static func pointwiseForward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, bias: Tensor?, threads: Int) -> Tensor {
        let positions = g.outputHeight * g.outputWidth
        let parts = Parallel.split(g.batch, into: threads)
        let biasValues = bias?.data
        // Every output value is written by the matrix products.
        return Tensor(shape: g.outputShape) { output in
            input.data.withUnsafeBufferPointer { inputBuffer in
                weight.data.withUnsafeBufferPointer { weightBuffer in
                    nonisolated(unsafe) let x = inputBuffer.base, w = weightBuffer.base, y = output.base
                    Parallel.forEach(chunks: parts.count, threads: threads) { part in
                        let gathered = isStrided(g) ? allocateAlignedFloats(g.inputChannels * positions) : nil
                        defer { gathered?.deallocate() }
                        for n in parts[part] {
                            let image = x + n * g.inputChannels * g.inputHeight * g.inputWidth
                            let source = gathered.map { gatherStrided(g, image: image, into: $0) } ?? image
                            let target = y + n * g.outputChannels * positions
                            multiplyOverwriting(m: g.outputChannels, n: positions, k: g.inputChannels, a: w, lda: g.inputChannels,
                                                b: source, ldb: positions, c: target, ldc: positions)
                            if let biasValues {
                                for o in 0..<g.outputChannels where biasValues[o] != 0 {
                                    let row = target + o * positions, value = biasValues[o]
                                    for p in 0..<positions { row[p] += value }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func pointwiseBackward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool,
                                  needInputGradient: Bool, threads: Int) -> Gradients {
        let positions = g.outputHeight * g.outputWidth
        let parts = Parallel.split(g.batch, into: threads)
        let weightCount = g.outputChannels * g.inputChannels
        let partialWeights = allocateAlignedFloats(parts.count * weightCount)
        partialWeights.initialize(repeating: 0, count: parts.count * weightCount)
        defer { partialWeights.deallocate() }
        let transposed = transposedWeights(g, weight: weight)
        let inputImage = g.inputChannels * g.inputHeight * g.inputWidth
        func run(_ dx: UnsafeMutablePointer<Float>?) {
            input.data.withUnsafeBufferPointer { inputBuffer in
                dOutput.data.withUnsafeBufferPointer { gradientBuffer in
                    transposed.withUnsafeBufferPointer { transposedBuffer in
                        nonisolated(unsafe) let x = inputBuffer.base, dy = gradientBuffer.base, wT = transposedBuffer.base
                        nonisolated(unsafe) let partials = partialWeights, dInputs = dx
                        Parallel.forEach(chunks: parts.count, threads: threads) { part in
                            let strided = isStrided(g)
                            let gathered = strided ? allocateAlignedFloats(g.inputChannels * positions) : nil
                            let gatheredGradient = strided && dInputs != nil ? allocateAlignedFloats(g.inputChannels * positions) : nil
                            defer { gathered?.deallocate(); gatheredGradient?.deallocate() }
                            for n in parts[part] {
                                let image = x + n * inputImage
                                let source = gathered.map { gatherStrided(g, image: image, into: $0) } ?? image
                                let gradient = dy + n * g.outputChannels * positions
                                // dW += dY[n] X[n]^T
                                Gemm.multiplyTransposed(m: g.outputChannels, n: g.inputChannels, k: positions,
                                                        a: gradient, lda: positions, b: source, ldb: positions,
                                                        c: partials + part * weightCount, ldc: g.inputChannels, accumulate: true)
                                guard let dInputs else { continue }
                                // dX[n] = W^T dY[n]
                                let target = gatheredGradient ?? dInputs + n * inputImage
                                multiplyOverwriting(m: g.inputChannels, n: positions, k: g.outputChannels, a: wT,
                                                    lda: g.outputChannels, b: gradient, ldb: positions, c: target, ldc: positions)
                                if let gatheredGradient {
                                    scatterStrided(g, gatheredGradient, into: dInputs + n * inputImage)
                                }
                            }
                        }
                    }
                }
            }
        }
        let dInput: Tensor
        if !needInputGradient {
            run(nil)
            dInput = Tensor(zeros: g.inputShape)
        } else if isStrided(g) {
            // The positions no output reads get no gradient: the input gradient starts at zero.
            var zeros = Tensor(zeros: g.inputShape)
            zeros.data.withUnsafeMutableBufferPointer { run($0.base) }
            dInput = zeros
        } else {
            dInput = Tensor(shape: g.inputShape) { run($0.base) }
        }
        let dWeight = Tensor(shape: g.weightShape) { target in
            copyFloats(from: partialWeights, to: target.base, count: weightCount)
            for part in 1..<max(1, parts.count) {
                addFloats(from: partialWeights + part * weightCount, to: target.base, count: weightCount)
            }
        }
        var dBias: Tensor?
        if hasBias {
            var sums = [Float](repeating: 0, count: g.outputChannels)
            dOutput.data.withUnsafeBufferPointer { gradientBuffer in
                for n in 0..<g.batch {
                    for o in 0..<g.outputChannels {
                        sums[o] += sumFloats(gradientBuffer.base + (n * g.outputChannels + o) * positions, count: positions)
                    }
                }
            }
            dBias = Tensor(shape: [g.outputChannels], data: sums)
        }
        return Gradients(dInput: dInput, dWeight: dWeight, dBias: dBias)
    }

    /// `c = a b` (overwriting c), as `Gemm.multiply`, but with the columns past the last whole 8
    /// done as one more 8-column block that ends at column n: it recomputes a few columns with the
    /// very same arithmetic (so the same bits), where `Gemm` would do the rest one column at a time,
    /// which for 14x14 planes (196 = 24 * 8 + 4) took longer than all the other columns.
    private static func multiplyOverwriting(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                            b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let whole = n & ~7
        Gemm.multiply(m: m, n: n < 8 ? n : whole, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: false)
        if n > 8 && whole < n {
            Gemm.multiply(m: m, n: 8, k: k, a: a, lda: lda, b: b + (n - 8), ldb: ldb, c: c + (n - 8), ldc: ldc,
                          accumulate: false)
        }
    }

    /// Whether the 1x1 kernel skips input positions (a stride above 1), or reads every one of them.
    private static func isStrided(_ g: Conv2dGeometry) -> Bool {
        g.outputHeight != g.inputHeight || g.outputWidth != g.inputWidth
    }

    /// The input cells a strided 1x1 kernel reads from one image `[C, H, W]`, as `[C, OH * OW]`.
    private static func gatherStrided(_ g: Conv2dGeometry, image: UnsafePointer<Float>,
                                      into target: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let strideHeight = g.options.stride.height, strideWidth = g.options.stride.width
        var out = target
        for c in 0..<g.inputChannels {
            let plane = image + c * g.inputHeight * g.inputWidth
            for y in 0..<g.outputHeight {
                let row = plane + y * strideHeight * g.inputWidth
                for x in 0..<g.outputWidth { out[x] = row[x &* strideWidth] }
                out += g.outputWidth
            }
        }
        return UnsafePointer(target)
    }

    /// The adjoint of `gatherStrided`: `[C, OH * OW]` gradients to their cells of one image's gradient.
    private static func scatterStrided(_ g: Conv2dGeometry, _ source: UnsafePointer<Float>,
                                       into image: UnsafeMutablePointer<Float>) {
        let strideHeight = g.options.stride.height, strideWidth = g.options.stride.width
        var from = source
        for c in 0..<g.inputChannels {
            let plane = image + c * g.inputHeight * g.inputWidth
            for y in 0..<g.outputHeight {
                let row = plane + y * strideHeight * g.inputWidth
                for x in 0..<g.outputWidth { row[x &* strideWidth] = from[x] }
                from += g.outputWidth
            }
        }
    }
}
