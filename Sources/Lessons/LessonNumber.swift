import Foundation

/// How a lesson writes numbers, reads the numbers a learner types, and decides whether a typed
/// number is the value shown.
///
/// Shown numbers are compact: integers without ".0" ("12"), others rounded to at most three
/// decimals with trailing zeros dropped ("-0.5", "0.333"), and scientific notation with up to two
/// decimals for very large or very small magnitudes ("1.2e+06", "4.5e-05").
public enum LessonNumber {
    /// Magnitudes from here up are written in scientific notation.
    static let largeMagnitude: Float = 1e6
    /// Non-zero magnitudes below this are written in scientific notation (three decimals would show 0).
    static let smallMagnitude: Float = 0.0005

    /// The value as a lesson shows it: "12", "-0.5", "0.333", "1.2e+06", "nan", "inf", "-inf".
    public static func format(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return "0" }  // also -0
        let magnitude = abs(value)
        if magnitude >= largeMagnitude || magnitude < smallMagnitude {
            return scientific(value)
        }
        var text = String(format: "%.3f", Double(value))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// "1.2e+06": a mantissa with at most two decimals (trailing zeros dropped) and a signed
    /// two-digit exponent.
    private static func scientific(_ value: Float) -> String {
        let text = String(format: "%.2e", Double(value))
        guard let e = text.firstIndex(of: "e") else { return text }
        var mantissa = String(text[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return mantissa + text[e...]
    }

    /// How many decimals `format` shows for `value` (0 for integers and scientific notation).
    static func shownDecimals(_ value: Float) -> Int {
        let text = format(value)
        guard !text.contains("e"), let dot = text.firstIndex(of: ".") else { return 0 }
        return text.distance(from: dot, to: text.endIndex) - 1
    }

    /// A number as a learner types it, or nil when it is not one.
    ///
    /// Accepts an optional sign (`-`, `+` or the typographic minus `−`), digits with at most one
    /// decimal separator (`.` or `,`), and an optional exponent (`1e6`, `2.5E-3`); spaces around it
    /// are ignored. Rejects everything else, including "inf", "nan" and hexadecimal.
    public static func parse(_ typed: String) -> Float? {
        guard let number = Typed(typed) else { return nil }
        return number.value
    }

    /// True when `typed` is the value shown for `value`, to the precision the learner typed.
    ///
    /// A typed number matches when it rounds to the same text as the value ("12.0" for 12,
    /// "1.2e6" for 1,200,000), or when it equals the value rounded to the number of decimals typed,
    /// as long as that is at least as precise as the shown value needs, up to two decimals:
    /// "0.33" and "0.333" match 1/3 (shown "0.333") but "0.3" does not; "2.5" matches 2.5 but "2"
    /// and "3" do not.
    public static func matches(_ typed: String, _ value: Float) -> Bool {
        guard let number = Typed(typed), value.isFinite else { return false }
        if format(number.value) == format(value) { return true }
        guard !number.hasExponent else { return false }
        let needed = min(format(value).contains("e") ? (abs(value) < 1 ? 2 : 0) : shownDecimals(value), 2)
        guard number.decimals >= needed else { return false }
        let halfStep = 0.5 * pow(10, -Double(number.decimals))
        let difference = abs(Double(number.value) - Double(value))
        // A hair over half a step: the typed text and the value both went through Float.
        return difference <= halfStep * (1 + 1e-4) + Double(value.ulp)
    }

    /// A typed number, with how it was written.
    private struct Typed {
        var value: Float
        /// Digits after the decimal separator (0 when there is none).
        var decimals: Int
        var hasExponent: Bool

        /// "120,000,000" or "-1,792.5": commas between groups of three digits after a first group of
        /// one to three (not starting with 0). Any other comma is a decimal comma ("1,5" is 1.5).
        static func hasThousandsSeparators(_ text: String) -> Bool {
            var digits = text
            if digits.hasPrefix("-") || digits.hasPrefix("+") { digits.removeFirst() }
            let integerPart = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let groups = integerPart.split(separator: ",", omittingEmptySubsequences: false)
            guard groups.count >= 2, let first = groups.first, (1...3).contains(first.count), first.first != "0" else {
                return false
            }
            return groups.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
                && groups.dropFirst().allSatisfy { $0.count == 3 }
        }

        init?(_ typed: String) {
            // A fraction ("1/4", "-3 / 2"): its value, as precise as the value it stands for.
            let parts = typed.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2 {
                guard let numerator = Typed(String(parts[0])), let denominator = Typed(String(parts[1])),
                      denominator.value != 0 else { return nil }
                let quotient = numerator.value / denominator.value
                guard quotient.isFinite else { return nil }
                value = quotient
                decimals = 6
                hasExponent = false
                return
            }
            var text = typed.trimmingCharacters(in: .whitespaces)
            text = text.replacingOccurrences(of: "\u{2212}", with: "-")
            if Self.hasThousandsSeparators(text) { text = text.replacingOccurrences(of: ",", with: "") }
            let characters = Array(text)
            var index = 0
            var normalized = ""
            if index < characters.count, characters[index] == "-" || characters[index] == "+" {
                if characters[index] == "-" { normalized.append("-") }
                index += 1
            }
            var integerDigits = 0, fractionDigits = 0, sawSeparator = false
            while index < characters.count {
                let character = characters[index]
                if character.isASCII, character.isNumber {
                    normalized.append(character)
                    if sawSeparator { fractionDigits += 1 } else { integerDigits += 1 }
                } else if character == "." || character == "," {
                    guard !sawSeparator else { return nil }
                    sawSeparator = true
                    normalized.append(".")
                } else {
                    break
                }
                index += 1
            }
            guard integerDigits + fractionDigits > 0 else { return nil }
            var hasExponent = false
            if index < characters.count, characters[index] == "e" || characters[index] == "E" {
                hasExponent = true
                normalized.append("e")
                index += 1
                if index < characters.count, characters[index] == "-" || characters[index] == "+" {
                    normalized.append(characters[index])
                    index += 1
                }
                var exponentDigits = 0
                while index < characters.count, characters[index].isASCII, characters[index].isNumber {
                    normalized.append(characters[index])
                    exponentDigits += 1
                    index += 1
                }
                guard exponentDigits > 0 else { return nil }
            }
            guard index == characters.count else { return nil }
            guard let double = Double(normalized), double.isFinite else { return nil }
            let float = Float(double)
            guard float.isFinite else { return nil }
            value = float
            decimals = fractionDigits
            self.hasExponent = hasExponent
        }
    }
}
