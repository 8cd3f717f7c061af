/// Area-averaging (box) resampling of one plane, separable: rows first, then columns.
///
/// Output pixel `i` of `n` along an axis of `m` input pixels covers the input span `[i·m/n, (i+1)·m/n)`; each input
/// pixel `j` spans `[j, j+1)` and weighs by its overlap with that span. Scaled by `n` everything is an integer, so
/// the weights are exact: overlap(`[i·m, (i+1)·m)`, `[j·n, (j+1)·n)`) / `m`. Going up, a span lies inside one input
/// pixel (or across two) and the output copies (or blends) it.
struct AreaResampler {
    struct Tap { let index: Int; let weight: Float }
    let source: (width: Int, height: Int)
    let target: (width: Int, height: Int)
    let horizontal: [[Tap]]
    let vertical: [[Tap]]

    init(from source: (Int, Int), to target: (Int, Int)) {
        (self.source, self.target) = (source, target)
        horizontal = Self.taps(input: source.0, output: target.0)
        vertical = Self.taps(input: source.1, output: target.1)
    }

    static func taps(input: Int, output: Int) -> [[Tap]] {
        (0..<output).map { outputIndex in
            let start = outputIndex * input, end = (outputIndex + 1) * input
            return (start / output...(end - 1) / output).compactMap { inputIndex in
                let overlap = min(end, (inputIndex + 1) * output) - max(start, inputIndex * output)
                return overlap > 0 ? Tap(index: inputIndex, weight: Float(overlap) / Float(input)) : nil
            }
        }
    }

    /// `plane`: `source.width * source.height` values, row-major; returns `target.width * target.height`.
    func resample(_ plane: [Float]) -> [Float] {
        precondition(plane.count == source.width * source.height,
                     "\(plane.count) values for a \(source.width)x\(source.height) plane")
        var rows = [Float](repeating: 0, count: source.height * target.width)
        for row in 0..<source.height {
            let base = row * source.width
            for (column, taps) in horizontal.enumerated() {
                var sum: Float = 0
                for tap in taps { sum += plane[base + tap.index] * tap.weight }
                rows[row * target.width + column] = sum
            }
        }
        var result = [Float](repeating: 0, count: target.height * target.width)
        for (row, taps) in vertical.enumerated() {
            for tap in taps {
                let from = tap.index * target.width, to = row * target.width
                for column in 0..<target.width { result[to + column] += rows[from + column] * tap.weight }
            }
        }
        return result
    }
}
