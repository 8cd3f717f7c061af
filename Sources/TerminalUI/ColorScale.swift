/// A colour scale: how a position between the lowest value (0) and the highest (1) becomes a
/// colour. `ColorMapping` places values on the scale; this type only knows positions.
///
/// In monochrome a scale is a ramp of shade characters instead (`shadeRamp(for:)`).
public enum ColorScale: Hashable, Sendable, CaseIterable {
    /// Dark purple through blue and green to yellow: matplotlib's viridis, perceptually uniform and
    /// readable by colour-blind people. For values without a sign: pixels, ReLU outputs, pooled maps.
    case sequential
    /// Blue through white to red, white at the middle (zero, as `ColorMapping` centres it): for
    /// signed values such as kernels, gradients and raw convolution outputs. The ends and quarter
    /// points are Moreland's cool-warm ones (`#3B4CC0`, `#8DB0FE`, `#F49A7B`, `#B40426`); the
    /// middle is pure white so that zero reads as "nothing".
    case diverging
    /// Black to white.
    case greyscale

    /// The colour at `position` (0...1; clamped, NaN counts as 0), linearly interpolated between
    /// the scale's control points in sRGB and rounded to the nearest 8-bit level.
    ///
    /// Worked values: sequential 0 -> (68, 1, 84) `#440154`, 1 -> (253, 231, 37) `#FDE725`;
    /// diverging 0 -> (59, 76, 192), 0.5 -> (255, 255, 255), 1 -> (180, 4, 38);
    /// greyscale 0.5 -> (128, 128, 128).
    public func rgb(at position: Double) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let t = position >= 0 ? min(position, 1) : 0  // NaN fails the comparison and becomes 0
        switch self {
        case .greyscale:
            let level = ColorScale.byte(t)
            return (level, level, level)
        case .sequential:
            return ColorScale.interpolate(ColorScale.viridisStops, at: t)
        case .diverging:
            return ColorScale.interpolate(ColorScale.coolWarmStops, at: t)
        }
    }

    /// The characters that stand for values in monochrome, from the lowest value to the highest;
    /// a value takes the character of the equal-width bin its position falls in.
    ///
    /// Sequential and greyscale: `" ░▒▓█"` in Unicode, `" .:-=+*#%@"` in ASCII. Diverging, in both
    /// glyph sets: `"=- +#"`, so the sign stays readable without colour (and in a text dump):
    /// strongly negative `=`, negative `-`, near zero blank, positive `+`, strongly positive `#`
    /// (bins of a fifth of the range -m...m each).
    public func shadeRamp(for glyphs: GlyphSet) -> [Character] {
        switch (self, glyphs) {
        case (.diverging, _): return ColorScale.signedRamp
        case (_, .unicode): return ColorScale.unicodeShades
        case (_, .ascii): return ColorScale.asciiShades
        }
    }

    static let unicodeShades: [Character] = [" ", "░", "▒", "▓", "█"]
    static let asciiShades: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]
    static let signedRamp: [Character] = ["=", "-", " ", "+", "#"]

    /// A control point: position and red, green, blue in 0...1.
    typealias Stop = (position: Double, red: Double, green: Double, blue: Double)

    /// matplotlib's viridis (`_viridis_data` in `_cm_listed.py`), entries 0, 16, 32, ..., 128, 143,
    /// 159, ..., 239, 255 of its 256, each placed at its own position (index / 255), so the
    /// interpolation passes through the published colours.
    static let viridisStops: [Stop] = [
        (0, 0.267004, 0.004874, 0.329415),
        (16, 0.282327, 0.094955, 0.417331),
        (32, 0.278826, 0.175490, 0.483397),
        (48, 0.258965, 0.251537, 0.524736),
        (64, 0.229739, 0.322361, 0.545706),
        (80, 0.199430, 0.387607, 0.554642),
        (96, 0.172719, 0.448791, 0.557885),
        (112, 0.149039, 0.508051, 0.557250),
        (128, 0.127568, 0.566949, 0.550556),
        (143, 0.120081, 0.622161, 0.534946),
        (159, 0.153894, 0.680203, 0.504172),
        (175, 0.239374, 0.735588, 0.455688),
        (191, 0.360741, 0.785964, 0.387814),
        (207, 0.506271, 0.828786, 0.300362),
        (223, 0.668054, 0.861999, 0.196293),
        (239, 0.835270, 0.886029, 0.102646),
        (255, 0.993248, 0.906157, 0.143936),
    ].map { (position: $0.0 / 255, red: $0.1, green: $0.2, blue: $0.3) }

    /// Blue, light blue, white, light red, red (see `diverging`).
    static let coolWarmStops: [Stop] = [
        (0.00, 59, 76, 192),
        (0.25, 141, 176, 254),
        (0.50, 255, 255, 255),
        (0.75, 244, 154, 123),
        (1.00, 180, 4, 38),
    ].map { (position: $0.0, red: $0.1 / 255, green: $0.2 / 255, blue: $0.3 / 255) }

    private static func interpolate(_ stops: [Stop], at t: Double) -> (red: UInt8, green: UInt8, blue: UInt8) {
        var upper = 1
        while upper < stops.count - 1 && stops[upper].position < t { upper += 1 }
        let a = stops[upper - 1], b = stops[upper]
        let f = b.position > a.position ? min(1, max(0, (t - a.position) / (b.position - a.position))) : 0
        return (byte(a.red + (b.red - a.red) * f), byte(a.green + (b.green - a.green) * f),
                byte(a.blue + (b.blue - a.blue) * f))
    }

    /// 0...1 to the nearest of 0...255 (adding a half and truncating: no libm call).
    private static func byte(_ unit: Double) -> UInt8 {
        UInt8(min(255, max(0, unit * 255)) + 0.5)
    }
}

extension ColorScale {
    /// The one scale and range for pictures compared side by side (an image and what kernels make
    /// of it), so that their colours can be compared: diverging, centred on 0, over the largest
    /// magnitude when any value is negative (the two signs of an edge read as blue and red);
    /// otherwise sequential from 0 to the largest value, at least 1 (an image's own 0...1), so an
    /// identity looks like its input and a blur's lost contrast shows. Only finite values count.
    public static func comparing<S: Sequence>(_ values: S) -> (scale: ColorScale, range: ValueRange) where S.Element == Float {
        var lowest: Float = 0, highest: Float = 0
        for value in values where value.isFinite {
            lowest = min(lowest, value)
            highest = max(highest, value)
        }
        if lowest < 0 {
            let magnitude = max(1, -lowest, highest)
            return (.diverging, ValueRange(lower: -magnitude, upper: magnitude))
        }
        return (.sequential, ValueRange(lower: 0, upper: max(1, highest)))
    }
}
