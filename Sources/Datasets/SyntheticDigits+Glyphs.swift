import Foundation

/// The pen paths of the digits, as a person writes them, in a glyph box where x runs 0...1 left to
/// right and y runs 0...1 top to bottom. A glyph is a list of strokes (pen down to pen up); a
/// stroke is a chain of cubic Bezier pieces stored as `start, (control, control, end)*`, so a
/// straight line is a cubic whose controls lie on it (the elastic jitter can then bend it a little).
/// The sizes are only proportions: the renderer fits each drawn digit into MNIST's 20-pixel box.
extension SyntheticDigits {
    typealias Point = SIMD2<Float>
    typealias Stroke = [Point]
    typealias Glyph = [Stroke]

    /// Several ways of writing each digit, `glyphs[digit][shape]`.
    static let glyphs: [[Glyph]] = [
        // 0: an oval started at the top, closed with a small overlap; one that stops short of
        // closing; a narrower one started at the top right, pointed at the top.
        [
            [StrokeBuilder(ellipse: Point(0.5, 0.5), radii: Point(0.32, 0.48), from: -95, to: 280).points],
            [StrokeBuilder(ellipse: Point(0.5, 0.5), radii: Point(0.36, 0.48), from: -80, to: 245).points],
            [StrokeBuilder(0.6, 0.05)
                .curve(0.3, -0.05, 0.12, 0.3, 0.14, 0.55)
                .curve(0.16, 0.85, 0.35, 1.0, 0.52, 0.99)
                .curve(0.75, 0.98, 0.86, 0.72, 0.85, 0.45)
                .curve(0.84, 0.18, 0.72, 0.0, 0.5, 0.02).points],
        ],
        // 1: a plain bar; with a flag; with a flag and a base.
        [
            [StrokeBuilder(0.5, 0).line(0.5, 1).points],
            [StrokeBuilder(0.22, 0.25).line(0.55, 0).line(0.55, 1).points],
            [StrokeBuilder(0.25, 0.22).line(0.52, 0).line(0.52, 0.97).points,
             StrokeBuilder(0.22, 0.98).line(0.82, 0.98).points],
        ],
        // 2: a curved neck into a straight base; with a loop where neck meets base; a neck that
        // runs straight down to the corner (a Z with a round top).
        [
            [StrokeBuilder(0.12, 0.25)
                .curve(0.18, 0.0, 0.82, -0.04, 0.84, 0.28)
                .curve(0.86, 0.55, 0.35, 0.75, 0.08, 0.99)
                .line(0.92, 0.97).points],
            [StrokeBuilder(0.14, 0.22)
                .curve(0.22, -0.02, 0.85, -0.02, 0.84, 0.3)
                .curve(0.84, 0.55, 0.45, 0.72, 0.18, 0.93)
                .curve(0.05, 1.02, 0.0, 0.8, 0.15, 0.76)
                .curve(0.3, 0.72, 0.35, 0.95, 0.5, 0.97)
                .line(0.92, 0.96).points],
            [StrokeBuilder(0.1, 0.2)
                .curve(0.2, -0.03, 0.88, -0.03, 0.86, 0.3)
                .line(0.1, 0.98)
                .line(0.9, 0.98).points],
        ],
        // 3: two bowls; a flat top with a diagonal into the lower bowl.
        [
            [StrokeBuilder(0.12, 0.14)
                .curve(0.35, -0.06, 0.85, -0.02, 0.8, 0.22)
                .curve(0.76, 0.38, 0.58, 0.46, 0.38, 0.47)
                .curve(0.7, 0.47, 0.93, 0.6, 0.88, 0.78)
                .curve(0.82, 1.02, 0.3, 1.05, 0.08, 0.86).points],
            [StrokeBuilder(0.12, 0.02).line(0.86, 0.02).line(0.42, 0.42)
                .curve(0.75, 0.38, 0.95, 0.6, 0.88, 0.8)
                .curve(0.8, 1.02, 0.3, 1.04, 0.08, 0.86).points],
        ],
        // 4: closed (a triangle against the stem, in one stroke then the stem); open (two strokes
        // that do not meet at the top).
        [
            [StrokeBuilder(0.7, 0.0).line(0.06, 0.66).line(0.94, 0.66).points,
             StrokeBuilder(0.7, 0.0).line(0.7, 1.0).points],
            [StrokeBuilder(0.16, 0.0).line(0.1, 0.6).line(0.92, 0.6).points,
             StrokeBuilder(0.72, 0.1).line(0.7, 1.0).points],
        ],
        // 5: the bar drawn first then the stem and bowl; stem and bowl then the bar on top.
        [
            [StrokeBuilder(0.86, 0.02).line(0.26, 0.02).line(0.2, 0.46)
                .curve(0.5, 0.3, 0.92, 0.42, 0.87, 0.7)
                .curve(0.82, 1.0, 0.3, 1.05, 0.08, 0.86).points],
            [StrokeBuilder(0.28, 0.0).line(0.22, 0.48)
                .curve(0.55, 0.35, 0.9, 0.5, 0.84, 0.74)
                .curve(0.78, 0.98, 0.35, 1.02, 0.12, 0.86).points,
             StrokeBuilder(0.28, 0.02).line(0.88, 0.0).points],
        ],
        // 6: a curved back into the bottom loop; a straight back.
        [
            [StrokeBuilder(0.78, 0.04)
                .curve(0.45, 0.06, 0.14, 0.38, 0.14, 0.7)
                .continueEllipse(center: Point(0.48, 0.71), radii: Point(0.34, 0.28), from: 180, to: -175).points],
            [StrokeBuilder(0.62, 0.0).line(0.16, 0.66)
                .continueEllipse(center: Point(0.48, 0.72), radii: Point(0.33, 0.27), from: 175, to: -170).points],
        ],
        // 7: a bar and a straight stem; with a crossbar; a stem that curves down.
        [
            [StrokeBuilder(0.08, 0.04).line(0.92, 0.04).line(0.36, 1.0).points],
            [StrokeBuilder(0.08, 0.04).line(0.92, 0.04).line(0.4, 1.0).points,
             StrokeBuilder(0.35, 0.52).line(0.85, 0.5).points],
            [StrokeBuilder(0.1, 0.08).line(0.9, 0.04)
                .curve(0.62, 0.35, 0.48, 0.62, 0.46, 1.0).points],
        ],
        // 8: one stroke, an S and back up (the loops cross in the middle); the same begun to the
        // left (a mirrored S); two stacked loops.
        [
            [StrokeBuilder(0.2, 0.16)
                .curve(0.38, -0.04, 0.84, -0.02, 0.8, 0.23)
                .curve(0.76, 0.45, 0.14, 0.5, 0.14, 0.76)
                .curve(0.14, 1.03, 0.86, 1.03, 0.86, 0.76)
                .curve(0.86, 0.5, 0.24, 0.45, 0.2, 0.22)
                .curve(0.18, 0.1, 0.22, 0.06, 0.28, 0.04).points],
            [StrokeBuilder(0.8, 0.16)
                .curve(0.62, -0.04, 0.16, -0.02, 0.2, 0.23)
                .curve(0.24, 0.45, 0.86, 0.5, 0.86, 0.76)
                .curve(0.86, 1.03, 0.14, 1.03, 0.14, 0.76)
                .curve(0.14, 0.5, 0.76, 0.45, 0.8, 0.22)
                .curve(0.82, 0.1, 0.78, 0.06, 0.72, 0.04).points],
            [StrokeBuilder(ellipse: Point(0.5, 0.24), radii: Point(0.27, 0.24), from: 90, to: 455).points,
             StrokeBuilder(ellipse: Point(0.5, 0.73), radii: Point(0.34, 0.27), from: -90, to: 275).points],
        ],
        // 9: a loop and a straight stem; a stem that curves back to the left at the bottom.
        [
            [StrokeBuilder(ellipse: Point(0.46, 0.28), radii: Point(0.33, 0.27), from: 0, to: -360)
                .line(0.76, 1.0).points],
            [StrokeBuilder(ellipse: Point(0.46, 0.28), radii: Point(0.33, 0.27), from: 5, to: -360)
                .curve(0.8, 0.6, 0.74, 0.92, 0.4, 1.0).points],
        ],
    ]
}

/// Builds one stroke of a glyph piece by piece.
struct StrokeBuilder {
    private(set) var points: [SIMD2<Float>]

    init(_ x: Float, _ y: Float) {
        points = [SIMD2(x, y)]
    }

    /// A stroke that starts as an elliptical arc from angle `from` to `to` (degrees, 0 = right,
    /// 90 = down, as y grows downward; going from a larger to a smaller angle runs anticlockwise
    /// on screen).
    init(ellipse center: SIMD2<Float>, radii: SIMD2<Float>, from: Float, to: Float) {
        let start = from * .pi / 180
        points = [center + radii * SIMD2(cos(start), sin(start))]
        self = continueEllipse(center: center, radii: radii, from: from, to: to)
    }

    private var end: SIMD2<Float> { points[points.count - 1] }

    /// A straight piece to (x, y).
    func line(_ x: Float, _ y: Float) -> StrokeBuilder {
        let target = SIMD2<Float>(x, y)
        var next = self
        next.points += [end + (target - end) / 3, end + (target - end) * (2 / 3), target]
        return next
    }

    /// A cubic Bezier piece with controls (c1x, c1y), (c2x, c2y) to (x, y).
    func curve(_ c1x: Float, _ c1y: Float, _ c2x: Float, _ c2y: Float, _ x: Float, _ y: Float) -> StrokeBuilder {
        var next = self
        next.points += [SIMD2(c1x, c1y), SIMD2(c2x, c2y), SIMD2(x, y)]
        return next
    }

    /// An elliptical arc from angle `from` to `to` (degrees), in pieces of at most 90 degrees
    /// (each a cubic with the usual 4/3 tan(angle/4) handles). The arc starts wherever the stroke
    /// is: a small gap to the arc's true start is bridged by its first piece.
    func continueEllipse(center: SIMD2<Float>, radii: SIMD2<Float>, from: Float, to: Float) -> StrokeBuilder {
        var next = self
        let pieces = max(1, Int((abs(to - from) / 90).rounded(.up)))
        let step = (to - from) / Float(pieces) * .pi / 180
        let handle = 4 / 3 * tan(step / 4)
        for piece in 0..<pieces {
            let a = from * .pi / 180 + Float(piece) * step
            let b = a + step
            let tangentA = radii * SIMD2(-sin(a), cos(a)), tangentB = radii * SIMD2(-sin(b), cos(b))
            let pointA = piece == 0 ? next.end : center + radii * SIMD2(cos(a), sin(a))
            let pointB = center + radii * SIMD2(cos(b), sin(b))
            next.points += [pointA + handle * tangentA, pointB - handle * tangentB, pointB]
        }
        return next
    }
}
