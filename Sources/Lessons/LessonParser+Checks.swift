import CommonIO

// `checks`: numbers the text states, verified by `lessons check` (see `StatedNumber`).

extension LessonParser {
    static let checkKeys = ["cell", "channel", "value", "tolerance", "step", "stage"]
    static let networkCheckKeys = ["network", "layer", "count", "value", "tolerance"]
    static let runCheckKeys = ["run", "step", "value", "tolerance"]
    static let checkForm = "{ cell = [row, column], value = 18 } (optional: channel, tolerance, step, stage)"
    static let networkCheckForm = "{ network = \"lenet5\", layer = \"conv2\", count = \"parameters\", value = 2416 }"

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
            let isNetworkCheck = fields["network"] != nil
            let isRunCheck = !isNetworkCheck && fields["run"] != nil
            let known = isNetworkCheck ? networkCheckKeys : (isRunCheck ? runCheckKeys : checkKeys)
            for key in fields.keys.sorted() where !known.contains(key) {
                var message = "unknown key '\(key)' in a check"
                if let near = NearestName.to(key, in: known) { message += " (did you mean '\(near)'?)" }
                if isNetworkCheck {
                    message += "; a check of the network (network = ...) takes: \(networkCheckKeys.joined(separator: ", "))"
                } else if isRunCheck {
                    message += "; a check of a kernel-learning run (run = ...) takes: \(runCheckKeys.joined(separator: ", "))"
                } else {
                    message += "; known keys: \(checkKeys.joined(separator: ", ")) (or, about the network: "
                        + "\(networkCheckKeys.joined(separator: ", ")); about a kernel-learning run: "
                        + "\(runCheckKeys.joined(separator: ", ")))"
                }
                throw fail(field, message)
            }
            func oneBased(_ key: String) throws(LessonError) -> Int? {
                guard let node = fields[key] else { return nil }
                guard case .int(let value) = node, value >= 1, value <= 10_000 else {
                    throw fail("\(field).\(key)", "expected a whole number from 1 to 10000 (lessons count from 1), found \(node.summary)")
                }
                return value
            }
            // The value and tolerance, read the same way for both kinds of check.
            func valueAndTolerance() throws(LessonError) -> (value: Float?, tolerance: Float) {
                do throws(LessonError) {
                    var tolerance: Float = 0.01
                    if let given = try entry.float("tolerance") {
                        guard given >= 0 else { throw entry.error("tolerance", "\(given) is negative; a tolerance must be 0 or more") }
                        tolerance = given
                    }
                    return (try entry.float("value"), tolerance)
                } catch {
                    throw fail("\(field).\(error.field ?? "")", error.message)
                }
            }
            if isNetworkCheck {
                let count = try networkCount(fields, fail: { key, message in fail("\(field).\(key)", message) })
                let (value, tolerance) = try valueAndTolerance()
                checks.append(StatedNumber(network: count, value: value, tolerance: tolerance, line: line))
                continue
            }
            if isRunCheck {
                let measures = StatedNumber.RunMeasure.allCases.map(\.rawValue).joined(separator: ", ")
                guard case .string(let name)? = fields["run"], let measure = StatedNumber.RunMeasure(rawValue: name) else {
                    throw fail("\(field).run", "expected run = one of \(measures) (how a kernel-learning run ends), "
                        + "found \(fields["run"]?.summary ?? "nothing")")
                }
                let (value, tolerance) = try valueAndTolerance()
                checks.append(StatedNumber(subject: .run(measure, step: try oneBased("step")), value: value,
                                           tolerance: tolerance, line: line))
                continue
            }
            guard case .array(let cell)? = fields["cell"], cell.count == 2,
                  case .int(let row) = cell[0], case .int(let column) = cell[1], row >= 1, column >= 1 else {
                let found = fields["cell"].map { $0.summary } ?? "nothing"
                throw fail("\(field).cell", "expected cell = [row, column], counted from 1 (row 1 is the top row), found \(found)")
            }
            let (value, tolerance) = try valueAndTolerance()
            checks.append(StatedNumber(step: try oneBased("step"), stage: try oneBased("stage"), row: row, column: column,
                                       channel: try oneBased("channel") ?? 1, value: value, tolerance: tolerance,
                                       line: line))
        }
        return checks
    }

    /// The `network`, `layer` and `count` of a check about the network; `fail(key, message)` makes
    /// the error for one key.
    static func networkCount(_ fields: [String: TOMLNode], fail: (String, String) -> LessonError)
        throws(LessonError) -> NetworkCount {
        guard case .string(let network)? = fields["network"], NetworkCount.networkNames.contains(network) else {
            throw fail("network", "expected network = \"lenet5\" (the LeNet-5 ConvTutor trains; the only network "
                + "a check can name), found \(fields["network"]?.summary ?? "nothing")")
        }
        let quantities = NetworkCount.Quantity.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let countName)? = fields["count"], let quantity = NetworkCount.Quantity(rawValue: countName) else {
            throw fail("count", "expected count = one of \(quantities), found \(fields["count"]?.summary ?? "nothing")")
        }
        var layers: [String] = []
        if let node = fields["layer"] {
            let known = NetworkCount.layerNames
            let expected = "expected a layer of LeNet-5 as `convtutor model` names them, or an array of them (their "
                + "counts are added): \(known.joined(separator: ", "))"
            let items: [TOMLNode]
            if case .array(let array) = node { items = array } else { items = [node] }
            guard !items.isEmpty else { throw fail("layer", "\(expected); found an empty array") }
            for item in items {
                guard case .string(let name) = item, known.contains(name) else {
                    throw fail("layer", "\(expected); found \(item.summary)")
                }
                guard !layers.contains(name) else { throw fail("layer", "'\(name)' is named twice; name each layer once") }
                layers.append(name)
            }
        } else if quantity == .outputs {
            throw fail("layer", "count = \"outputs\" needs a layer: one of \(NetworkCount.layerNames.joined(separator: ", "))")
        }
        return NetworkCount(layers: layers, quantity: quantity)
    }
}
