import Foundation
import Testing
@testable import ConvTutorCommands

/// Every op of the compute filter against PyTorch's answers for the same requests.
///
/// The cases live in `Fixtures/pytorch-cases.jsonl`, written by `tools/pytorch_cases.py` (random
/// geometries and float32 values from a fixed seed, PyTorch computing in float64 and rounding to
/// float32), so this test needs no PyTorch. A field agrees when its largest difference is at most
/// 1e-4 of the largest magnitude in PyTorch's tensor.
@Suite("Agreement with PyTorch")
struct PyTorchAgreementTests {
    static let tolerance = 1e-4

    @Test("The fixture holds cases for every op of the compute filter")
    func fixtureCoversEveryOp() throws {
        let cases = try PyTorchFixture.loaded.get()
        let ops = Set(cases.map(\.op))
        let everyOp = Set(ComputeOp.allCases.map(\.rawValue))
        #expect(ops == everyOp, "ops missing: \(everyOp.subtracting(ops).sorted()), unknown: \(ops.subtracting(everyOp).sorted())")
        #expect(Set(cases.map(\.name)).count == cases.count, "two cases share a name")
        #expect(cases.filter { $0.expected.contains { $0.name == "gradInput" } }.count > cases.count / 2,
                "most cases should check the backward pass")
    }

    @Test("Each case agrees with PyTorch", arguments: PyTorchFixture.cases)
    func agreesWithPyTorch(_ pyTorchCase: PyTorchCase) throws {
        let answer = ComputeFilter.answer(to: pyTorchCase.request)
        guard !answer.failed else {
            Issue.record("\(pyTorchCase.name): the filter failed: \(answer.json)")
            return
        }
        let parsed = try? JSONSerialization.jsonObject(with: Data(answer.json.utf8))
        guard let fields = parsed as? [String: Any] else {
            Issue.record("\(pyTorchCase.name): the answer is not a JSON object: \(answer.json.prefix(200))")
            return
        }
        for expected in pyTorchCase.expected {
            guard let value = Self.answerField(expected.name, in: fields) else {
                Issue.record("\(pyTorchCase.name): the answer has no \(expected.name); it has \(fields.keys.sorted())")
                continue
            }
            guard let actual = FieldValues(value, name: expected.name) else {
                Issue.record("\(pyTorchCase.name): \(expected.name) is not a number or a {shape, data} tensor")
                continue
            }
            guard actual.shape == expected.shape, actual.values.count == expected.values.count else {
                Issue.record("""
                    \(pyTorchCase.name): \(expected.name) has shape \(actual.shapeText) \
                    (\(actual.values.count) values); PyTorch's is \(expected.shapeText)
                    """)
                continue
            }
            let difference = expected.worstDifference(to: actual)
            #expect(difference.relative <= Self.tolerance,
                    """
                    \(pyTorchCase.name): \(expected.name) differs from PyTorch by \(difference.relative) of its \
                    largest magnitude \(difference.scale) (tolerance \(Self.tolerance)); worst at index \
                    \(difference.index): ours \(actual.values[difference.index]), PyTorch's \
                    \(expected.values[difference.index])
                    """)
        }
    }

    /// The answer's field `name`, or for a name `list[i]` entry `i` of the list field `list`
    /// (concat's `gradInputs`, one tensor per input); nil when there is none.
    static func answerField(_ name: String, in fields: [String: Any]) -> Any? {
        guard name.hasSuffix("]"), let open = name.lastIndex(of: "["),
              let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else {
            return fields[name]
        }
        guard let list = fields[String(name[..<open])] as? [Any], list.indices.contains(index) else { return nil }
        return list[index]
    }
}

/// One line of the fixture: a compute request and PyTorch's answer to it.
struct PyTorchCase: Sendable, CustomTestStringConvertible {
    let name: String
    let op: String
    /// The request as one line of JSON, ready for the filter.
    let request: String
    /// PyTorch's answer fields (output, gradInput, gradWeight, gradBias, gradOther or loss, and
    /// gradInputs[0], gradInputs[1], ... for a list), in name order.
    let expected: [FieldValues]

    var testDescription: String { name }
}

/// An answer field's values as float32: a tensor's shape and data, or a scalar (shape nil).
struct FieldValues: Sendable {
    let name: String
    let shape: [Int]?
    let values: [Float]

    /// Reads a number, or a `{"shape": [...], "data": [...]}` object, as parsed by JSONSerialization.
    init?(_ value: Any, name: String) {
        self.name = name
        if let scalar = Self.number(value) {
            shape = nil
            values = [Float(scalar)]
            return
        }
        guard let tensor = value as? [String: Any],
              let shapeValues = tensor["shape"] as? [Any], let dataValues = tensor["data"] as? [Any]
        else { return nil }
        let shape = shapeValues.compactMap { Self.number($0) }.map { Int($0) }
        // The filter writes a value JSON cannot hold (NaN, an infinity) as null.
        let data = dataValues.compactMap { $0 is NSNull ? Double.nan : Self.number($0) }.map { Float($0) }
        guard shape.count == shapeValues.count, data.count == dataValues.count else { return nil }
        self.shape = shape
        values = data
    }

    var shapeText: String { shape.map { "\($0)" } ?? "scalar" }

    /// The largest |actual - self| relative to the largest magnitude of `self` (1 when that is 0),
    /// and where it is. Non-finite values in `actual` count as infinitely far.
    func worstDifference(to actual: FieldValues) -> (relative: Double, scale: Double, index: Int) {
        let largest = values.reduce(0) { max($0, Double(abs($1))) }
        let scale = largest > 0 ? largest : 1
        var worst = (difference: 0.0, index: 0)
        for index in values.indices {
            let ours = Double(actual.values[index])
            let difference = ours.isFinite ? abs(ours - Double(values[index])) : .infinity
            if difference > worst.difference { worst = (difference, index) }
        }
        return (worst.difference / scale, scale, worst.index)
    }

    private static func number(_ value: Any) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let double = value as? Double { return double }
        if let integer = value as? Int { return Double(integer) }
        return nil
    }
}

/// The fixture file next to this source file, read once.
enum PyTorchFixture {
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
        .appendingPathComponent("pytorch-cases.jsonl")

    static let loaded: Result<[PyTorchCase], LoadError> = load()

    /// The cases, or none when the file cannot be read (`fixtureCoversEveryOp` then fails and says why).
    static var cases: [PyTorchCase] { (try? loaded.get()) ?? [] }

    private static func load() -> Result<[PyTorchCase], LoadError> {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            return .failure(LoadError(description: "cannot read \(url.path); regenerate it with tools/pytorch_cases.py"))
        }
        var cases: [PyTorchCase] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            let lineNumber = index + 1
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = object["name"] as? String,
                  let request = object["request"] as? [String: Any],
                  let op = request["op"] as? String,
                  let expected = object["expected"] as? [String: Any],
                  let requestData = try? JSONSerialization.data(withJSONObject: request),
                  let requestLine = String(data: requestData, encoding: .utf8)
            else {
                return .failure(LoadError(description: "\(url.path):\(lineNumber): not a {name, request, expected} case"))
            }
            var fields: [FieldValues] = []
            for (field, value) in expected.sorted(by: { $0.key < $1.key }) {
                // A list of tensors (concat's gradInputs) is checked entry by entry, as "gradInputs[0]", ...
                let entries = (value as? [Any]).map { list in list.enumerated().map { ("\(field)[\($0.offset)]", $0.element) } }
                    ?? [(field, value)]
                for (name, entry) in entries {
                    guard let values = FieldValues(entry, name: name) else {
                        return .failure(LoadError(description: "\(url.path):\(lineNumber): expected \(name) is not a number or tensor"))
                    }
                    fields.append(values)
                }
            }
            cases.append(PyTorchCase(name: name, op: op, request: requestLine, expected: fields))
        }
        return .success(cases)
    }
}
