import ArgumentParser

/// `--kind max|avg|sum`, with a line of help per kind.
extension GridPoolKind: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }
}
