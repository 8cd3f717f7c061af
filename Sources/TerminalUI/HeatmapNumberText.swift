/// Numbers as text for heatmaps and legends, without Foundation: fixed decimals (numbers mode) and
/// a compact form with three significant digits (legend labels). Rounding is half away from zero.
enum HeatmapNumberText {
    /// Appends `value` with `decimals` decimals (clamped to 0...9) as ASCII bytes: `-0.52`, `3`,
    /// `nan`, `inf`, `-inf`. A value that rounds to zero has no minus sign. Values too large for
    /// fixed decimals (1e17 units of the last decimal or more) are written in the compact form.
    static func appendFixed(_ value: Float, decimals: Int, to bytes: inout [UInt8]) {
        if let word = nonFiniteWord(value) {
            bytes.append(contentsOf: word.utf8)
            return
        }
        let places = min(max(decimals, 0), 9)
        var unitsPerOne = 1.0
        for _ in 0..<places { unitsPerOne *= 10 }
        let scaled = abs(Double(value)) * unitsPerOne
        guard scaled < 1e17 else {
            bytes.append(contentsOf: compact(value).utf8)
            return
        }
        var units = UInt64(scaled + 0.5)  // rounds half away from zero (truncation, no libm call)
        if value < 0 && units != 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits are appended least significant first, then the appended run is reversed.
        let start = bytes.count
        var written = 0
        repeat {
            if written == places && places > 0 { bytes.append(UInt8(ascii: ".")) }
            bytes.append(UInt8(ascii: "0") + UInt8(units % 10))
            units /= 10
            written += 1
        } while units > 0 || written <= places
        bytes[start...].reverse()
    }

    /// `value` with `decimals` decimals (see `appendFixed`).
    static func fixed(_ value: Float, decimals: Int) -> String {
        var bytes: [UInt8] = []
        appendFixed(value, decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `value` with three significant digits and no trailing zeros: `0`, `-0.52`, `1`, `12.3`,
    /// `255`, `1235`; below 0.001 or from 100000 on, in scientific form: `1.23e-4`, `2e6`.
    static func compact(_ value: Float) -> String {
        if let word = nonFiniteWord(value) { return word }
        if value == 0 { return "0" }
        let magnitude = abs(Double(value))
        var exponent = 0
        var mantissa = magnitude
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        if magnitude >= 1e-3 && magnitude < 1e5 {
            return trimmed(fixed(value, decimals: max(0, 2 - exponent)))
        }
        if mantissa * 100 + 0.5 >= 1000 {  // 9.996 rounds to 10.0: one more power of ten
            mantissa /= 10
            exponent += 1
        }
        let sign = value < 0 ? "-" : ""
        return sign + trimmed(fixed(Float(mantissa), decimals: 2)) + "e" + String(exponent)
    }

    /// The printable ASCII characters by code (others are spaces), so numbers are drawn without
    /// making a `Character` per digit.
    static let asciiCharacters: [Character] = (0..<128).map { code in
        (0x20..<0x7F).contains(code) ? Character(Unicode.Scalar(UInt8(code))) : " "
    }

    private static func nonFiniteWord(_ value: Float) -> String? {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return nil
    }

    /// Drops trailing zeros after a decimal point, and the point if nothing follows it.
    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.last == "0" { result.removeLast() }
        if result.last == "." { result.removeLast() }
        return String(result)
    }
}
