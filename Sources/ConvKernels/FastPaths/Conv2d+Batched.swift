/// The batched fast path of conv2d, for batches of 16 images or more: no im2col at all.
///
/// The input is repacked once as `[C][H + 2 padH][W + 2 padW][lanes]`, batch innermost and
/// zero-padded (`lanes` = the batch rounded up to 16). Then every kernel tap of every output
/// position reads 16 images' values as two contiguous `SIMD8` vectors, found at
/// `tapOffsets[tap] + positionOffsets[position]`, whatever the stride, padding or dilation; the
/// products are `TableGemm`'s register blocks. Outputs are computed a tile of positions at a time and
/// transposed to NCHW while in cache; gradients use the batch-innermost layout throughout.
extension Conv2d {
    /// Batches at least this large take the batched path.
    static let batchedPathMinimumBatch = 16

    static func batchedForward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, bias: Tensor?, threads: Int) -> Tensor {
        let layout = BatchedLayout(g)
        let packed = layout.pack(input, threads: threads)
        defer { packed.deallocate() }
        // Every output value is written by the tile transposes, so the output starts uninitialised.
        return Tensor(shape: g.outputShape) { output in
            weight.data.withUnsafeBufferPointer { weightBuffer in
                forwardTiles(g, layout: layout, packedInput: packed, weight: weightBuffer.base, bias: bias?.data,
                             output: output.base, threads: threads)
            }
        }
    }

    /// Output positions in tiles of 16: a tile's products (`[O][tile][lanes]`) stay in cache until
    /// they are transposed into the NCHW output, with the bias added.
    private static func forwardTiles(_ g: Conv2dGeometry, layout: BatchedLayout, packedInput: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, bias: [Float]?, output: UnsafeMutablePointer<Float>,
                                     threads: Int) {
        let tile = 16
        let tileStride = tile * layout.lanes
        let tileRowOffsets = (0..<g.outputChannels).map { $0 * tileStride }
        // Positions split evenly over the threads first, then cut into tiles, so no thread waits
        // on another's extra tile.
        let parts = Parallel.split(layout.positions, into: threads)
        layout.tapOffsets.withUnsafeBufferPointer { taps in
            tileRowOffsets.withUnsafeBufferPointer { rows in
                nonisolated(unsafe) let tapTable = taps.base, rowTable = rows.base
                nonisolated(unsafe) let x = packedInput, w = weight, y = output
                Parallel.forEach(chunks: parts.count, threads: threads) { part in
                    let products = allocateAlignedFloats(g.outputChannels * tileStride)
                    defer { products.deallocate() }
                    for first in stride(from: parts[part].lowerBound, to: parts[part].upperBound, by: tile) {
                        let count = min(tile, parts[part].upperBound - first)
                        for offset in 0..<count {
                            for block in stride(from: 0, to: layout.lanes, by: 16) {
                                for group in 0..<g.groups {
                                    let firstOutput = group * g.outputChannelsPerGroup
                                    TableGemm.multiply16(
                                        m: g.outputChannelsPerGroup, k: layout.patchSize,
                                        a: w + firstOutput * layout.patchSize, lda: layout.patchSize,
                                        b: x + (group * g.inputChannelsPerGroup * layout.planeSize
                                                + layout.positionOffsets[first + offset] + block),
                                        bOffsets: tapTable,
                                        c: products + (offset * layout.lanes + block), cOffsets: rowTable + firstOutput,
                                        accumulate: false)
                                }
                            }
                        }
                        for o in 0..<g.outputChannels {
                            // [tile][lanes] -> [N][tile] in this channel's plane
                            let plane = y + (o * layout.positions + first)
                            transpose(rows: count, columns: g.batch, from: products + o * tileStride, rowStride: layout.lanes,
                                      to: plane, targetRowStride: g.outputChannels * layout.positions)
                            if let biasValue = bias?[o], biasValue != 0 {
                                for n in 0..<g.batch {
                                    let row = plane + n * g.outputChannels * layout.positions
                                    for p in 0..<count { row[p] += biasValue }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func batchedBackward(_ g: Conv2dGeometry, input: Tensor, weight: Tensor, dOutput: Tensor, hasBias: Bool,
                                needInputGradient: Bool, threads: Int) -> Gradients {
        let layout = BatchedLayout(g)
        let packed = layout.pack(input, threads: threads)
        let gradients = layout.packOutputGradient(dOutput, threads: threads)
        defer { packed.deallocate(); gradients.deallocate() }
        let outputsPerGroup = g.outputChannelsPerGroup, patchSize = layout.patchSize
        var dBias = [Float](repeating: 0, count: g.outputChannels)
        dBias.withUnsafeMutableBufferPointer { dBiasBuffer in
            nonisolated(unsafe) let db = dBiasBuffer.base, dy = UnsafePointer(gradients)
            Parallel.forEach(chunks: g.outputChannels, threads: threads) { o in
                db[o] = sumFloats(dy + o * layout.outputRowStride, count: layout.outputRowStride)
            }
        }
        // dWeight: tasks of a block of output channels (within one group) x a share of the output
        // positions, each adding into its share's own copy of dWeight (summed after), so that every
        // output gradient is read once, by one thread; positions in chunks so that the gradients
        // and patches a chunk reads stay in cache. (Splitting the taps instead had both threads
        // stream all the gradients: at batch 256 conv1's are 4.8 MB.)
        // Blocks of 4 rows where the outputs divide into them (measured faster for conv2's 16), else 6
        // (conv1's 6 in one block rather than 4 + 2: about 15% faster).
        let blockRows = outputsPerGroup % 4 == 0 ? 4 : 6
        let positionParts = Parallel.split(layout.positions, into: threads)
        var tasks: [(firstOutput: Int, rows: Int, part: Int)] = []
        for group in 0..<g.groups {
            for firstOutput in stride(from: group * outputsPerGroup, to: (group + 1) * outputsPerGroup, by: blockRows) {
                let rows = min(blockRows, (group + 1) * outputsPerGroup - firstOutput)
                for part in positionParts.indices { tasks.append((firstOutput, rows, part)) }
            }
        }
        let weightCount = g.outputChannels * patchSize
        let partialWeights = allocateAlignedFloats(positionParts.count * weightCount)
        partialWeights.initialize(repeating: 0, count: positionParts.count * weightCount)
        defer { partialWeights.deallocate() }
        let positionChunk = max(1, 16_384 / layout.lanes)
        layout.tapOffsets.withUnsafeBufferPointer { taps in
            layout.positionOffsets.withUnsafeBufferPointer { positionTable in
                nonisolated(unsafe) let tapTable = taps.base, positionOffsets = positionTable.base
                nonisolated(unsafe) let partials = partialWeights, x = UnsafePointer(packed), dy = UnsafePointer(gradients)
                Parallel.forEach(chunks: tasks.count, threads: threads) { index in
                    let task = tasks[index]
                    let group = task.firstOutput / outputsPerGroup, positions = positionParts[task.part]
                    let dw = partials + task.part * weightCount
                    for chunkStart in stride(from: positions.lowerBound, to: positions.upperBound, by: positionChunk) {
                        TableGemm.dotOverPositions(
                            m: task.rows, n: patchSize,
                            positions: chunkStart..<min(positions.upperBound, chunkStart + positionChunk), lanes: layout.lanes,
                            a: dy + task.firstOutput * layout.outputRowStride, aRowStride: layout.outputRowStride,
                            b: x + group * g.inputChannelsPerGroup * layout.planeSize, bOffsets: tapTable,
                            positionOffsets: positionOffsets, c: dw + task.firstOutput * patchSize, ldc: patchSize)
                    }
                }
            }
        }
        let dWeight = Tensor(shape: g.weightShape) { target in
            copyFloats(from: partialWeights, to: target.base, count: weightCount)
            for part in 1..<max(1, positionParts.count) {
                addFloats(from: partialWeights + part * weightCount, to: target.base, count: weightCount)
            }
        }
        let dInput: Tensor
        if needInputGradient {
            let packedGradient = batchedInputGradient(g, layout: layout, weight: weight, gradients: gradients, threads: threads)
            defer { packedGradient.deallocate() }
            // The unpacking writes every value, so the gradient starts uninitialised.
            dInput = Tensor(shape: g.inputShape) { target in
                layout.unpackInputGradient(packedGradient, into: target.base, threads: threads)
            }
        } else {
            dInput = Tensor(zeros: g.inputShape)
        }
        return Gradients(dInput: dInput, dWeight: dWeight,
                         dBias: hasBias ? Tensor(shape: [g.outputChannels], data: dBias) : nil)
    }

    /// The input gradient in the packed layout: every output position adds `W^T dOutput` back
    /// onto the taps it read. No two threads ever add to the same value or cache line.
    private static func batchedInputGradient(_ g: Conv2dGeometry, layout: BatchedLayout, weight: Tensor,
                                             gradients: UnsafeMutablePointer<Float>, threads: Int) -> UnsafeMutablePointer<Float> {
        let outputsPerGroup = g.outputChannelsPerGroup, patchSize = layout.patchSize
        let transposed = transposedWeights(g, weight: weight)
        let outputRowOffsets = (0..<outputsPerGroup).map { $0 * layout.outputRowStride }
        let tapsPerChannel = g.kernelHeight * g.kernelWidth
        // With enough channels, each thread owns whole planes of one shared gradient. Otherwise
        // (a first layer's one channel) each thread takes a share of the output positions and
        // adds into a private copy, and the copies are summed after: neighbouring positions add
        // into the same input values, so sharing one copy would need the threads to take turns.
        let splitsChannels = g.inputChannelsPerGroup >= threads || threads == 1
        let channelParts = splitsChannels ? Parallel.split(g.inputChannelsPerGroup, into: threads) : [0..<g.inputChannelsPerGroup]
        let positionParts = splitsChannels ? [0..<layout.positions] : Parallel.split(layout.positions, into: threads)
        let copies = positionParts.count
        let packedGradient = allocateAlignedFloats(copies * layout.packedCount)
        transposed.withUnsafeBufferPointer { transposedBuffer in
            layout.tapOffsets.withUnsafeBufferPointer { taps in
                outputRowOffsets.withUnsafeBufferPointer { rows in
                    nonisolated(unsafe) let wT = transposedBuffer.base, tapTable = taps.base
                    nonisolated(unsafe) let rowTable = rows.base, dy = UnsafePointer(gradients), dxCopies = packedGradient
                    Parallel.forEach(chunks: channelParts.count * positionParts.count, threads: threads) { task in
                        let channels = channelParts[task % channelParts.count], positions = positionParts[task / channelParts.count]
                        let dx = dxCopies + (task / channelParts.count) * layout.packedCount
                        for channel in channels {
                            for group in 0..<g.groups {
                                (dx + (group * g.inputChannelsPerGroup + channel) * layout.planeSize)
                                    .initialize(repeating: 0, count: layout.planeSize)
                            }
                        }
                        let firstTap = channels.lowerBound * tapsPerChannel, tapCount = channels.count * tapsPerChannel
                        // Sixteen images at a time through every position: the gradients they add into
                        // (one cache line per padded cell) stay in cache while every tap adds to them.
                        for lane in stride(from: 0, to: layout.lanes, by: 16) {
                            for group in 0..<g.groups {
                                let firstOutput = group * outputsPerGroup
                                let groupBase = group * g.inputChannelsPerGroup * layout.planeSize
                                for position in positions {
                                    TableGemm.multiply16(
                                        m: tapCount, k: outputsPerGroup,
                                        a: wT + (group * patchSize + firstTap) * outputsPerGroup, lda: outputsPerGroup,
                                        b: dy + (firstOutput * layout.outputRowStride + position * layout.lanes + lane),
                                        bOffsets: rowTable,
                                        c: dx + (groupBase + layout.positionOffsets[position] + lane), cOffsets: tapTable + firstTap,
                                        accumulate: true)
                                }
                            }
                        }
                    }
                    if copies > 1 {
                        // Sum the private copies into the first, a slice of it per chunk.
                        let slices = Parallel.split(layout.packedCount, into: 4 * threads)
                        Parallel.forEach(chunks: slices.count, threads: threads) { slice in
                            let range = slices[slice]
                            for copy in 1..<copies {
                                addFloats(from: dxCopies + (copy * layout.packedCount + range.lowerBound),
                                          to: dxCopies + range.lowerBound, count: range.count)
                            }
                        }
                    }
                }
            }
        }
        return packedGradient
    }
}

/// The batch-innermost, zero-padded layout of the batched path and its offset tables.
struct BatchedLayout {
    let g: Conv2dGeometry
    let paddedHeight: Int
    let paddedWidth: Int
    /// The batch rounded up to whole 16-lane blocks.
    let lanes: Int
    /// Floats per padded input channel: paddedHeight * paddedWidth * lanes.
    let planeSize: Int
    let positions: Int
    /// Input channels per group * KH * KW.
    let patchSize: Int
    /// Floats per output channel in the packed output: positions * lanes.
    let outputRowStride: Int
    /// Per tap (local channel, kernel row, kernel column): its offset from an output position's anchor.
    let tapOffsets: [Int]
    /// Per output position (row-major): the offset of its anchor, the top-left tap.
    let positionOffsets: [Int]

    var packedCount: Int { g.inputChannels * planeSize }

    init(_ g: Conv2dGeometry) {
        self.g = g
        let options = g.options
        paddedHeight = g.inputHeight + 2 * options.padding.height
        paddedWidth = g.inputWidth + 2 * options.padding.width
        lanes = (g.batch + 15) / 16 * 16
        planeSize = paddedHeight * paddedWidth * lanes
        positions = g.outputHeight * g.outputWidth
        patchSize = g.inputChannelsPerGroup * g.kernelHeight * g.kernelWidth
        outputRowStride = positions * lanes
        var taps: [Int] = []
        taps.reserveCapacity(patchSize)
        for channel in 0..<g.inputChannelsPerGroup {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    taps.append(channel * planeSize
                                + (i * options.dilation.height * paddedWidth + j * options.dilation.width) * lanes)
                }
            }
        }
        tapOffsets = taps
        var anchors: [Int] = []
        anchors.reserveCapacity(positions)
        for y in 0..<g.outputHeight {
            for x in 0..<g.outputWidth {
                anchors.append((y * options.stride.height * paddedWidth + x * options.stride.width) * lanes)
            }
        }
        positionOffsets = anchors
    }

    /// The input as `[C][paddedHeight][paddedWidth][lanes]`, zero in the padding and spare lanes.
    func pack(_ input: Tensor, threads: Int) -> UnsafeMutablePointer<Float> {
        let packed = allocateAlignedFloats(packedCount)
        packed.initialize(repeating: 0, count: packedCount)
        let height = g.inputHeight, width = g.inputWidth, top = g.options.padding.height, left = g.options.padding.width
        input.data.withUnsafeBufferPointer { source in
            nonisolated(unsafe) let x = source.base, target = packed
            // One chunk per input row of every channel: [N][W] (that row of every image) -> [W][lanes].
            Parallel.forEach(chunks: g.inputChannels * height, threads: threads) { chunk in
                let c = chunk / height, row = chunk % height
                transpose(rows: g.batch, columns: width,
                          from: x + (c * height + row) * width, rowStride: g.inputChannels * height * width,
                          to: target + c * planeSize + ((row + top) * paddedWidth + left) * lanes, targetRowStride: lanes)
            }
        }
        return packed
    }

    /// An output gradient `[N, O, OH, OW]` as `[O][positions][lanes]`, zero in spare lanes.
    func packOutputGradient(_ dOutput: Tensor, threads: Int) -> UnsafeMutablePointer<Float> {
        let count = g.outputChannels * outputRowStride
        let packed = allocateAlignedFloats(count)
        if lanes > g.batch { packed.initialize(repeating: 0, count: count) }
        dOutput.data.withUnsafeBufferPointer { source in
            nonisolated(unsafe) let dy = source.base, target = packed
            // One chunk per output channel: [N][positions] -> [positions][lanes].
            Parallel.forEach(chunks: g.outputChannels, threads: threads) { o in
                transpose(rows: g.batch, columns: positions,
                          from: dy + o * positions, rowStride: g.outputChannels * positions,
                          to: target + o * outputRowStride, targetRowStride: lanes)
            }
        }
        return packed
    }

    /// The packed input gradient back to `[N, C, H, W]`, dropping the padding.
    func unpackInputGradient(_ packed: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, threads: Int) {
        let height = g.inputHeight, width = g.inputWidth, top = g.options.padding.height, left = g.options.padding.width
        nonisolated(unsafe) let dx = target, source = packed
        // One chunk per input row of every channel: [W][lanes] -> [N][W].
        Parallel.forEach(chunks: g.inputChannels * height, threads: threads) { chunk in
            let c = chunk / height, row = chunk % height
            transpose(rows: width, columns: g.batch,
                      from: source + c * planeSize + ((row + top) * paddedWidth + left) * lanes, rowStride: lanes,
                      to: dx + (c * height + row) * width, targetRowStride: g.inputChannels * height * width)
        }
    }
}

/// `to[j * targetRowStride + i] = from[i * rowStride + j]` for `i < rows`, `j < columns`: whole
/// 8 x 8 blocks with vector shuffles, the ragged edges one value at a time.
@inline(__always)
func transpose(rows: Int, columns: Int, from source: UnsafePointer<Float>, rowStride: Int,
               to target: UnsafeMutablePointer<Float>, targetRowStride: Int) {
    let fullRows = rows & ~7, fullColumns = columns & ~7
    var i = 0
    while i < fullRows {
        var j = 0
        while j < fullColumns {
            transpose8x8(from: source + (i &* rowStride &+ j), rowStride: rowStride,
                         to: target + (j &* targetRowStride &+ i), targetRowStride: targetRowStride)
            j &+= 8
        }
        i &+= 8
    }
    // The right edge (columns past the last whole block) for every row, then the bottom edge.
    var column = fullColumns
    while column < columns {
        let targetRow = target + column &* targetRowStride
        var row = 0
        while row < rows { targetRow[row] = source[row &* rowStride &+ column]; row &+= 1 }
        column &+= 1
    }
    column = 0
    while column < fullColumns {
        let targetRow = target + column &* targetRowStride
        var row = fullRows
        while row < rows { targetRow[row] = source[row &* rowStride &+ column]; row &+= 1 }
        column &+= 1
    }
}

/// One 8 x 8 block: three rounds of shuffles (pairs, then 64-bit pairs, then 128-bit halves),
/// which the compiler turns into unpack and permute instructions.
@inline(__always)
private func transpose8x8(from s: UnsafePointer<Float>, rowStride: Int, to t: UnsafeMutablePointer<Float>, targetRowStride: Int) {
    @inline(__always) func load(_ row: Int) -> SIMD8<Float> {
        UnsafeRawPointer(s + row &* rowStride).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) func store(_ value: SIMD8<Float>, _ row: Int) {
        UnsafeMutableRawPointer(t + row &* targetRowStride).storeBytes(of: value, as: SIMD8<Float>.self)
    }
    @inline(__always) func pairs(_ x: SIMD8<Float>, _ y: SIMD8<Float>, _ k: Int) -> SIMD8<Float> {
        SIMD8(x[k], y[k], x[k + 1], y[k + 1], x[k + 4], y[k + 4], x[k + 5], y[k + 5])
    }
    @inline(__always) func quads(_ x: SIMD8<Float>, _ y: SIMD8<Float>, _ k: Int) -> SIMD8<Float> {
        SIMD8(x[k], x[k + 1], y[k], y[k + 1], x[k + 4], x[k + 5], y[k + 4], y[k + 5])
    }
    let r0 = load(0), r1 = load(1), r2 = load(2), r3 = load(3), r4 = load(4), r5 = load(5), r6 = load(6), r7 = load(7)
    let a0 = pairs(r0, r1, 0), a1 = pairs(r0, r1, 2), a2 = pairs(r2, r3, 0), a3 = pairs(r2, r3, 2)
    let a4 = pairs(r4, r5, 0), a5 = pairs(r4, r5, 2), a6 = pairs(r6, r7, 0), a7 = pairs(r6, r7, 2)
    let b0 = quads(a0, a2, 0), b1 = quads(a0, a2, 2), b2 = quads(a1, a3, 0), b3 = quads(a1, a3, 2)
    let b4 = quads(a4, a6, 0), b5 = quads(a4, a6, 2), b6 = quads(a5, a7, 0), b7 = quads(a5, a7, 2)
    store(SIMD8(lowHalf: b0.lowHalf, highHalf: b4.lowHalf), 0)
    store(SIMD8(lowHalf: b1.lowHalf, highHalf: b5.lowHalf), 1)
    store(SIMD8(lowHalf: b2.lowHalf, highHalf: b6.lowHalf), 2)
    store(SIMD8(lowHalf: b3.lowHalf, highHalf: b7.lowHalf), 3)
    store(SIMD8(lowHalf: b0.highHalf, highHalf: b4.highHalf), 4)
    store(SIMD8(lowHalf: b1.highHalf, highHalf: b5.highHalf), 5)
    store(SIMD8(lowHalf: b2.highHalf, highHalf: b6.highHalf), 6)
    store(SIMD8(lowHalf: b3.highHalf, highHalf: b7.highHalf), 7)
}
