import ConvKernels
/// How many of some values are NaN and how many infinite, in words: "2,400 infinite values",
/// "3 NaN (not-a-number) values and 1 infinite value".
public struct NonFiniteCount: Sendable, Equatable, CustomStringConvertible {
    public var notANumber = 0
    public var infinite = 0

    public init(_ values: some Sequence<Float>) {
        for value in values where !value.isFinite {
            if value.isNaN { notANumber += 1 } else { infinite += 1 }
        }
    }

    public var total: Int { notANumber + infinite }

    public var description: String {
        var parts: [String] = []
        if notANumber > 0 { parts.append("\(ResourceBudget.groupedDigits(notANumber)) NaN (not-a-number) value\(notANumber == 1 ? "" : "s")") }
        if infinite > 0 { parts.append("\(ResourceBudget.groupedDigits(infinite)) infinite value\(infinite == 1 ? "" : "s")") }
        return parts.isEmpty ? "no NaN or infinite values" : parts.joined(separator: " and ")
    }
}
