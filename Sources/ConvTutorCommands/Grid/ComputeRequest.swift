import ConvKernels

/// One line of `convtutor compute`, parsed: the op and typed access to its fields.
///
/// Every accessor throws a `KernelError` that names the field and the rule, e.g.
/// `"input" shape [2, 3] holds 6 values but data has 5`.
struct ComputeRequest {
    let op: ComputeOp
    private let fields: [String: JSONValue]

    /// Parses a line and checks that it names a known op and only fields that op accepts.
    init(line: String) throws(KernelError) {
        guard line.contains(where: { !$0.isWhitespace }) else {
            throw KernelError("the line is empty; each line must be one request, a JSON object such as "
                + #"{"op": "relu", "input": {"shape": [2], "data": [-1, 1]}}"#)
        }
        guard case .object(let fields) = try JSONValue(parsing: line) else {
            throw KernelError("a request must be a JSON object such as "
                + #"{"op": "relu", "input": {"shape": [2], "data": [-1, 1]}}"#)
        }
        guard let opValue = fields["op"] else {
            throw KernelError("missing field \"op\"; it names the operation, one of \(ComputeOp.list)")
        }
        guard case .string(let name) = opValue else {
            throw KernelError("field \"op\" must be a string, one of \(ComputeOp.list); got \(opValue.shortText)")
        }
        guard let op = ComputeOp(rawValue: name) else {
            throw KernelError("unknown op \(JSONText.string(name)); the ops are \(ComputeOp.list)")
        }
        for key in fields.keys.sorted() where key != "op" && !op.fields.contains(key) {
            throw KernelError("unknown field \(JSONText.string(key)) for op \(op.rawValue); it accepts "
                + op.fields.joined(separator: ", "))
        }
        self.op = op
        self.fields = fields
    }

    func has(_ name: String) -> Bool {
        fields[name] != nil
    }

    // MARK: - Tensors

    /// A required tensor field `{"shape": [...], "data": [...]}`.
    func tensor(_ name: String, shape expected: String) throws(KernelError) -> Tensor {
        guard let value = fields[name] else {
            throw KernelError("\(op.rawValue) needs the field \"\(name)\": a tensor {\"shape\": \(expected), \"data\": [numbers, row-major]}")
        }
        return try Self.tensor(value, name: name)
    }

    /// An optional tensor field; nil when absent.
    func optionalTensor(_ name: String) throws(KernelError) -> Tensor? {
        guard let value = fields[name] else { return nil }
        return try Self.tensor(value, name: name)
    }

    /// A required array of tensor fields `[{"shape": [...], "data": [...]}, ...]`, at least one;
    /// an entry's errors name it as `"name[index]"`.
    func tensors(_ name: String, shape expected: String) throws(KernelError) -> [Tensor] {
        let form = "[{\"shape\": \(expected), \"data\": [numbers, row-major]}, ...]"
        guard let value = fields[name] else {
            throw KernelError("\(op.rawValue) needs the field \"\(name)\": an array of tensors \(form)")
        }
        guard case .array(let entries) = value, !entries.isEmpty else {
            throw KernelError("\"\(name)\" must be an array of at least one tensor \(form); got \(value.shortText)")
        }
        var tensors: [Tensor] = []
        for (index, entry) in entries.enumerated() {
            tensors.append(try Self.tensor(entry, name: "\(name)[\(index)]"))
        }
        return tensors
    }

    private static func tensor(_ value: JSONValue, name: String) throws(KernelError) -> Tensor {
        let form = "{\"shape\": [...], \"data\": [numbers, row-major]}"
        guard case .object(let parts) = value else {
            throw KernelError("\"\(name)\" must be a tensor \(form); got \(value.kindDescription)")
        }
        for key in parts.keys.sorted() where key != "shape" && key != "data" {
            throw KernelError("\"\(name)\" has an unknown field \(JSONText.string(key)); a tensor has only \"shape\" and \"data\"")
        }
        guard let shapeValue = parts["shape"] else { throw KernelError("\"\(name)\" has no \"shape\"; a tensor is \(form)") }
        guard let dataValue = parts["data"] else { throw KernelError("\"\(name)\" has no \"data\"; a tensor is \(form)") }
        guard case .array(let shapeEntries) = shapeValue else {
            throw KernelError("\"\(name)\" shape must be an array of whole numbers; got \(shapeValue.shortText)")
        }
        var shape: [Int] = []
        var count = 1
        for entry in shapeEntries {
            guard let size = wholeNumber(entry), size >= 1 else {
                throw KernelError("\"\(name)\" shape \(shapeValue.shortText) has the entry \(entry.shortText); "
                    + "every shape entry must be a whole number of at least 1")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw KernelError("\"\(name)\" shape \(shapeValue.shortText) holds too many values") }
            shape.append(size)
            count = product
        }
        guard case .array(let dataEntries) = dataValue else {
            throw KernelError("\"\(name)\" data must be an array of numbers; got \(dataValue.kindDescription)")
        }
        guard dataEntries.count == count else {
            throw KernelError("\"\(name)\" shape \(shape) holds \(count) value\(count == 1 ? "" : "s") but data has \(dataEntries.count)")
        }
        var data: [Float] = []
        data.reserveCapacity(count)
        for (index, entry) in dataEntries.enumerated() {
            data.append(try float(entry, name: "\"\(name)\" data[\(index)]"))
        }
        return Tensor(shape: shape, data: data)
    }

    // MARK: - Numbers

    /// A pair field: an integer for both axes or `[height, width]`; `defaultValue` when absent.
    func pair(_ name: String, default defaultValue: Pair?) throws(KernelError) -> Pair? {
        guard let value = fields[name] else { return defaultValue }
        let rule = "a pair is a whole number (both axes) or [height, width]"
        if let both = Self.wholeNumber(value) { return Pair(both) }
        guard case .array(let entries) = value, entries.count == 2,
              let height = Self.wholeNumber(entries[0]), let width = Self.wholeNumber(entries[1]) else {
            if case .array(let entries) = value, entries.count != 2 {
                throw KernelError("\"\(name)\" is \(value.shortText) with \(entries.count) entr\(entries.count == 1 ? "y" : "ies"); \(rule)")
            }
            throw KernelError("\"\(name)\" is \(value.shortText); \(rule)")
        }
        return Pair(height, width)
    }

    /// A required pair field.
    func requiredPair(_ name: String) throws(KernelError) -> Pair {
        guard let pair = try pair(name, default: nil) else {
            throw KernelError("\(op.rawValue) needs the field \"\(name)\": a whole number (both axes) or [height, width]")
        }
        return pair
    }

    /// A whole-number field; `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int) throws(KernelError) -> Int {
        guard let value = fields[name] else { return defaultValue }
        guard let integer = Self.wholeNumber(value) else {
            throw KernelError("\"\(name)\" is \(value.shortText); it must be a whole number")
        }
        return integer
    }

    /// A boolean field (`true` or `false`); `defaultValue` when absent.
    func bool(_ name: String, default defaultValue: Bool) throws(KernelError) -> Bool {
        guard let value = fields[name] else { return defaultValue }
        guard case .bool(let flag) = value else {
            throw KernelError("\"\(name)\" is \(value.shortText); it must be true or false")
        }
        return flag
    }

    /// A number field; `defaultValue` when absent.
    func number(_ name: String, default defaultValue: Float) throws(KernelError) -> Float {
        guard let value = fields[name] else { return defaultValue }
        return try Self.float(value, name: "\"\(name)\"")
    }

    /// A required array of whole numbers.
    func integers(_ name: String) throws(KernelError) -> [Int] {
        guard let value = fields[name] else {
            throw KernelError("\(op.rawValue) needs the field \"\(name)\": an array of whole numbers")
        }
        guard case .array(let entries) = value else {
            throw KernelError("\"\(name)\" must be an array of whole numbers; got \(value.shortText)")
        }
        var integers: [Int] = []
        for (index, entry) in entries.enumerated() {
            guard let integer = Self.wholeNumber(entry) else {
                throw KernelError("\"\(name)\"[\(index)] is \(entry.shortText); it must be a whole number")
            }
            integers.append(integer)
        }
        return integers
    }

    /// A JSON number as a `Float`; it must lie within a `Float`'s range.
    private static func float(_ value: JSONValue, name: String) throws(KernelError) -> Float {
        guard case .number(let number) = value else {
            let why = value == .null ? "; NaN and infinity cannot be written in JSON" : ""
            throw KernelError("\(name) is \(value.shortText); it must be a number\(why)")
        }
        guard let float = number.float else {
            throw KernelError("\(name) is \(number.text), outside the range of a 32-bit float (+-3.4e38)")
        }
        return float
    }

    /// A JSON number that is a whole number (`2`, also `2.0` or `2e0`) and fits an `Int`.
    private static func wholeNumber(_ value: JSONValue) -> Int? {
        guard case .number(let number) = value else { return nil }
        return number.integer
    }
}
