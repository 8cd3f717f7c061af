// `checks`: numbers the text states, verified by `lessons check` (see `StatedNumber`).

extension LessonParser {
    static let checkKeys = ["cell", "channel", "value", "tolerance", "step", "stage"]
    static let checkForm = "{ cell = [row, column], value = 18 } (optional: channel, tolerance, step, stage)"

    /// The step's `checks` array: one inline table per stated number.
    static func statedNumbers(_ reader: FieldReader) throws(LessonError) -> [StatedNumber] {
        guard let node = reader.fields["checks"] else { return [] }
        guard case .array(let items) = node else {
            throw reader.error("checks", "expected an array of tables such as [\(checkForm)], found \(node.summary)")
        }
        let line = reader.place.source.line(step: reader.place.step, key: "checks")
        /// An error on the `checks` line that names the entry and key (`checks[2].cell`).
        func fail(_ field: String, _ message: String) -> LessonError {
            var error = reader.error("checks", message)
            error.field = field
            return error
        }
        var checks: [StatedNumber] = []
        for (index, item) in items.enumerated() {
            let field = "checks[\(index + 1)]"
            guard case .table(let fields) = item else {
                throw fail(field, "expected a table such as \(checkForm), found \(item.summary)")
            }
            let entry = FieldReader(fields: fields, place: reader.place)
            for key in fields.keys.sorted() where !checkKeys.contains(key) {
                var message = "unknown key '\(key)' in a check"
                if let near = FieldReader.nearest(to: key, in: checkKeys) { message += " (did you mean '\(near)'?)" }
                throw fail(field, message + "; known keys: \(checkKeys.joined(separator: ", "))")
            }
            func oneBased(_ key: String) throws(LessonError) -> Int? {
                guard let node = fields[key] else { return nil }
                guard case .int(let value) = node, value >= 1, value <= 10_000 else {
                    throw fail("\(field).\(key)", "expected a whole number from 1 to 10000 (lessons count from 1), found \(node.summary)")
                }
                return value
            }
            guard case .array(let cell)? = fields["cell"], cell.count == 2,
                  case .int(let row) = cell[0], case .int(let column) = cell[1], row >= 1, column >= 1 else {
                let found = fields["cell"].map { $0.summary } ?? "nothing"
                throw fail("\(field).cell", "expected cell = [row, column], counted from 1 (row 1 is the top row), found \(found)")
            }
            var value: Float?
            var tolerance: Float = 0.01
            do throws(LessonError) {
                value = try entry.float("value")
                if let given = try entry.float("tolerance") {
                    guard given >= 0 else { throw entry.error("tolerance", "\(given) is negative; a tolerance must be 0 or more") }
                    tolerance = given
                }
            } catch {
                throw fail("\(field).\(error.field ?? "")", error.message)
            }
            checks.append(StatedNumber(step: try oneBased("step"), stage: try oneBased("stage"), row: row, column: column,
                                       channel: try oneBased("channel") ?? 1, value: value, tolerance: tolerance,
                                       line: line))
        }
        return checks
    }
}
