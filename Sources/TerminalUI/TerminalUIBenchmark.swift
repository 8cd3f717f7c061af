/// Timings of the drawing path, for benchmarks (never for tests: tests assert, benchmarks measure).
public enum TerminalUIBenchmark {
    /// Times building and diffing full frames of heatmaps: each iteration clears a `width x height`
    /// buffer, draws eight heatmaps in a 4x2 layout into it (half blocks, 256 colours: two values per
    /// cell, so each map shows (width / 4) x (height / 2 * 2) values, half with their own range on the
    /// sequential scale, half sharing one range on the diverging scale, all `.fit`), and diffs it
    /// against the previous frame. The values change every frame (as live training's do), so nearly
    /// every cell changes; making them is not timed. Returns each frame's time in milliseconds and
    /// their median. The target for 200x60 is a median of 2 ms or less.
    public static func frameMilliseconds(width: Int = 200, height: Int = 60, iterations: Int = 200)
        -> (median: Double, samples: [Double]) {
        let capabilities = TerminalCapabilities(colors: .palette256, glyphs: .unicode)
        let screen = Rect(x: 0, y: 0, width: max(0, width), height: max(0, height))
        let (topHalf, bottomHalf) = screen.splitTop(screen.height / 2)
        var areas: [Rect] = []
        for half in [topHalf, bottomHalf] {
            var rest = half
            for index in 0..<4 {
                let (area, remaining) = rest.splitLeft(index == 3 ? rest.width : half.width / 4)
                areas.append(area)
                rest = remaining
            }
        }
        let shared = ValueRange(lower: -1, upper: 1)
        var previous = CellBuffer(width: screen.width, height: screen.height)
        var current = previous
        var samples: [Double] = []
        samples.reserveCapacity(max(0, iterations))
        var changedCells = 0
        let clock = ContinuousClock()
        for frame in 0..<max(1, iterations) {
            let maps = areas.enumerated().map { index, area in
                let rows = max(1, area.height * 2), columns = max(1, area.width)
                return Heatmap(rows: rows, columns: columns,
                               values: wave(rows: rows, columns: columns, frame: frame, seed: index),
                               scale: index < 4 ? .sequential : .diverging, range: index < 4 ? nil : shared,
                               mode: .halfBlocks, scaling: .fit)
            }
            let start = clock.now
            current.fill(screen)
            for (map, area) in zip(maps, areas) { map.render(in: area, into: &current, capabilities: capabilities) }
            let changes = current.changes(since: previous)
            let elapsed = clock.now - start
            changedCells &+= changes.count
            swap(&previous, &current)
            if frame < iterations { samples.append(milliseconds(elapsed)) }
        }
        precondition(changedCells >= 0)  // keeps the diff from being optimised away
        let sorted = samples.sorted()
        let median = sorted.isEmpty ? 0
            : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return (median, samples)
    }

    /// A moving pattern of values in -1...1 (a triangle wave along a diagonal that shifts each frame).
    static func wave(rows: Int, columns: Int, frame: Int, seed: Int) -> [Float] {
        var values = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                let phase = (row * (3 + seed) + column * 5 + frame * 7) % 128
                values[row * columns + column] = Float(abs(phase - 64)) / 32 - 1
            }
        }
        return values
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
