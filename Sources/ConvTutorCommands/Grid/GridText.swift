/// Grids of numbers as text: right-aligned columns for people, nested arrays for JSON.
public enum GridText {
    /// The rows with each column right-aligned, columns two spaces apart:
    ///
    ///     19  25
    ///     37  43
    public static func aligned(_ rows: [[Float]]) -> String {
        let cells = rows.map { $0.map(NumberText.format) }
        let columnCount = cells.map(\.count).max() ?? 0
        let widths = (0..<columnCount).map { column in
            cells.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return cells.map { row in
            row.enumerated().map { column, text in
                String(repeating: " ", count: widths[column] - text.count) + text
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// The rows as a JSON array of arrays: `[[19, 25], [37, 43]]`.
    public static func json(_ rows: [[Float]]) -> String {
        "[" + rows.map { "[" + $0.map(NumberText.json).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    }
}
