/// Small single-precision matrix products for the fast paths of conv2d and linear.
///
/// Matrices are row-major with explicit leading dimensions (the distance between rows), so a
/// kernel can multiply a block of a larger buffer in place. Register blocks keep several rows of
/// the result in SIMD accumulators (`InlineArray`s of `SIMD8`, which the optimiser keeps in
/// vector registers), so each value loaded feeds several fused multiply-adds.
enum Gemm {
    /// `c[i, j] (+)= sum over p < k of a[i * lda + p] * b[p * ldb + j]`, for `i < m`, `j < n`.
    ///
    /// Shapes: a `[m, k]`, b `[k, n]`, c `[m, n]`. With `accumulate` false, c is overwritten.
    static func multiply(m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var row = 0
        while row < m {
            let rows = m &- row >= 6 ? 6 : m &- row >= 4 ? 4 : m &- row >= 2 ? 2 : 1
            let aRow = a + row &* lda, cRow = c + row &* ldc
            var column: Int
            switch rows {
            case 6:
                column = RowBlock<6, 2>.multiply(n: n, k: k, a: aRow, lda: lda, b: b, ldb: ldb, c: cRow, ldc: ldc, accumulate: accumulate)
            case 4:
                column = RowBlock<4, 2>.multiply(n: n, k: k, a: aRow, lda: lda, b: b, ldb: ldb, c: cRow, ldc: ldc, accumulate: accumulate)
            case 2:
                column = RowBlock<2, 4>.multiply(n: n, k: k, a: aRow, lda: lda, b: b, ldb: ldb, c: cRow, ldc: ldc, accumulate: accumulate)
                if n &- column >= 16 {
                    column &+= RowBlock<2, 2>.multiply(n: n &- column, k: k, a: aRow, lda: lda, b: b + column, ldb: ldb,
                                                       c: cRow + column, ldc: ldc, accumulate: accumulate)
                }
            default:
                // One row has one accumulator per column vector: eight vectors, so that the chains
                // of dependent multiply-adds overlap instead of waiting on each other.
                column = RowBlock<1, 8>.multiply(n: n, k: k, a: aRow, lda: lda, b: b, ldb: ldb, c: cRow, ldc: ldc, accumulate: accumulate)
                if n &- column >= 16 {
                    column &+= RowBlock<1, 2>.multiply(n: n &- column, k: k, a: aRow, lda: lda, b: b + column, ldb: ldb,
                                                       c: cRow + column, ldc: ldc, accumulate: accumulate)
                }
            }
            if n &- column >= 8 {
                column &+= narrowBlock(rows: rows, n: n &- column, k: k, a: aRow, lda: lda, b: b + column, ldb: ldb,
                                       c: cRow + column, ldc: ldc, accumulate: accumulate)
            }
            leftoverColumns(rows: rows, columns: column..<n, k: k, a: aRow, lda: lda, b: b, ldb: ldb, c: cRow, ldc: ldc,
                            accumulate: accumulate)
            row &+= rows
        }
    }

    /// Eight columns of `rows` rows (whole 8-column blocks, fewer than 16 columns being left).
    private static func narrowBlock(rows: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                    b: UnsafePointer<Float>, ldb: Int,
                                    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) -> Int {
        switch rows {
        case 6: RowBlock<6, 1>.multiply(n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        case 4: RowBlock<4, 1>.multiply(n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        case 2: RowBlock<2, 1>.multiply(n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        default: RowBlock<1, 1>.multiply(n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        }
    }

    /// The columns past the last whole vector block, one at a time.
    @inline(never)
    private static func leftoverColumns(rows: Int, columns: Range<Int>, k: Int, a: UnsafePointer<Float>, lda: Int,
                                        b: UnsafePointer<Float>, ldb: Int,
                                        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        for column in columns {
            for r in 0..<rows {
                var sum: Float = 0
                var p = 0
                while p < k {
                    sum += a[r &* lda &+ p] * b[p &* ldb &+ column]
                    p &+= 1
                }
                let out = c + (r &* ldc &+ column)
                out.pointee = accumulate ? out.pointee + sum : sum
            }
        }
    }

    /// `c[i, j] (+)= sum over p < k of a[i * lda + p] * b[j * ldb + p]`: dot products of rows of a
    /// with rows of b, for `i < m`, `j < n`.
    ///
    /// Shapes: a `[m, k]`, b `[n, k]`, c `[m, n]` (that is, c = a b^T).
    static func multiplyTransposed(m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Float>, lda: Int,
                                   b: UnsafePointer<Float>, ldb: Int,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var row = 0
        while row < m {
            let rows = m &- row
            let aRow = a + row &* lda, cRow = c + row &* ldc
            if rows >= 4 {
                DotBlock<4, 3>.acrossColumns(n: n, k: k, a: aRow, lda: lda, b: b, ldb: ldb, c: cRow, ldc: ldc, accumulate: accumulate)
                row &+= 4
            } else {
                // Six dot products at once: six independent chains of multiply-adds.
                DotBlock<1, 6>.acrossColumns(n: n, k: k, a: aRow, lda: lda, b: b, ldb: ldb, c: cRow, ldc: ldc, accumulate: accumulate)
                row &+= 1
            }
        }
    }
}

@inline(__always)
private func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func storeVector(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// `R` rows of `c = a b`, `8 * V` columns at a time (`V` `SIMD8` accumulators per row); returns
/// the first column not done (the caller does the rest).
private enum RowBlock<let R: Int, let V: Int> {
    @inline(never)
    static func multiply(n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) -> Int {
        var column = 0
        while n &- column >= 8 &* V {
            var sums = InlineArray<R, InlineArray<V, SIMD8<Float>>>(repeating: InlineArray(repeating: .zero))
            var bRow = b + column
            var p = 0
            while p < k {
                var bValues = InlineArray<V, SIMD8<Float>>(repeating: .zero)
                for v in 0..<V { bValues[v] = loadVector(bRow + 8 &* v) }
                for r in 0..<R {
                    let scale = SIMD8<Float>(repeating: a[r &* lda &+ p])
                    for v in 0..<V { sums[r][v] = sums[r][v].addingProduct(scale, bValues[v]) }
                }
                bRow += ldb
                p &+= 1
            }
            for r in 0..<R {
                for v in 0..<V {
                    let out = c + (r &* ldc &+ column &+ 8 &* v)
                    storeVector(accumulate ? loadVector(out) + sums[r][v] : sums[r][v], out)
                }
            }
            column &+= 8 &* V
        }
        return column
    }
}

/// `R` rows of a against `C` rows of b: `R * C` dot products along k, eight lanes at a time.
private enum DotBlock<let R: Int, let C: Int> {
    /// `R` rows of a against all `n` rows of b: `C` at a time, then one at a time.
    @inline(__always)
    static func acrossColumns(n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                              c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var column = 0
        while n &- column >= C {
            multiply(k: k, a: a, lda: lda, b: b + column &* ldb, ldb: ldb, c: c + column, ldc: ldc, accumulate: accumulate)
            column &+= C
        }
        while column < n {
            DotBlock<R, 1>.multiply(k: k, a: a, lda: lda, b: b + column &* ldb, ldb: ldb, c: c + column, ldc: ldc,
                                    accumulate: accumulate)
            column &+= 1
        }
    }

    @inline(never)
    static func multiply(k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var sums = InlineArray<R, InlineArray<C, SIMD8<Float>>>(repeating: InlineArray(repeating: .zero))
        var p = 0
        while k &- p >= 8 {
            var bValues = InlineArray<C, SIMD8<Float>>(repeating: .zero)
            for j in 0..<C { bValues[j] = loadVector(b + (j &* ldb &+ p)) }
            for r in 0..<R {
                let aValue = loadVector(a + (r &* lda &+ p))
                for j in 0..<C { sums[r][j] = sums[r][j].addingProduct(aValue, bValues[j]) }
            }
            p &+= 8
        }
        for r in 0..<R {
            for j in 0..<C {
                var total = sums[r][j].sum()
                var tail = p
                while tail < k {
                    total += a[r &* lda &+ tail] * b[j &* ldb &+ tail]
                    tail &+= 1
                }
                let out = c + (r &* ldc &+ j)
                out.pointee = accumulate ? out.pointee + total : total
            }
        }
    }
}

/// Register blocks whose rows and columns are found through offset tables rather than a fixed
/// stride: the batched convolution reads its patches straight out of a padded input (one table
/// entry per kernel tap) and writes input gradients straight back the same way, with no im2col.
enum TableGemm {
    /// 16 columns of `c = a b` for the `m` rows of a:
    /// `c[cOffsets[i] + j] (+)= sum over p < k of a[i * lda + p] * b[bOffsets[p] + j]`, `j < 16`.
    static func multiply16(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                           b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>,
                           c: UnsafeMutablePointer<Float>, cOffsets: UnsafePointer<Int>, accumulate: Bool) {
        var row = 0
        while row < m {
            let rows = m &- row
            let aRow = a + row &* lda, cRows = cOffsets + row
            if rows >= 6 {
                TableRowBlock<6>.multiply(k: k, a: aRow, lda: lda, b: b, bOffsets: bOffsets, c: c, cOffsets: cRows, accumulate: accumulate)
                row &+= 6
            } else if rows >= 4 {
                TableRowBlock<4>.multiply(k: k, a: aRow, lda: lda, b: b, bOffsets: bOffsets, c: c, cOffsets: cRows, accumulate: accumulate)
                row &+= 4
            } else if rows >= 2 {
                TableRowBlock<2>.multiply(k: k, a: aRow, lda: lda, b: b, bOffsets: bOffsets, c: c, cOffsets: cRows, accumulate: accumulate)
                row &+= 2
            } else {
                TableRowBlock<1>.multiply(k: k, a: aRow, lda: lda, b: b, bOffsets: bOffsets, c: c, cOffsets: cRows, accumulate: accumulate)
                row &+= 1
            }
        }
    }

    /// Dot products summed over positions and lanes, added to c:
    /// `c[i * ldc + j] += sum over q in positions, l < lanes of
    ///     a[i * aRowStride + q * lanes + l] * b[bOffsets[j] + positionOffsets[q] + l]`
    /// for `i < m`, `j < n`; `lanes` is a multiple of 8.
    static func dotOverPositions(m: Int, n: Int, positions: Range<Int>, lanes: Int,
                                 a: UnsafePointer<Float>, aRowStride: Int,
                                 b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>, positionOffsets: UnsafePointer<Int>,
                                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        var row = 0
        while row < m {
            let aRows = a + row &* aRowStride, cRow = c + row &* ldc
            if m &- row >= 6 {
                TableDotBlock<6, 2>.acrossColumns(n: n, positions: positions, lanes: lanes, a: aRows, aRowStride: aRowStride, b: b,
                                                  bOffsets: bOffsets, positionOffsets: positionOffsets, c: cRow, ldc: ldc)
                row &+= 6
            } else if m &- row >= 4 {
                TableDotBlock<4, 3>.acrossColumns(n: n, positions: positions, lanes: lanes, a: aRows, aRowStride: aRowStride, b: b,
                                                  bOffsets: bOffsets, positionOffsets: positionOffsets, c: cRow, ldc: ldc)
                row &+= 4
            } else {
                TableDotBlock<1, 3>.acrossColumns(n: n, positions: positions, lanes: lanes, a: aRows, aRowStride: aRowStride, b: b,
                                                  bOffsets: bOffsets, positionOffsets: positionOffsets, c: cRow, ldc: ldc)
                row &+= 1
            }
        }
    }
}

extension TableGemm {
    /// Dot products of rows of a with masked table rows of b, added to c:
    /// `c[i * ldc + j] += sum over p < count of a[i * lda + p] * (keep[p] != 0 ? b[bOffsets[j] + p] : 0)`
    /// for `i < m`, `j < n`; `count` is a multiple of 8. The mask clears b's bits, so a value it
    /// drops contributes exactly 0 even when it is infinite or NaN.
    static func maskedDot(m: Int, n: Int, count: Int, a: UnsafePointer<Float>, lda: Int,
                          b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>, keep: UnsafePointer<UInt32>,
                          c: UnsafeMutablePointer<Float>, ldc: Int) {
        var row = 0
        while row < m {
            let aRows = a + row &* lda, cRow = c + row &* ldc
            if m &- row >= 6 {
                MaskedDotBlock<6, 2>.acrossColumns(n: n, count: count, a: aRows, lda: lda, b: b, bOffsets: bOffsets,
                                                   keep: keep, c: cRow, ldc: ldc)
                row &+= 6
            } else if m &- row >= 4 {
                MaskedDotBlock<4, 3>.acrossColumns(n: n, count: count, a: aRows, lda: lda, b: b, bOffsets: bOffsets,
                                                   keep: keep, c: cRow, ldc: ldc)
                row &+= 4
            } else {
                MaskedDotBlock<1, 3>.acrossColumns(n: n, count: count, a: aRows, lda: lda, b: b, bOffsets: bOffsets,
                                                   keep: keep, c: cRow, ldc: ldc)
                row &+= 1
            }
        }
    }
}

extension TableGemm {
    /// Sums over the positions of a `rows x columns` grid, 16 columns of c at a time:
    /// `c[i * ldc + j] += sum over y < rows, x < columns of
    ///     b[bOffsets[i] + y * bRowStride + x] * a[(y * columns + x) * lanes + j]`
    /// for `i < m`, `j < lanes` (a multiple of 16). Each b value is broadcast against 16 lanes of a.
    static func broadcastOverGrid(m: Int, lanes: Int, rows: Int, columns: Int,
                                  a: UnsafePointer<Float>, b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>,
                                  bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var lane = 0
        while lane < lanes {
            var row = 0
            while row < m {
                if m &- row >= 6 {
                    GridBlock<6>.add(lanes: lanes, rows: rows, columns: columns, a: a + lane, b: b, bOffsets: bOffsets + row,
                                     bRowStride: bRowStride, c: c + (row &* ldc &+ lane), ldc: ldc)
                    row &+= 6
                } else if m &- row >= 3 {
                    GridBlock<3>.add(lanes: lanes, rows: rows, columns: columns, a: a + lane, b: b, bOffsets: bOffsets + row,
                                     bRowStride: bRowStride, c: c + (row &* ldc &+ lane), ldc: ldc)
                    row &+= 3
                } else {
                    GridBlock<1>.add(lanes: lanes, rows: rows, columns: columns, a: a + lane, b: b, bOffsets: bOffsets + row,
                                     bRowStride: bRowStride, c: c + (row &* ldc &+ lane), ldc: ldc)
                    row &+= 1
                }
            }
            lane &+= 16
        }
    }
}

/// `R` rows of c, 16 lanes, summed over a grid of positions.
private enum GridBlock<let R: Int> {
    @inline(never)
    static func add(lanes: Int, rows: Int, columns: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                    bOffsets: UnsafePointer<Int>, bRowStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var left = InlineArray<R, SIMD8<Float>>(repeating: .zero)
        var right = InlineArray<R, SIMD8<Float>>(repeating: .zero)
        var bBases = InlineArray<R, UnsafePointer<Float>>(repeating: b)
        for r in 0..<R { bBases[r] = b + bOffsets[r] }
        var aPosition = a
        var bRow = 0
        for _ in 0..<rows {
            for x in 0..<columns {
                let aLeft = loadVector(aPosition), aRight = loadVector(aPosition + 8)
                for r in 0..<R {
                    let scale = SIMD8<Float>(repeating: bBases[r][bRow &+ x])
                    left[r] = left[r].addingProduct(scale, aLeft)
                    right[r] = right[r].addingProduct(scale, aRight)
                }
                aPosition += lanes
            }
            bRow &+= bRowStride
        }
        for r in 0..<R {
            let out = c + r &* ldc
            storeVector(loadVector(out) + left[r], out)
            storeVector(loadVector(out + 8) + right[r], out + 8)
        }
    }
}

/// `R` rows of a against `C` masked table rows of b, added to c.
private enum MaskedDotBlock<let R: Int, let C: Int> {
    /// `R` rows of a against all `n` table rows of b: `C` at a time, then one at a time.
    @inline(__always)
    static func acrossColumns(n: Int, count: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                              bOffsets: UnsafePointer<Int>, keep: UnsafePointer<UInt32>,
                              c: UnsafeMutablePointer<Float>, ldc: Int) {
        var column = 0
        while n &- column >= C {
            add(count: count, a: a, lda: lda, b: b, bOffsets: bOffsets + column, keep: keep, c: c + column, ldc: ldc)
            column &+= C
        }
        while column < n {
            MaskedDotBlock<R, 1>.add(count: count, a: a, lda: lda, b: b, bOffsets: bOffsets + column, keep: keep,
                                     c: c + column, ldc: ldc)
            column &+= 1
        }
    }

    @inline(never)
    static func add(count: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>,
                    keep: UnsafePointer<UInt32>, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var sums = InlineArray<R, InlineArray<C, SIMD8<Float>>>(repeating: InlineArray(repeating: .zero))
        var bBases = InlineArray<C, UnsafePointer<Float>>(repeating: b)
        for j in 0..<C { bBases[j] = b + bOffsets[j] }
        var p = 0
        while p < count {
            let mask = UnsafeRawPointer(keep + p).loadUnaligned(as: SIMD8<UInt32>.self)
            var bValues = InlineArray<C, SIMD8<Float>>(repeating: .zero)
            for j in 0..<C {
                let bits = UnsafeRawPointer(bBases[j] + p).loadUnaligned(as: SIMD8<UInt32>.self) & mask
                bValues[j] = unsafeBitCast(bits, to: SIMD8<Float>.self)
            }
            for r in 0..<R {
                let aValue = loadVector(a + (r &* lda &+ p))
                for j in 0..<C { sums[r][j] = sums[r][j].addingProduct(aValue, bValues[j]) }
            }
            p &+= 8
        }
        for r in 0..<R {
            for j in 0..<C { c[r &* ldc &+ j] += sums[r][j].sum() }
        }
    }
}

/// `R` rows of a 16-column block, rows of b and c found through offset tables.
private enum TableRowBlock<let R: Int> {
    @inline(never)
    static func multiply(k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>,
                         c: UnsafeMutablePointer<Float>, cOffsets: UnsafePointer<Int>, accumulate: Bool) {
        var left = InlineArray<R, SIMD8<Float>>(repeating: .zero)
        var right = InlineArray<R, SIMD8<Float>>(repeating: .zero)
        var p = 0
        while p < k {
            let bRow = b + bOffsets[p]
            let bLeft = loadVector(bRow), bRight = loadVector(bRow + 8)
            for r in 0..<R {
                let scale = SIMD8<Float>(repeating: a[r &* lda &+ p])
                left[r] = left[r].addingProduct(scale, bLeft)
                right[r] = right[r].addingProduct(scale, bRight)
            }
            p &+= 1
        }
        for r in 0..<R {
            let out = c + cOffsets[r]
            if accumulate {
                storeVector(loadVector(out) + left[r], out)
                storeVector(loadVector(out + 8) + right[r], out + 8)
            } else {
                storeVector(left[r], out)
                storeVector(right[r], out + 8)
            }
        }
    }
}

/// `R` rows of a against `C` table rows of b, summed over positions and lanes, added to c.
private enum TableDotBlock<let R: Int, let C: Int> {
    /// `R` rows of a against all `n` table rows of b: `C` at a time, then one at a time.
    @inline(__always)
    static func acrossColumns(n: Int, positions: Range<Int>, lanes: Int, a: UnsafePointer<Float>, aRowStride: Int,
                              b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>, positionOffsets: UnsafePointer<Int>,
                              c: UnsafeMutablePointer<Float>, ldc: Int) {
        var column = 0
        while n &- column >= C {
            add(positions: positions, lanes: lanes, a: a, aRowStride: aRowStride, b: b, bOffsets: bOffsets + column,
                positionOffsets: positionOffsets, c: c + column, ldc: ldc)
            column &+= C
        }
        while column < n {
            TableDotBlock<R, 1>.add(positions: positions, lanes: lanes, a: a, aRowStride: aRowStride, b: b,
                                    bOffsets: bOffsets + column, positionOffsets: positionOffsets, c: c + column, ldc: ldc)
            column &+= 1
        }
    }

    @inline(never)
    static func add(positions: Range<Int>, lanes: Int, a: UnsafePointer<Float>, aRowStride: Int,
                    b: UnsafePointer<Float>, bOffsets: UnsafePointer<Int>, positionOffsets: UnsafePointer<Int>,
                    c: UnsafeMutablePointer<Float>, ldc: Int) {
        var sums = InlineArray<R, InlineArray<C, SIMD8<Float>>>(repeating: InlineArray(repeating: .zero))
        var bBases = InlineArray<C, UnsafePointer<Float>>(repeating: b)
        for j in 0..<C { bBases[j] = b + bOffsets[j] }
        for q in positions {
            let aPosition = a + q &* lanes, bPosition = positionOffsets[q]
            var l = 0
            while l < lanes {
                var bValues = InlineArray<C, SIMD8<Float>>(repeating: .zero)
                for j in 0..<C { bValues[j] = loadVector(bBases[j] + (bPosition &+ l)) }
                for r in 0..<R {
                    let aValue = loadVector(aPosition + (r &* aRowStride &+ l))
                    for j in 0..<C { sums[r][j] = sums[r][j].addingProduct(aValue, bValues[j]) }
                }
                l &+= 8
            }
        }
        for r in 0..<R {
            for j in 0..<C { c[r &* ldc &+ j] += sums[r][j].sum() }
        }
    }
}
