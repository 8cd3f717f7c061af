import ConvKernels

/// Rows of numbers written as text: the one reader behind the command line's `--input "0 1 2; 3 4 5"`
/// and a lesson's grid strings, so both accept the same syntax and say the same thing when they refuse.
///
/// Rows are separated by `;` or newlines, values by spaces, tabs or commas. Every value must be a finite
/// number (a typographic minus `−` is read as `-`); every row has the same number of values. Empty rows
/// at the very start or end (a trailing `;` or newline) are ignored; an empty row between two is an error.
public enum GridRows {
    /// The rows of `text`; `place` (" of channel 2", or "") completes error messages.
    ///
    /// - Throws: `KernelError` naming the row and the rule it broke, e.g.
    ///   "row 2 has 2 values, row 1 has 3; every row needs the same number". No rows at all is not an
    ///   error here (the caller knows what an empty grid means to it).
    public static func parse(_ text: Substring, place: String = "") throws(KernelError) -> [[Float]] {
        var rowTexts = text.split(omittingEmptySubsequences: false) { $0 == ";" || $0.isNewline }
            .map { $0.trimmingWhitespace() }
        // A trailing ';' or newline (or a leading one) is not a row anybody meant.
        while rowTexts.last?.isEmpty == true { rowTexts.removeLast() }
        while rowTexts.first?.isEmpty == true { rowTexts.removeFirst() }
        var rows: [[Float]] = []
        for (index, rowText) in rowTexts.enumerated() {
            let rowNumber = index + 1
            guard !rowText.isEmpty else {
                throw KernelError("row \(rowNumber)\(place) is empty; every row needs at least one number")
            }
            let row = try parseRow(rowText, row: "row \(rowNumber)\(place)")
            if let first = rows.first, first.count != row.count {
                throw KernelError("row \(rowNumber)\(place) has \(valueCount(row.count)), row 1 has \(first.count); "
                    + "every row needs the same number")
            }
            rows.append(row)
        }
        return rows
    }

    /// The values of one row, separated by spaces, tabs or commas.
    private static func parseRow(_ text: Substring, row: String) throws(KernelError) -> [Float] {
        let commaParts = text.split(separator: ",", omittingEmptySubsequences: false)
        var values: [Float] = []
        for part in commaParts {
            let tokens = part.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if tokens.isEmpty {
                throw KernelError("\(row) has an empty value between commas in '\(text)'; separate values by one comma")
            }
            for token in tokens { values.append(try number(token, row: row)) }
        }
        return values
    }

    /// One value; it must be a finite number that a `Float` can hold, written in decimal.
    private static func number(_ token: Substring, row: String) throws(KernelError) -> Float {
        let normalized = token.replacingMinusSign()
        guard let value = Float(normalized) else {
            throw KernelError("'\(token)' in \(row) is not a number")
        }
        if value.isNaN {
            throw KernelError("'\(token)' in \(row) is not a finite number; grid values must be finite")
        }
        if value.isInfinite {
            let spelledInfinity = token.lowercased().contains("inf")
            throw KernelError(spelledInfinity
                ? "'\(token)' in \(row) is not a finite number; grid values must be finite"
                : "'\(token)' in \(row) is too large; values must lie within +-3.4e38 (a 32-bit float)")
        }
        // Float() also reads hexadecimal ("0x1p3"); a grid is written in decimal.
        guard normalized.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else {
            throw KernelError("'\(token)' in \(row) is not a number")
        }
        return value
    }

    private static func valueCount(_ count: Int) -> String {
        count == 1 ? "1 value" : "\(count) values"
    }
}

extension Substring {
    /// The text without spaces, tabs or carriage returns at either end.
    public func trimmingWhitespace() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }

    /// The text with the typographic minus (U+2212) as an ASCII '-'.
    fileprivate func replacingMinusSign() -> String {
        String(map { $0 == "\u{2212}" ? "-" : $0 })
    }
}
