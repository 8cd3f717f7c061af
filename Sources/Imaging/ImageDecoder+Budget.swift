import ConvKernels

extension ImageDecoder {
    /// What one image may cost to decode and prepare: the program's standard budget (512 MB).
    public static let budget = ResourceBudget.standard

    /// What decoding an image and preparing it for a network hold in memory at once, estimated from
    /// the header alone, before anything is allocated:
    ///
    ///     the file's bytes
    ///     + the decoded samples: 2 bytes each (`PixelImage` keeps 16 bits), `channels` per pixel
    ///     + the largest of what is held beside them, one after another:
    ///         the library's own buffers while decoding (rows; a multi-scan JPEG's coefficients),
    ///         the turned copy when EXIF says the photo is on its side,
    ///         preparing: the grey copy (a `Float` per pixel), an inverted grey copy (the whole-image
    ///         fallback), the shrink's row buffer (a `Float` per row per working column) and its
    ///         weights (up to two per input pixel along each side: a 30-million-pixel-wide strip has
    ///         as many)
    ///
    /// The inspector's colour picture is made at screen size straight from the samples
    /// (`rgb(maximumSide:)`): one `Float` plane at a time, less than the grey copies.
    public struct MemoryEstimate: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var channels: Int
        public var fileBytes: Int
        /// The decoder library's own buffers.
        public var libraryBytes: Int?
        /// Whether the decoded image is turned upright afterwards (a copy of its samples).
        public var turned: Bool

        public init(width: Int, height: Int, channels: Int, fileBytes: Int, libraryBytes: Int?, turned: Bool = false) {
            (self.width, self.height, self.channels) = (width, height, channels)
            (self.fileBytes, self.libraryBytes, self.turned) = (fileBytes, libraryBytes, turned)
        }

        /// One resampling weight (`AreaResampler.Tap`: an index and a weight, padded).
        static let tapBytes = 16

        /// The total in bytes; nil when it does not fit in an `Int` (over any budget).
        public var bytes: Int? {
            guard let pixels = ResourceBudget.product(width, height),
                  let samples = ResourceBudget.product(pixels, channels, MemoryLayout<UInt16>.size),
                  let libraryBytes
            else { return nil }
            let turnedCopy = turned ? samples : 0
            let workingColumns = min(width, DigitPreprocessor.workingSize)
            // The shrink's weights: about one per input pixel along each side, plus one per output pixel.
            let resamplingTaps = ResourceBudget.sum(width, height, 2 * DigitPreprocessor.workingSize)
            let preparing = ResourceBudget.sum(ResourceBudget.product(pixels, 2, MemoryLayout<Float>.size),
                                               ResourceBudget.product(height, workingColumns, MemoryLayout<Float>.size),
                                               resamplingTaps.flatMap { ResourceBudget.product($0, 2, Self.tapBytes) })
            guard let preparing else { return nil }
            return ResourceBudget.sum(fileBytes, samples, max(libraryBytes, turnedCopy, preparing))
        }

        /// The pixels an image like this one (same kind, same file size) could have within `limit`
        /// bytes: the cost per pixel is close to constant.
        func pixelsWithin(_ limit: Int) -> Int {
            guard let bytes, bytes > fileBytes, let pixels = ResourceBudget.product(width, height), pixels > 0 else { return 0 }
            let perPixel = Double(bytes - fileBytes) / Double(pixels)
            return max(0, Int(Double(limit - fileBytes) / perPixel))
        }
    }

    /// Refuses an image whose estimate is over `budget`, saying what it would need and how large an
    /// image of its kind is accepted. `kind` describes it: "an RGB PNG", "a grey JPEG".
    static func checkMemory(_ estimate: MemoryEstimate, kind: String, name: String, budget: ResourceBudget = budget,
                            advice: String = "") throws(ImageError) {
        do {
            try budget.check(memory: estimate.bytes,
                             for: "decoding and preparing \(kind) of \(estimate.width)x\(estimate.height)")
        } catch {
            let accepted = describe(pixelCount: estimate.pixelsWithin(budget.memoryBytes))
            throw ImageError("\(name): \(error.message) (\(kind) like this one is accepted up to about \(accepted))"
                + (advice.isEmpty ? "; scale it down first" : advice))
        }
    }
}
