import ConvKernels
import Imaging

/// The drawing behind the sample images: digits from `SyntheticDigits` laid on paper, a photo-like
/// digit, and the kernels' test patterns, all as floats on 0...1 and quantised at the end.
extension SampleImageSet {
    /// A picture being drawn: `channels` values per pixel (1 grey, 3 RGB), row-major, 0...1.
    struct Canvas {
        let width: Int
        let height: Int
        let channels: Int
        var values: [Float]

        init(width: Int, height: Int, channels: Int, fill: [Float]) {
            precondition(fill.count == channels, "a fill of \(fill.count) values for \(channels) channels")
            (self.width, self.height, self.channels) = (width, height, channels)
            values = (0..<(width * height)).flatMap { _ in fill }
        }

        subscript(row: Int, column: Int, channel: Int) -> Float {
            get { values[(row * width + column) * channels + channel] }
            set { values[(row * width + column) * channels + channel] = newValue }
        }

        /// Mixes `colour` into a pixel by `amount` (0 leaves it, 1 replaces it).
        mutating func blend(row: Int, column: Int, colour: [Float], amount: Float) {
            guard (0..<height).contains(row), (0..<width).contains(column), amount > 0 else { return }
            let a = min(amount, 1)
            for channel in 0..<channels {
                self[row, column, channel] += (colour[channel] - self[row, column, channel]) * a
            }
        }

        /// The canvas as a file would hold it: each value rounded to `0...maxValue`.
        func pixelImage(maxValue: Int, format: ImageFormat, detail: String) -> PixelImage {
            let scale = Float(maxValue)
            let samples = values.map { UInt16((min(max($0, 0), 1) * scale).rounded()) }
            return PixelImage(width: width, height: height, channels: channels, maxValue: maxValue, samples: samples,
                              format: format, detail: detail)
        }
    }

    /// A digit in `style` drawn `size` pixels square with `ink` on `paper` (one value per channel):
    /// the renderer's coverage decides how much of the ink each pixel gets.
    static func drawDigit(_ digit: Int, style: DigitStyle, size: Int, seed: UInt64,
                          ink: [Float], paper: [Float]) -> Canvas {
        var random = SeededRandom(seed: seed)
        let coverage = SyntheticDigits.render(digit: digit, style: style, size: size, random: &random)
        var canvas = Canvas(width: size, height: size, channels: paper.count, fill: paper)
        for row in 0..<size {
            for column in 0..<size {
                canvas.blend(row: row, column: column, colour: ink, amount: Float(coverage[row * size + column]) / 255)
            }
        }
        return canvas
    }

    /// A pencil digit on a sheet of warm grey paper, photographed: light falling off from the top
    /// left, a soft shadow along the bottom, the pencil's grey rather than black, and sensor noise.
    static func drawPhoto(digit: Int, style: DigitStyle, width: Int, height: Int, seed: UInt64) -> Canvas {
        var random = SeededRandom(seed: seed)
        let side = min(width, height)
        let coverage = SyntheticDigits.render(digit: digit, style: style, size: side, random: &random)
        let left = (width - side) / 2 + side / 10, top = (height - side) / 2
        let paper: [Float] = [0.86, 0.82, 0.74], pencil: [Float] = [0.32, 0.32, 0.38]
        var canvas = Canvas(width: width, height: height, channels: 3, fill: paper)
        for row in 0..<height {
            for column in 0..<width {
                let inside = (top..<(top + side)).contains(row) && (left..<(left + side)).contains(column)
                let ink = inside ? Float(coverage[(row - top) * side + column - left]) / 255 : 0
                // Light from the top left: full there, about half in the far corner.
                let x = Float(column) / Float(width - 1), y = Float(row) / Float(height - 1)
                let falloff = ((x * x + y * y) / 2).squareRoot()
                let shadow = max(0, y - 0.8) * 1.2
                let light = 1.0 - 0.5 * falloff - shadow
                let grain = random.nextNormal(standardDeviation: 0.025)
                for channel in 0..<3 {
                    let surface = paper[channel] + (pencil[channel] - paper[channel]) * ink
                    canvas[row, column, channel] = surface * light + grain
                }
            }
        }
        return canvas
    }

    /// Dark and light bars `bar` pixels wide, side by side (vertical edges) or stacked (horizontal).
    static func drawBars(size: Int, bar: Int, vertical: Bool) -> Canvas {
        var canvas = Canvas(width: size, height: size, channels: 1, fill: [0])
        for row in 0..<size {
            for column in 0..<size {
                canvas[row, column, 0] = ((vertical ? column : row) / bar) % 2 == 0 ? 0.1 : 0.9
            }
        }
        return canvas
    }

    /// A checkerboard of `cell`-pixel squares, black in the top-left corner.
    static func drawCheckerboard(size: Int, cell: Int) -> Canvas {
        var canvas = Canvas(width: size, height: size, channels: 1, fill: [0])
        for row in 0..<size {
            for column in 0..<size {
                canvas[row, column, 0] = (row / cell + column / cell) % 2 == 0 ? 0 : 1
            }
        }
        return canvas
    }

    /// A white disc of `radius` pixels in the middle of a black square, its edge anti-aliased
    /// (each pixel gets the fraction of a 4x4 grid of points inside it).
    static func drawCircle(size: Int, radius: Float) -> Canvas {
        var canvas = Canvas(width: size, height: size, channels: 1, fill: [0])
        let centre = Float(size) / 2
        for row in 0..<size {
            for column in 0..<size {
                var inside = 0
                for sub in 0..<16 {
                    let x = Float(column) + (Float(sub % 4) + 0.5) / 4 - centre
                    let y = Float(row) + (Float(sub / 4) + 0.5) / 4 - centre
                    if x * x + y * y <= radius * radius { inside += 1 }
                }
                canvas[row, column, 0] = Float(inside) / 16
            }
        }
        return canvas
    }

    /// Black at the left edge to white at the right, the same in every row.
    static func drawGradient(width: Int, height: Int) -> Canvas {
        var canvas = Canvas(width: width, height: height, channels: 1, fill: [0])
        for row in 0..<height {
            for column in 0..<width {
                canvas[row, column, 0] = Float(column) / Float(width - 1)
            }
        }
        return canvas
    }

    /// A small landscape in colour: a sky fading to pale blue at the horizon, a yellow sun, a green
    /// hill, and a house with a red roof, a brown door and a window, so kernels have colour edges in
    /// every direction to find.
    static func drawScene(width: Int, height: Int) -> Canvas {
        var canvas = Canvas(width: width, height: height, channels: 3, fill: [0, 0, 0])
        let horizon = height * 2 / 3
        for row in 0..<height {
            for column in 0..<width {
                let colour: [Float]
                // The hill: a gentle arc above the horizon.
                let dx = (Float(column) - Float(width) * 0.3) / Float(width)
                let hillTop = Float(horizon) - Float(height) * 0.12 * max(0, 1 - 4 * dx * dx)
                if Float(row) >= hillTop {
                    let depth = (Float(row) - hillTop) / Float(height)
                    colour = [0.20, 0.62 - 0.3 * depth, 0.18]
                } else {
                    let t = Float(row) / Float(horizon)
                    colour = [0.25 + 0.45 * t, 0.45 + 0.40 * t, 0.90 + 0.08 * t]
                }
                for channel in 0..<3 { canvas[row, column, channel] = colour[channel] }
            }
        }
        // The sun, anti-aliased like the circle.
        let sunX = Float(width) * 0.8, sunY = Float(height) * 0.2, sunRadius = Float(height) * 0.11
        for row in 0..<height {
            for column in 0..<width {
                var inside = 0
                for sub in 0..<16 {
                    let x = Float(column) + (Float(sub % 4) + 0.5) / 4 - sunX
                    let y = Float(row) + (Float(sub / 4) + 0.5) / 4 - sunY
                    if x * x + y * y <= sunRadius * sunRadius { inside += 1 }
                }
                canvas.blend(row: row, column: column, colour: [1.0, 0.85, 0.15], amount: Float(inside) / 16)
            }
        }
        // The house: walls, a triangular roof, a door and a window.
        let wallLeft = width * 9 / 16, wallRight = width * 13 / 16
        let wallTop = horizon - height / 5, ground = horizon + height / 12
        fill(&canvas, rows: wallTop..<ground, columns: wallLeft..<wallRight, colour: [0.93, 0.90, 0.80])
        let roofPeak = wallTop - height / 6, eave = width / 32
        for row in roofPeak..<wallTop {
            let spread = Float(row - roofPeak) / Float(wallTop - roofPeak)
            let halfWidth = Int((Float(wallRight - wallLeft) / 2 + Float(eave)) * spread)
            let middle = (wallLeft + wallRight) / 2
            fill(&canvas, rows: row..<(row + 1), columns: (middle - halfWidth)..<(middle + halfWidth),
                 colour: [0.75, 0.15, 0.12])
        }
        let doorWidth = (wallRight - wallLeft) / 4
        fill(&canvas, rows: (ground - height / 8)..<ground,
             columns: (wallLeft + doorWidth / 2)..<(wallLeft + doorWidth * 3 / 2), colour: [0.45, 0.28, 0.12])
        fill(&canvas, rows: (wallTop + height / 24)..<(wallTop + height / 24 + height / 12),
             columns: (wallRight - doorWidth * 3 / 2)..<(wallRight - doorWidth / 2), colour: [0.35, 0.65, 0.95])
        return canvas
    }

    private static func fill(_ canvas: inout Canvas, rows: Range<Int>, columns: Range<Int>, colour: [Float]) {
        for row in rows.clamped(to: 0..<canvas.height) {
            for column in columns.clamped(to: 0..<canvas.width) {
                for channel in 0..<canvas.channels { canvas[row, column, channel] = colour[channel] }
            }
        }
    }
}
