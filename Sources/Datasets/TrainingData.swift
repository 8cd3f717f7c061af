import ConvKernels
import Foundation

/// The images a run trains on: a training set (from which the validation split is held out), a
/// test set, where they came from, and the normalisation every image gets on its way into the network.
public struct TrainingData: Sendable {
    /// Where the images came from.
    public enum Source: Sendable, Equatable {
        /// The procedural digits made in memory (`SyntheticDigits`), by seed.
        case builtInDigits(seed: UInt64)
        /// An IDX folder given with `--data`.
        case idx(directory: String)
        /// A set that `convtutor data fetch` stored in the cache.
        case cached(KnownDataset, directory: String)
    }

    public let source: Source
    public let train: LabelledImages
    public let test: LabelledImages
    /// The training pixels' mean and standard deviation on the 0...1 scale: inputs are
    /// `(pixel / 255 - mean) / standardDeviation`, as torchvision's `Normalize` does for MNIST.
    public let mean: Float
    public let standardDeviation: Float

    public init(source: Source, train: LabelledImages, test: LabelledImages) {
        self.source = source
        self.train = train
        self.test = test
        (mean, standardDeviation) = Self.statistics(of: train)
    }

    /// A short name for headers and logs: "MNIST", "Fashion-MNIST", "IDX files in DIR", "built-in digits".
    public var name: String {
        switch source {
        case .builtInDigits: "built-in digits"
        case .idx(let directory): "IDX files in \(directory)"
        case .cached(let dataset, _): dataset.displayName
        }
    }

    /// One line saying what was chosen and its sizes.
    public var description: String {
        let sizes = "\(train.count.formatted()) training and \(test.count.formatted()) test images"
        switch source {
        case .builtInDigits(let seed):
            return "built-in digits (made in memory, seed \(seed)): \(sizes)"
        case .idx(let directory):
            return "IDX files in \(directory): \(sizes)"
        case .cached(let dataset, let directory):
            return "\(dataset.displayName) from the cache (\(directory)): \(sizes)"
        }
    }

    /// The built-in digits, 60,000 training and 10,000 test images.
    public static func builtInDigits(seed: UInt64 = 0, trainCount: Int = 60_000, testCount: Int = 10_000) -> TrainingData {
        let (train, test) = SyntheticDigits.make(trainCount: trainCount, testCount: testCount, seed: seed)
        return TrainingData(source: .builtInDigits(seed: seed), train: train, test: test)
    }

    /// The IDX set in `directory` (`--data`).
    public static func idx(directory: String) throws(DatasetError) -> TrainingData {
        let dataset = try IDXDataset(directory: directory)
        return TrainingData(source: .idx(directory: directory), train: dataset.train, test: dataset.test)
    }

    /// What `convtutor train` uses without `--data`: MNIST from the cache when `convtutor data fetch`
    /// stored it there, else the built-in digits.
    public static func defaultChoice(environment: [String: String] = ProcessInfo.processInfo.environment,
                                     seed: UInt64 = 0) throws(DatasetError) -> TrainingData {
        let directory = DatasetCache.directory(for: .mnist, environment: environment)
        if DatasetCache.isComplete(directory, for: .mnist) {
            let dataset = try IDXDataset(directory: directory)
            return TrainingData(source: .cached(.mnist, directory: directory), train: dataset.train, test: dataset.test)
        }
        return builtInDigits(seed: seed)
    }

    /// Throws unless every label of both sets names a class of a `classes`-class network (0 to
    /// `classes - 1`): the one check a dataset passes on its way into training, naming the file,
    /// the label and where it is ("train-labels-idx1-ubyte.gz holds 26 at item 5").
    public func checkLabels(classes: Int) throws(DatasetError) {
        for images in [train, test] {
            if let (index, label) = images.firstLabel(notBelow: classes) {
                throw DatasetError("labels must be 0...\(classes - 1) for a \(classes)-class network; \(images.labelsName) "
                    + "holds \(label) at item \(index) (counting from 0). LeNet-5 here has \(classes) classes: give a "
                    + "dataset of digits, such as MNIST or Fashion-MNIST")
            }
        }
    }

    static func statistics(of images: LabelledImages) -> (mean: Float, standardDeviation: Float) {
        var histogram = [Int](repeating: 0, count: 256)
        images.pixels.withUnsafeBufferPointer { pixels in
            for pixel in pixels { histogram[Int(pixel)] += 1 }
        }
        let count = Double(max(1, images.pixels.count))
        var sum = 0.0, sumOfSquares = 0.0
        for (value, times) in histogram.enumerated() {
            let x = Double(value) / 255
            sum += x * Double(times)
            sumOfSquares += x * x * Double(times)
        }
        let mean = sum / count
        let variance = max(0, sumOfSquares / count - mean * mean)
        // A blank set would give 0; 1 keeps the arithmetic finite.
        return (Float(mean), variance > 0 ? Float(variance.squareRoot()) : 1)
    }
}

/// Turns images of a `LabelledImages` into a normalised input batch `[N, 1, rows, columns]`.
public struct BatchMaker: Sendable {
    public let images: LabelledImages
    /// `lookup[pixel]` = the normalised value of a pixel byte.
    public let lookup: [Float]

    public init(images: LabelledImages, mean: Float, standardDeviation: Float) {
        self.images = images
        lookup = (0..<256).map { (Float($0) / 255 - mean) / standardDeviation }
    }

    /// The batch of `indices` with their labels, augmented when `augmentation` is given.
    public func batch(_ indices: ArraySlice<Int>, augmentation: Augmentation? = nil,
               random: inout SeededRandom) -> (images: Tensor, labels: [Int]) {
        let size = images.rows * images.columns
        var labels: [Int] = []
        labels.reserveCapacity(indices.count)
        let tensor = Tensor(shape: [indices.count, 1, images.rows, images.columns], initializingWith: { output in
            images.pixels.withUnsafeBufferPointer { pixels in
                lookup.withUnsafeBufferPointer { lookup in
                    for (position, index) in indices.enumerated() {
                        let source = UnsafeBufferPointer(rebasing: pixels[(index * size)..<((index + 1) * size)])
                        let destination = UnsafeMutableBufferPointer(rebasing: output[(position * size)..<((position + 1) * size)])
                        if let augmentation {
                            augmentation.apply(source, rows: images.rows, columns: images.columns,
                                               lookup: lookup, into: destination, random: &random)
                        } else {
                            for cell in 0..<size { destination[cell] = lookup[Int(source[cell])] }
                        }
                    }
                }
            }
        })
        for index in indices { labels.append(Int(images.labels[index])) }
        return (tensor, labels)
    }
}
