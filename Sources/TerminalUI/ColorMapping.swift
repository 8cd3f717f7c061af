/// The values a colour scale spans: `lower` takes the scale's first colour, `upper` its last.
public struct ValueRange: Hashable, Sendable, CustomStringConvertible {
    public let lower: Float
    public let upper: Float

    /// A range between two bounds given in either order. A NaN bound counts as 0 and an infinite
    /// one as the largest finite `Float`, so a range made from damaged data still draws.
    public init(lower: Float, upper: Float) {
        let a = ValueRange.finite(lower), b = ValueRange.finite(upper)
        self.lower = min(a, b)
        self.upper = max(a, b)
    }

    public init(_ range: ClosedRange<Float>) {
        self.init(lower: range.lowerBound, upper: range.upperBound)
    }

    /// The smallest range holding every finite value (NaN and infinities are left out: they are
    /// drawn as markers); 0...0 when there is none.
    public init(fitting values: some Sequence<Float>) {
        var low = Float.infinity, high = -Float.infinity
        for value in values where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        self = low <= high ? ValueRange(lower: low, upper: high) : ValueRange(lower: 0, upper: 0)
    }

    /// True when the range is a single value (a constant grid): there is nothing to spread out.
    public var isConstant: Bool { lower == upper }

    /// The larger of the bounds' magnitudes.
    public var magnitude: Float { max(abs(lower), abs(upper)) }

    /// `-magnitude...magnitude`: the range centred on zero that holds this one.
    public var symmetric: ValueRange { ValueRange(lower: -magnitude, upper: magnitude) }

    public var description: String { "\(lower)...\(upper)" }

    private static func finite(_ bound: Float) -> Float {
        if bound.isNaN { return 0 }
        return min(Float.greatestFiniteMagnitude, max(-Float.greatestFiniteMagnitude, bound))
    }
}

/// Values to colours: a scale and the range of values it spans. For the diverging scale the range
/// is made symmetric about zero (`-m...m`, m the larger bound's magnitude), so zero is always white
/// and equal magnitudes of either sign get equally strong colours.
///
/// A value's position on the scale is `(value - lower) / (upper - lower)`, clamped to 0...1. A
/// constant range divides by nothing: a value equal to it sits at the scale's start (the middle,
/// zero's white, for diverging); values above it at the end, below it at the start. NaN and
/// infinities have no position: they are drawn as a marker, magenta in colour and `?` in monochrome.
public struct ColorMapping: Hashable, Sendable {
    public let scale: ColorScale
    /// The range actually spanned (symmetric for `.diverging`).
    public let range: ValueRange

    /// 256 / (upper - lower), or 0 for a range too narrow to divide by.
    private let stepsPerUnit: Float
    /// The step of a value equal to a constant range.
    private let constantStep: Int

    public init(scale: ColorScale, range: ValueRange) {
        self.scale = scale
        self.range = scale == .diverging ? range.symmetric : range
        let width = Double(self.range.upper) - Double(self.range.lower)
        let factor = width > 0 ? Float(Double(ColorScaleTable.steps) / width) : 0
        stepsPerUnit = factor.isFinite ? factor : 0
        constantStep = scale == .diverging ? ColorScaleTable.steps / 2 : 0
    }

    /// A mapping spanning the finite values of `values` (see `ValueRange(fitting:)`).
    public init(scale: ColorScale, fitting values: some Sequence<Float>) {
        self.init(scale: scale, range: ValueRange(fitting: values))
    }

    /// The colour of NaN and infinities: magenta, a colour none of the scales uses.
    public static let markerRGB: (red: UInt8, green: UInt8, blue: UInt8) = (255, 0, 255)
    /// The character of NaN and infinities in monochrome.
    public static let markerShade: Character = "?"

    /// Where `value` falls on the scale, 0...1; nil for NaN and infinities.
    public func position(of value: Float) -> Double? {
        guard value.isFinite else { return nil }
        let lower = Double(range.lower), upper = Double(range.upper), v = Double(value)
        if stepsPerUnit > 0 { return min(1, max(0, (v - lower) / (upper - lower))) }
        if v > upper { return 1 }
        if v < lower { return 0 }
        return Double(constantStep) / Double(ColorScaleTable.steps)
    }

    /// The colour of `value`: `.rgb` in direct colour, the nearest palette entry in 256 colours,
    /// `.terminalDefault` in monochrome (use `shade(for:glyphs:)` there). Positions are rounded
    /// to 1/256 of the scale, finer than either colour mode can show.
    public func color(for value: Float, mode: ColorMode) -> TerminalColor {
        let step = self.step(of: value)
        if step < 0 { return ColorMapping.markerColor(mode) }
        let colors = scale.table.colors(for: mode)
        return colors.isEmpty ? .terminalDefault : colors[step]
    }

    /// The monochrome character of `value` from the scale's `shadeRamp(for:)`; `?` for NaN and infinities.
    public func shade(for value: Float, glyphs: GlyphSet) -> Character {
        let step = self.step(of: value)
        if step < 0 { return ColorMapping.markerShade }
        let ramp = scale.shadeRamp(for: glyphs)
        return ramp[ColorMapping.rampIndex(step: step, count: ramp.count)]
    }

    /// One cell showing `value`: a blank with the value's background colour, or in monochrome the
    /// value's shade character.
    public func cell(for value: Float, capabilities: TerminalCapabilities) -> Cell {
        if capabilities.colors == .monochrome { return Cell(shade(for: value, glyphs: capabilities.glyphs)) }
        return Cell(" ", style: Style(background: color(for: value, mode: capabilities.colors)))
    }

    /// The marker colour for NaN and infinities in `mode`.
    public static func markerColor(_ mode: ColorMode) -> TerminalColor {
        let (red, green, blue) = markerRGB
        switch mode {
        case .direct: return .rgb(red, green, blue)
        case .palette256: return .indexed(TerminalColor.nearestPaletteIndex(red: red, green: green, blue: blue))
        case .monochrome: return .terminalDefault
        }
    }

    /// The scale step of `value`, 0...256 (`position` * 256, rounded), or -1 for NaN and infinities.
    /// The heatmap's per-cell path: Float arithmetic, no division.
    @inline(__always)
    func step(of value: Float) -> Int {
        guard value.isFinite else { return -1 }
        if stepsPerUnit > 0 {
            // Finite minus finite may overflow to an infinity but is never NaN; the clamps catch it.
            let scaled = (value - range.lower) * stepsPerUnit + 0.5
            if scaled <= 0 { return 0 }
            if scaled >= Float(ColorScaleTable.steps) { return ColorScaleTable.steps }
            return Int(scaled)
        }
        if value > range.upper { return ColorScaleTable.steps }
        if value < range.lower { return 0 }
        return constantStep
    }

    /// The ramp character for a step: equal-width bins over 0...256.
    @inline(__always)
    static func rampIndex(step: Int, count: Int) -> Int {
        min(count - 1, step * count / ColorScaleTable.steps)
    }
}
