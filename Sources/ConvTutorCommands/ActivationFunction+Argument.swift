import ArgumentParser

/// `--fn relu|leaky-relu|...`, with a line of help per function.
extension ActivationFunction: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }
}
