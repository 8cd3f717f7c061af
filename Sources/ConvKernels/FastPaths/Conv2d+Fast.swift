/// The fast path of conv2d for small batches (`Conv2d+Batched.swift` takes batches of 16 or
/// more, `Conv2d+Depthwise.swift` depthwise convolutions at any batch, `Conv2d+Pointwise.swift`
/// 1x1 ones at batches of 16 or more): im2col into a cache-sized buffer, then the register-blocked matrix
/// products of `Gemm`, over all cores.
///
/// Work is split over threads by image when the batch has at least as many images as threads
/// (each thread owns whole images, so input gradients never collide), else over output positions
/// of each image (input gradients are then scattered after the parallel part, in order).
/// Images are taken in blocks whose unfolded patches fit in about 192 KB, so the matrix product
/// reads its right-hand side from L2.
extension Conv2d {
    static func fastForward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, bias: Tensor?, threads: Int) -> Tensor {
        if depthwisePathApplies(g) {
            return depthwiseForward(g, input: input, weight: weight, bias: bias, threads: threads)
        }
        if pointwisePathApplies(g) {
            return pointwiseForward(g, input: input, weight: weight, bias: bias, threads: threads)
        }
        // One input channel per group (LeNet-5's conv1) gives the batched path's products only KH * KW
        // terms, too few to pay for its repacking: the direct path is faster at any batch.
        if directPathApplies(g) && (g.batch < batchedPathMinimumBatch || g.inputChannelsPerGroup == 1) {
            return directForward(g, input: input, weight: weight, bias: bias, threads: threads)
        }
        if g.batch >= batchedPathMinimumBatch && paddedPlanesAreSmall(g) {
            return batchedForward(g, input: input, weight: weight, bias: bias, threads: threads)
        }
        var output = Tensor(zeros: g.outputShape)
        let plan = ConvWorkPlan(g, threads: threads)
        input.data.withUnsafeBufferPointer { inputBuffer in
            weight.data.withUnsafeBufferPointer { weightBuffer in
                output.data.withUnsafeMutableBufferPointer { outputBuffer in
                    nonisolated(unsafe) let x = inputBuffer.base
                    nonisolated(unsafe) let w = weightBuffer.base
                    nonisolated(unsafe) let y = outputBuffer.base
                    let biasValues = bias?.data
                    Parallel.forEach(chunks: plan.items.count, threads: threads) { item in
                        let patches = allocateAlignedFloats(plan.patchSize * plan.maxColumns)
                        let product = allocateAlignedFloats(g.outputChannelsPerGroup * plan.maxColumns)
                        defer { patches.deallocate(); product.deallocate() }
                        for unit in plan.items[item] {
                            let columns = plan.paddedColumns(unit)
                            for group in 0..<g.groups {
                                unfold(g, unit: unit, group: group, input: x, into: patches, leading: columns)
                                Gemm.multiply(m: g.outputChannelsPerGroup, n: columns, k: plan.patchSize,
                                              a: w + group * g.outputChannelsPerGroup * plan.patchSize, lda: plan.patchSize,
                                              b: patches, ldb: columns, c: product, ldc: columns, accumulate: false)
                                for localOutput in 0..<g.outputChannelsPerGroup {
                                    let o = group * g.outputChannelsPerGroup + localOutput
                                    let biasValue = biasValues?[o] ?? 0
                                    for image in 0..<unit.images {
                                        let source = product + localOutput * columns + image * unit.positionCount
                                        let target = y + ((unit.firstImage + image) * g.outputChannels + o) * plan.positions + unit.firstPosition
                                        for p in 0..<unit.positionCount { target[p] = source[p] + biasValue }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    static func fastBackward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool,
                             needInputGradient: Bool, threads: Int) -> Gradients {
        if depthwisePathApplies(g) {
            return depthwiseBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: hasBias,
                                     needInputGradient: needInputGradient, threads: threads)
        }
        if pointwisePathApplies(g) {
            return pointwiseBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: hasBias,
                                     needInputGradient: needInputGradient, threads: threads)
        }
        if g.batch >= batchedPathMinimumBatch && paddedPlanesAreSmall(g) {
            return batchedBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: hasBias,
                                   needInputGradient: needInputGradient, threads: threads)
        }
        if directPathApplies(g) {
            return directBackward(g, input: input, weight: weight, dOutput: dOutput, hasBias: hasBias,
                                  needInputGradient: needInputGradient, threads: threads)
        }
        let plan = ConvWorkPlan(g, threads: threads)
        let outputsPerGroup = g.outputChannelsPerGroup, patchSize = plan.patchSize
        let weightCount = g.outputChannels * patchSize
        var dInput = Tensor(zeros: g.inputShape)
        // Per work item: partial weight and bias gradients, summed after the parallel part.
        var partialWeight = [Float](repeating: 0, count: plan.items.count * weightCount)
        var partialBias = [Float](repeating: 0, count: plan.items.count * g.outputChannels)
        let transposed = transposedWeights(g, weight: weight)
        // When threads share an image, each keeps its unfolded input gradients for an ordered fold afterwards.
        let deferredFold = plan.splitsPositions && needInputGradient
        let keptPatches = deferredFold
            ? allocateAlignedFloats(plan.items.count * g.groups * patchSize * plan.maxColumns) : nil
        defer { keptPatches?.deallocate() }

        input.data.withUnsafeBufferPointer { inputBuffer in
            dOutput.data.withUnsafeBufferPointer { gradBuffer in
                transposed.withUnsafeBufferPointer { transposedBuffer in
                    dInput.data.withUnsafeMutableBufferPointer { dInputBuffer in
                        partialWeight.withUnsafeMutableBufferPointer { partialWeightBuffer in
                            partialBias.withUnsafeMutableBufferPointer { partialBiasBuffer in
                                nonisolated(unsafe) let x = inputBuffer.base
                                nonisolated(unsafe) let dy = gradBuffer.base
                                nonisolated(unsafe) let wT = transposedBuffer.base
                                nonisolated(unsafe) let dx = dInputBuffer.base
                                nonisolated(unsafe) let dwAll = partialWeightBuffer.base
                                nonisolated(unsafe) let dbAll = partialBiasBuffer.base
                                nonisolated(unsafe) let kept = keptPatches
                                Parallel.forEach(chunks: plan.items.count, threads: threads) { item in
                                    let patches = allocateAlignedFloats(patchSize * plan.maxColumns)
                                    let gradients = allocateAlignedFloats(outputsPerGroup * plan.maxColumns)
                                    let ownPatchGradients = allocateAlignedFloats(patchSize * plan.maxColumns)
                                    defer { patches.deallocate(); gradients.deallocate(); ownPatchGradients.deallocate() }
                                    let dw = dwAll + item * weightCount, db = dbAll + item * g.outputChannels
                                    for unit in plan.items[item] {
                                        let columns = plan.paddedColumns(unit)
                                        for group in 0..<g.groups {
                                            unfold(g, unit: unit, group: group, input: x, into: patches, leading: columns)
                                            // Gather this group's output gradients as [outputsPerGroup, columns], zero-padded.
                                            for localOutput in 0..<outputsPerGroup {
                                                let o = group * outputsPerGroup + localOutput
                                                let row = gradients + localOutput * columns
                                                var biasSum: Float = 0
                                                for image in 0..<unit.images {
                                                    let source = dy + ((unit.firstImage + image) * g.outputChannels + o) * plan.positions + unit.firstPosition
                                                    let target = row + image * unit.positionCount
                                                    copyFloats(from: source, to: target, count: unit.positionCount)
                                                    biasSum += sumFloats(source, count: unit.positionCount)
                                                }
                                                for column in (unit.images * unit.positionCount)..<columns { row[column] = 0 }
                                                db[o] += biasSum
                                            }
                                            // dWeight += dOutput patches^T
                                            Gemm.multiplyTransposed(m: outputsPerGroup, n: patchSize, k: columns,
                                                                    a: gradients, lda: columns, b: patches, ldb: columns,
                                                                    c: dw + group * outputsPerGroup * patchSize, ldc: patchSize,
                                                                    accumulate: true)
                                            guard needInputGradient else { continue }
                                            // dPatches = W^T dOutput, then folded back onto the input.
                                            let patchGradients = kept.map { $0 + (item * g.groups + group) * patchSize * plan.maxColumns }
                                                ?? ownPatchGradients
                                            Gemm.multiply(m: patchSize, n: columns, k: outputsPerGroup,
                                                          a: wT + group * patchSize * outputsPerGroup, lda: outputsPerGroup,
                                                          b: gradients, ldb: columns, c: patchGradients, ldc: columns,
                                                          accumulate: false)
                                            if kept == nil {
                                                fold(g, unit: unit, group: group, patchGradients: patchGradients, leading: columns, into: dx)
                                            }
                                        }
                                    }
                                }
                                if let kept {
                                    for item in 0..<plan.items.count {
                                        for unit in plan.items[item] {
                                            for group in 0..<g.groups {
                                                fold(g, unit: unit, group: group,
                                                     patchGradients: kept + (item * g.groups + group) * patchSize * plan.maxColumns,
                                                     leading: plan.paddedColumns(unit), into: dx)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var dWeight = [Float](repeating: 0, count: weightCount)
        var dBias = [Float](repeating: 0, count: g.outputChannels)
        for item in 0..<plan.items.count {
            for index in 0..<weightCount { dWeight[index] += partialWeight[item * weightCount + index] }
            for o in 0..<g.outputChannels { dBias[o] += partialBias[item * g.outputChannels + o] }
        }
        return Gradients(dInput: dInput, dWeight: Tensor(shape: g.weightShape, data: dWeight),
                         dBias: hasBias ? Tensor(shape: [g.outputChannels], data: dBias) : nil)
    }

    /// The weights transposed per group, `[groups][patchSize][outputsPerGroup]`, for the input
    /// gradient's products `W^T dOutput`.
    static func transposedWeights(_ g: Conv2dGeometry, weight: Tensor) -> [Float] {
        let outputsPerGroup = g.outputChannelsPerGroup
        let patchSize = g.inputChannelsPerGroup * g.kernelHeight * g.kernelWidth
        return [Float](unsafeUninitializedCapacity: g.outputChannels * patchSize) { target, count in
            weight.data.withUnsafeBufferPointer { source in
                for group in 0..<g.groups {
                    transpose(rows: outputsPerGroup, columns: patchSize,
                              from: source.base + group * outputsPerGroup * patchSize, rowStride: patchSize,
                              to: target.base + group * patchSize * outputsPerGroup, targetRowStride: outputsPerGroup)
                }
            }
            count = g.outputChannels * patchSize
        }
    }

    /// im2col: the input patches of one group under `unit`'s output positions, as a
    /// `[C/groups * KH * KW, leading]` matrix whose column `image * positionCount + p` is the patch
    /// of output position `firstPosition + p` of image `firstImage + image`; columns past the last
    /// are zero.
    static func unfold(_ g: Conv2dGeometry, unit: ConvWorkUnit, group: Int, input: UnsafePointer<Float>,
                       into patches: UnsafeMutablePointer<Float>, leading: Int) {
        let planeSize = g.inputHeight &* g.inputWidth
        let stride = g.options.stride.width
        let end = unit.firstPosition &+ unit.positionCount
        for localChannel in 0..<g.inputChannelsPerGroup {
            let channel = group &* g.inputChannelsPerGroup &+ localChannel
            for kernelRow in 0..<g.kernelHeight {
                for kernelColumn in 0..<g.kernelWidth {
                    let row = (localChannel &* g.kernelHeight &+ kernelRow) &* g.kernelWidth &+ kernelColumn
                    let columns = ColumnSpan(g, kernelColumn: kernelColumn)
                    for image in 0..<unit.images {
                        let plane = input + ((unit.firstImage &+ image) &* g.inputChannels &+ channel) &* planeSize
                        var out = patches + (row &* leading &+ image &* unit.positionCount)
                        var position = unit.firstPosition
                        while position < end {
                            let outputRow = position / g.outputWidth, first = position &- outputRow &* g.outputWidth
                            let count = min(g.outputWidth &- first, end &- position)
                            let inputRow = g.inputRow(outputRow: outputRow, kernelRow: kernelRow)
                            if inputRow < 0 || inputRow >= g.inputHeight {
                                out.update(repeating: 0, count: count)
                            } else {
                                let source = plane + (inputRow &* g.inputWidth &+ columns.start)
                                let lo = min(max(columns.inside.lowerBound, first), first &+ count)
                                let hi = max(min(columns.inside.upperBound, first &+ count), lo)
                                var x = first
                                while x < lo { out[x &- first] = 0; x &+= 1 }
                                if stride == 1 {
                                    copyFloats(from: source + x, to: out + (x &- first), count: hi &- x)
                                    x = hi
                                } else {
                                    while x < hi { out[x &- first] = source[x &* stride]; x &+= 1 }
                                }
                                while x < first &+ count { out[x &- first] = 0; x &+= 1 }
                            }
                            out += count
                            position &+= count
                        }
                    }
                    let used = unit.images &* unit.positionCount
                    (patches + (row &* leading &+ used)).update(repeating: 0, count: leading &- used)
                }
            }
        }
    }

    /// col2im: adds unfolded patch gradients back onto the input gradient (the adjoint of `unfold`).
    static func fold(_ g: Conv2dGeometry, unit: ConvWorkUnit, group: Int, patchGradients: UnsafePointer<Float>,
                     leading: Int, into dInput: UnsafeMutablePointer<Float>) {
        let planeSize = g.inputHeight &* g.inputWidth
        let stride = g.options.stride.width
        let end = unit.firstPosition &+ unit.positionCount
        for localChannel in 0..<g.inputChannelsPerGroup {
            let channel = group &* g.inputChannelsPerGroup &+ localChannel
            for kernelRow in 0..<g.kernelHeight {
                for kernelColumn in 0..<g.kernelWidth {
                    let row = (localChannel &* g.kernelHeight &+ kernelRow) &* g.kernelWidth &+ kernelColumn
                    let columns = ColumnSpan(g, kernelColumn: kernelColumn)
                    for image in 0..<unit.images {
                        let plane = dInput + ((unit.firstImage &+ image) &* g.inputChannels &+ channel) &* planeSize
                        var source = patchGradients + (row &* leading &+ image &* unit.positionCount)
                        var position = unit.firstPosition
                        while position < end {
                            let outputRow = position / g.outputWidth, first = position &- outputRow &* g.outputWidth
                            let count = min(g.outputWidth &- first, end &- position)
                            let inputRow = g.inputRow(outputRow: outputRow, kernelRow: kernelRow)
                            if inputRow >= 0 && inputRow < g.inputHeight {
                                let target = plane + (inputRow &* g.inputWidth &+ columns.start)
                                let lo = min(max(columns.inside.lowerBound, first), first &+ count)
                                let hi = max(min(columns.inside.upperBound, first &+ count), lo)
                                var x = lo
                                if stride == 1 {
                                    addFloats(from: source + (x &- first), to: target + x, count: hi &- x)
                                } else {
                                    while x < hi { target[x &* stride] += source[x &- first]; x &+= 1 }
                                }
                            }
                            source += count
                            position &+= count
                        }
                    }
                }
            }
        }
    }
}

/// `to[i] = from[i]` for `i < count`, eight lanes at a time: the rows copied here are short (10 to
/// 28 values in LeNet), where a call to memmove costs more than the copy.
@inline(__always)
func copyFloats(from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while count &- i >= 8 {
        UnsafeMutableRawPointer(target + i).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count { target[i] = source[i]; i &+= 1 }
}

/// `to[i] += from[i]` for `i < count`, eight lanes at a time.
@inline(__always)
func addFloats(from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while count &- i >= 8 {
        let sum = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
            + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count { target[i] += source[i]; i &+= 1 }
}

/// The sum of `count` values, eight lanes at a time.
@inline(__always)
func sumFloats(_ source: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>.zero
    var i = 0
    while count &- i >= 8 {
        lanes += UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
        i &+= 8
    }
    var total = lanes.sum()
    while i < count { total += source[i]; i &+= 1 }
    return total
}

/// For one kernel column: the input column under output column 0 (`start`, negative in the left
/// padding) and the output columns whose input column lies inside the image (`inside`).
struct ColumnSpan {
    let start: Int
    let inside: Range<Int>

    @inline(__always)
    init(_ g: Conv2dGeometry, kernelColumn: Int) {
        start = g.inputColumn(outputColumn: 0, kernelColumn: kernelColumn)
        let stride = g.options.stride.width
        // Output columns x with 0 <= x * stride + start < inputWidth. (The first is ceil(-start / stride),
        // written so that a stride near Int.max cannot overflow.)
        let first = start >= 0 ? 0 : (-start - 1) / stride + 1
        let last = g.inputWidth - 1 - start < 0 ? -1 : (g.inputWidth - 1 - start) / stride
        inside = first..<max(first, min(last + 1, g.outputWidth))
    }
}

/// A piece of a convolution's work: output positions `firstPosition ..< firstPosition + positionCount`
/// of images `firstImage ..< firstImage + images`.
struct ConvWorkUnit: Sendable {
    var firstImage: Int
    var images: Int
    var firstPosition: Int
    var positionCount: Int
}

/// How a convolution's work is split into per-thread items of cache-sized units.
struct ConvWorkPlan: Sendable {
    /// Per thread, the units it computes in order.
    let items: [[ConvWorkUnit]]
    let positions: Int
    let patchSize: Int
    /// The widest unit's column count, rounded up to whole 16-column blocks.
    let maxColumns: Int
    /// True when threads share images (a small batch), so input gradients must be folded in order.
    let splitsPositions: Bool

    init(_ g: Conv2dGeometry, threads: Int) {
        positions = g.outputHeight * g.outputWidth
        patchSize = g.inputChannelsPerGroup * g.kernelHeight * g.kernelWidth
        let threads = max(1, threads)
        let budget = 48 * 1024  // floats of unfolded patches per unit: 192 KB, well inside L2
        var items: [[ConvWorkUnit]] = []
        if g.batch >= threads || positions < 64 {
            splitsPositions = false
            let imagesPerUnit = max(1, min(g.batch, budget / max(1, patchSize * positions)))
            for range in Parallel.split(g.batch, into: threads) {
                var units: [ConvWorkUnit] = []
                var image = range.lowerBound
                while image < range.upperBound {
                    let count = min(imagesPerUnit, range.upperBound - image)
                    units.append(ConvWorkUnit(firstImage: image, images: count, firstPosition: 0, positionCount: positions))
                    image += count
                }
                items.append(units)
            }
        } else {
            splitsPositions = threads > 1
            let positionsPerUnit = max(16, budget / max(1, patchSize))
            for range in Parallel.split(positions, into: threads) {
                var units: [ConvWorkUnit] = []
                for image in 0..<g.batch {
                    var position = range.lowerBound
                    while position < range.upperBound {
                        let count = min(positionsPerUnit, range.upperBound - position)
                        units.append(ConvWorkUnit(firstImage: image, images: 1, firstPosition: position, positionCount: count))
                        position += count
                    }
                }
                items.append(units)
            }
        }
        self.items = items
        maxColumns = items.joined().map { ($0.images * $0.positionCount + 15) / 16 * 16 }.max() ?? 16
    }

    func paddedColumns(_ unit: ConvWorkUnit) -> Int {
        (unit.images * unit.positionCount + 15) / 16 * 16
    }
}
