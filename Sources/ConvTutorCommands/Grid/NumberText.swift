/// How ConvTutor writes a number, on screen and in JSON.
///
/// Integers (below 2^24, where every integer is a `Float`) have no decimal point; other values are
/// written in the shortest form that reads back as the same `Float` (Swift's `description`), so
/// a checker sees full precision and `19` stays `19`, not `19.0`.
public enum NumberText {
    /// The number as text: `19`, `-0.5`, `0.33333334`, `1e-05`; `nan`, `inf` and `-inf` for
    /// values that are not finite.
    public static func format(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// The number as a JSON value: as `format`, except that a value JSON cannot hold (NaN or an
    /// infinity) is `null`.
    public static func json(_ value: Float) -> String {
        value.isFinite ? format(value) : "null"
    }

    /// The number as a term of a sum or product on screen: negative values in parentheses, so
    /// that `1x(-2)` and `3 + (-1)` cannot be misread.
    public static func term(_ value: Float) -> String {
        let text = format(value)
        return value < 0 || (value == 0 && value.sign == .minus) ? "(\(text))" : text
    }
}
