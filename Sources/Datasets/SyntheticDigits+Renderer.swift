import ConvKernels
import Foundation

/// Draws synthetic digits into square byte fields, reusing its scratch space from one digit to the
/// next (a dataset renders thousands with one renderer per chunk).
///
/// The steps: take the glyph's control points; move them by a smooth random displacement field
/// (the hand's unsteadiness) and each stroke by a small random shift; widen, slant and turn them;
/// flatten the Bezier pieces into short segments; fit the result into MNIST's 20-pixel box with its
/// centre of mass on the middle (plus the style's offset); draw each segment as a capsule of the
/// pen's width with a soft edge, keeping the largest coverage per pixel; then ink and noise.
struct DigitRenderer {
    typealias Point = SIMD2<Float>

    let size: Int
    /// Coverage 0...1 per pixel, row-major, each row `rowStride` long: the columns past `size` are
    /// room for the last 8-pixel run of a row to spill into, and are never read back.
    private var coverage: [Float]
    private let rowStride: Int
    /// The flattened pen path in the digit's own units, then in pixels; `strokeEnds[i]` is one past
    /// the last point of stroke `i`.
    private var path: [Point] = []
    private var strokeEnds: [Int] = []

    /// The width of the anti-aliased edge, in pixels: coverage falls from 1 to 0 across it, the
    /// stroke's nominal edge in its middle (MNIST's edges are about this soft).
    static let edgeWidth: Float = 1.2
    /// MNIST's box for the digit (20 pixels) and field (28).
    static let boxSide: Float = 20, fieldSide: Float = 28

    init(size: Int) {
        precondition(size >= 1, "a digit field of \(size) x \(size) pixels is empty; it needs at least 1")
        self.size = size
        rowStride = size + Self.run
        coverage = [Float](repeating: 0, count: size * rowStride)
        path.reserveCapacity(256)
        strokeEnds.reserveCapacity(4)
    }

    /// Renders `digit` into `output` (`size * size` bytes, row-major, 0 = background, 255 = ink).
    mutating func render(digit: Int, style: DigitStyle, random: inout SeededRandom,
                         into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition((0...9).contains(digit), "digit \(digit) is not a digit; it must be 0...9")
        precondition(output.count == size * size, "output holds \(output.count) bytes; a \(size) x \(size) field needs \(size * size)")
        precondition(style.thickness.isFinite && style.thickness >= 0, "thickness \(style.thickness) must be finite, 0 or more")
        precondition(style.scale.isFinite && style.scale > 0, "scale \(style.scale) must be finite and above 0")
        precondition(style.width.isFinite && style.width > 0, "width \(style.width) must be finite and above 0")
        precondition(style.jitter >= 0, "jitter \(style.jitter) must be 0 or more")
        precondition(style.slant.isFinite && style.rotation.isFinite && style.offsetX.isFinite && style.offsetY.isFinite
            && style.jitter.isFinite && style.noise.isFinite && style.ink.isFinite, "style \(style) has a value that is not finite")

        let shapes = SyntheticDigits.glyphs[digit]
        let glyph = shapes[((style.shape % shapes.count) + shapes.count) % shapes.count]
        tracePath(glyph, style: style, random: &random)
        let pixelsPerUnit = Float(size) / Self.fieldSide
        let radius = style.thickness * pixelsPerUnit / 2
        fitToField(style: style, pixelsPerUnit: pixelsPerUnit, inkWidth: 2 * radius)
        draw(radius: radius)
        finish(style: style, pixelsPerUnit: pixelsPerUnit, random: &random, into: output)
    }

    /// The glyph's strokes, jittered, widened, slanted and turned, flattened into `path`.
    private mutating func tracePath(_ glyph: SyntheticDigits.Glyph, style: DigitStyle, random: inout SeededRandom) {
        // The displacement field: two plane waves per axis (lanes 0 and 1 move x, 2 and 3 move
        // y), of random direction, wavelength and phase; smooth, so neighbouring control points
        // move together as a hand's drift would.
        var frequencyX = SIMD4<Float>(), frequencyY = SIMD4<Float>(), phase = SIMD4<Float>(), amplitude = SIMD4<Float>()
        for wave in 0..<4 {
            frequencyX[wave] = random.nextFloat(in: -6..<6)
            frequencyY[wave] = random.nextFloat(in: -6..<6)
            phase[wave] = random.nextFloat(in: 0..<(2 * .pi))
            amplitude[wave] = style.jitter * random.nextFloat(in: 0.4..<1)
        }
        func displacement(_ p: Point) -> Point {
            let angle = frequencyX * p.x + frequencyY * p.y + phase
            let wave = amplitude * SIMD4(sin(angle[0]), sin(angle[1]), sin(angle[2]), sin(angle[3]))
            return Point(wave[0] + wave[1], wave[2] + wave[3])
        }
        let (cosine, sine) = (cos(style.rotation), sin(style.rotation))
        func place(_ p: Point) -> Point {
            var u = (p.x - 0.5) * style.width, v = p.y - 0.5
            u -= style.slant * v
            return Point(u * cosine - v * sine, u * sine + v * cosine)
        }

        path.removeAll(keepingCapacity: true)
        strokeEnds.removeAll(keepingCapacity: true)
        for stroke in glyph {
            let shift = glyph.count > 1 ? wobble(style.jitter * 0.8, &random) : .zero
            var start = place(stroke[0] + shift + displacement(stroke[0]))
            path.append(start)
            for piece in stride(from: 1, to: stroke.count, by: 3) {
                // The controls also move on their own a little, bending each piece its own way
                // (the ends stay shared, so the stroke stays joined).
                let bend1 = wobble(style.jitter * 0.8, &random), bend2 = wobble(style.jitter * 0.8, &random)
                let c1 = place(stroke[piece] + shift + bend1 + displacement(stroke[piece]))
                let c2 = place(stroke[piece + 1] + shift + bend2 + displacement(stroke[piece + 1]))
                let end = place(stroke[piece + 2] + shift + displacement(stroke[piece + 2]))
                // About one segment per 2.5 pixels of the control polygon (a unit is about 20 pixels): a
                // quarter circle of radius 8 pixels then strays from its chords by 0.1 pixel.
                let polygon = distance(start, c1) + distance(c1, c2) + distance(c2, end)
                let segments = min(10, max(2, Int((polygon * 8).rounded(.up))))
                for index in 1...segments {
                    let t = Float(index) / Float(segments), s = 1 - t
                    let a = s * s * s, b = 3 * s * s * t, c = 3 * s * t * t, d = t * t * t
                    path.append(a * start + b * c1 + c * c2 + d * end)
                }
                start = end
            }
            strokeEnds.append(path.count)
        }
    }

    /// Scales and moves `path` into pixels: the longer side of its box plus the ink's width becomes
    /// `scale` of MNIST's 20-pixel box, and its centre of mass (along the strokes) lands on the
    /// middle of the field plus the style's offset.
    private mutating func fitToField(style: DigitStyle, pixelsPerUnit: Float, inkWidth: Float) {
        var low = path[0], high = path[0]
        var centre = Point.zero, length: Float = 0
        var strokeStart = 0
        for end in strokeEnds {
            for index in strokeStart..<end {
                low = pointwiseMin(low, path[index])
                high = pointwiseMax(high, path[index])
                if index > strokeStart {
                    let piece = distance(path[index - 1], path[index])
                    centre += piece * (path[index - 1] + path[index]) / 2
                    length += piece
                }
            }
            strokeStart = end
        }
        centre = length > 0 ? centre / length : (low + high) / 2
        let extent = high - low
        let target = max(1, Self.boxSide * pixelsPerUnit * style.scale - inkWidth)
        let pixelsPerGlyphUnit = target / max(extent.x, extent.y, 1e-3)
        let middle = Point(repeating: Float(size) / 2) + pixelsPerUnit * Point(style.offsetX, style.offsetY)
        for index in path.indices {
            path[index] = (path[index] - centre) * pixelsPerGlyphUnit + middle
        }
    }

    /// Pixels per SIMD run in `stamp`.
    private static let run = 8

    /// Draws every segment of `path` as a capsule of `radius` with a soft edge into `coverage`.
    private mutating func draw(radius: Float) {
        let size = self.size, rowStride = self.rowStride
        let reach = radius + Self.edgeWidth / 2, inverseEdge = 1 / Self.edgeWidth
        let path = self.path, strokeEnds = self.strokeEnds
        coverage.withUnsafeMutableBufferPointer { field in
            field.update(repeating: 0)
            guard let base = field.baseAddress else { return }
            var strokeStart = 0
            for end in strokeEnds {
                for index in (strokeStart + 1)..<max(strokeStart + 1, end) {
                    Self.stamp(from: path[index - 1], to: path[index], reach: reach, inverseEdge: inverseEdge,
                               size: size, rowStride: rowStride, field: base)
                }
                strokeStart = end
            }
        }
    }

    /// One capsule: every pixel whose centre lies within `reach` of the segment `a`-`b` gets
    /// coverage `(reach - distance) / edgeWidth` (at most 1), if that is more than it has.
    /// Only the rows of the segment's bounding box are visited, eight pixels of a row at a time
    /// from its left edge (a segment's box is rarely wider than eight); pixels in a run that lie
    /// outside the box get their true coverage too, which is 0 or what the segment gives them.
    @inline(__always)
    private static func stamp(from a: Point, to b: Point, reach: Float, inverseEdge: Float, size: Int, rowStride: Int,
                              field: UnsafeMutablePointer<Float>) {
        let lowX = max(0, Int((min(a.x, b.x) - reach - 0.5).rounded(.down)))
        let highX = min(size - 1, Int((max(a.x, b.x) + reach - 0.5).rounded(.up)))
        let lowY = max(0, Int((min(a.y, b.y) - reach - 0.5).rounded(.down)))
        let highY = min(size - 1, Int((max(a.y, b.y) + reach - 0.5).rounded(.up)))
        if lowX > highX || lowY > highY { return }
        let along = b - a
        let lengthSquared = (along * along).sum()
        let inverseLength: Float = lengthSquared > 1e-12 ? 1 / lengthSquared : 0
        let lanes = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
        let zero = SIMD8<Float>(repeating: 0), one = SIMD8<Float>(repeating: 1)
        for row in lowY...highY {
            let y = Float(row) + 0.5 - a.y
            var column = lowX
            while column <= highX {
                let x = lanes + (Float(column) + 0.5 - a.x)
                let t = clamp((x * along.x + y * along.y) * inverseLength, zero, one)
                let dx = x - t * along.x, dy = y - t * along.y
                let distance = (dx * dx + dy * dy).squareRoot()
                let value = clamp((reach - distance) * inverseEdge, zero, one)
                let cell = UnsafeMutableRawPointer(field + (row &* rowStride &+ column))
                let old = cell.loadUnaligned(as: SIMD8<Float>.self)
                cell.storeBytes(of: old.replacing(with: value, where: value .> old), as: SIMD8<Float>.self)
                column &+= run
            }
        }
    }

    /// `value` limited to `low...high`, lane by lane, as selects (the generic `clamped` is not
    /// inlined for SIMD8 and costs more than the rest of `stamp`).
    @inline(__always)
    private static func clamp(_ value: SIMD8<Float>, _ low: SIMD8<Float>, _ high: SIMD8<Float>) -> SIMD8<Float> {
        value.replacing(with: low, where: value .< low).replacing(with: high, where: value .> high)
    }

    /// Coverage to bytes: the ink's intensity, the noise's dents in the ink and its specks.
    private mutating func finish(style: DigitStyle, pixelsPerUnit: Float, random: inout SeededRandom,
                                 into output: UnsafeMutableBufferPointer<UInt8>) {
        let ink = min(max(style.ink, 0), 1) * 255, noise = min(max(style.noise, 0), 1)
        let size = self.size, rowStride = self.rowStride
        coverage.withUnsafeMutableBufferPointer { field in
            if noise > 0 {
                for row in 0..<size {
                    for index in (row * rowStride)..<(row * rowStride + size) where field[index] > 0 {
                        field[index] *= 1 - noise * random.nextUnitFloat()
                    }
                }
                let specks = Int((40 * noise * pixelsPerUnit * pixelsPerUnit).rounded())
                for _ in 0..<specks {
                    let pixel = Int(random.next() % UInt64(size * size))
                    let index = pixel / size * rowStride + pixel % size
                    field[index] = max(field[index], 2 * noise * random.nextUnitFloat())
                }
            }
            // Adding 2^23 leaves round(value) in the low bits of the float (for 0 <= value < 2^23):
            // a rounding conversion with no range checks, so the loop vectorises.
            for row in 0..<size {
                for column in 0..<size {
                    let value = min(255, max(0, field[row &* rowStride &+ column] * ink)) + 8_388_608
                    output[row &* size &+ column] = UInt8(truncatingIfNeeded: value.bitPattern)
                }
            }
        }
    }

    /// A random displacement, uniform within `amount` along each axis (standard deviation
    /// `amount / sqrt 3`).
    private func wobble(_ amount: Float, _ random: inout SeededRandom) -> Point {
        Point(random.nextUnitFloat() * 2 - 1, random.nextUnitFloat() * 2 - 1) * amount
    }

    private func distance(_ a: Point, _ b: Point) -> Float {
        let d = b - a
        return (d * d).sum().squareRoot()
    }
}
