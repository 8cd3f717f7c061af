import Foundation

extension Checkpoint {
    /// The metadata keys `convtutor train` writes for the normalisation its inputs had:
    /// a network sees `(pixel - mean) / std`, pixels on the 0...1 scale.
    public static let normalizationMeanKey = "normalization_mean"
    public static let normalizationStandardDeviationKey = "normalization_std"

    /// The means accepted: pixels are on the 0...1 scale, so is their mean.
    public static let acceptedNormalizationMeans: ClosedRange<Float> = 0...1
    /// The standard deviations accepted: above 0 (it divides), at most 1 (pixels on 0...1 cannot
    /// spread further); below 0.001 a pixel's step of 1/255 would become a jump of 4 or more.
    public static let acceptedNormalizationDeviations: ClosedRange<Float> = 0.001...1

    /// The normalisation in the metadata, or nil when it has none (a checkpoint written by PyTorch).
    ///
    /// - Throws: `CheckpointError` naming the file and the field when one is there but is not a
    ///   number, not finite, or out of range (a mean outside 0...1, a deviation outside 0.001...1),
    ///   or when only one of the two is given.
    public func normalization(name: String) throws(CheckpointError) -> (mean: Float, standardDeviation: Float)? {
        let meanText = metadata[Self.normalizationMeanKey], deviationText = metadata[Self.normalizationStandardDeviationKey]
        switch (meanText, deviationText) {
        case (nil, nil):
            return nil
        case let (meanText?, deviationText?):
            let mean = try Self.normalizationValue(meanText, key: Self.normalizationMeanKey,
                                                   accepted: Self.acceptedNormalizationMeans, name: name)
            let deviation = try Self.normalizationValue(deviationText, key: Self.normalizationStandardDeviationKey,
                                                        accepted: Self.acceptedNormalizationDeviations, name: name)
            return (mean, deviation)
        default:
            let (present, missing) = meanText == nil
                ? (Self.normalizationStandardDeviationKey, Self.normalizationMeanKey)
                : (Self.normalizationMeanKey, Self.normalizationStandardDeviationKey)
            throw CheckpointError("\(name): its metadata has \(present) but no \(missing); give both or neither "
                + "(MNIST's are 0.1307 and 0.3081)")
        }
    }

    private static func normalizationValue(_ text: String, key: String, accepted: ClosedRange<Float>,
                                           name: String) throws(CheckpointError) -> Float {
        let shown = text.count > 40 ? String(text.prefix(40)) + "..." : text
        let expected = "accepted: a number from \(accepted.lowerBound) to \(accepted.upperBound) for pixels on the 0...1 scale "
            + "(MNIST's mean is 0.1307, its std 0.3081)"
        guard let value = Float(text.trimmingCharacters(in: .whitespaces)) else {
            throw CheckpointError("\(name): \(key) \"\(shown)\" in the metadata is not a number; \(expected)")
        }
        guard value.isFinite else {
            throw CheckpointError("\(name): \(key) \"\(shown)\" in the metadata is \(value.isNaN ? "NaN (not a number)" : "infinite"); \(expected)")
        }
        guard accepted.contains(value) else {
            throw CheckpointError("\(name): \(key) \(value) in the metadata is out of range; \(expected)")
        }
        return value
    }
}
