import ConvKernels
import Foundation

/// Images with their labels, as an IDX pair holds them: `count` images of `rows x columns` bytes
/// (0 = background, 255 = ink), row-major, one after another, and one label byte per image.
public struct LabelledImages: Sendable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    public let pixels: [UInt8]
    public let labels: [UInt8]
    /// Where the labels came from, for messages ("train-labels-idx1-ubyte.gz").
    public var labelsName = "the labels"

    /// The first label that is not a class of a `classes`-class network, with its position (from 0).
    public func firstLabel(notBelow classes: Int) -> (index: Int, label: Int)? {
        guard let index = labels.firstIndex(where: { Int($0) >= classes }) else { return nil }
        return (index, Int(labels[index]))
    }
}

/// An IDX dataset folder in the MNIST layout: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each plain or with `.gz`.
public struct IDXDataset: Sendable {
    public let train: LabelledImages
    public let test: LabelledImages

    /// The file stems looked for, without `.gz`.
    public static let fileStems = (
        trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
        testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte")

    /// Loads and checks the four files in `directory`.
    ///
    /// All four headers are read and judged first (image size, counts that match, and the values
    /// together within `budget`), so a file that claims more than the budget costs nothing to refuse.
    ///
    /// - Parameter imageSize: the rows and columns every image must have (LeNet-5 takes 28 x 28).
    /// - Throws: `DatasetError` naming the folder or file: a missing file (listing what was looked
    ///   for), a bad or truncated file, image and label counts that differ, another image size, or
    ///   more values than the budget.
    public init(directory: String, imageSize: (rows: Int, columns: Int) = (28, 28),
                budget: ResourceBudget = .standard) throws(DatasetError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError("\(directory): no such folder; --data takes a folder holding the four MNIST-layout IDX files")
        }
        let stems = Self.fileStems
        let train = try Self.openPair(directory: directory, images: stems.trainImages, labels: stems.trainLabels,
                                      imageSize: imageSize, budget: budget)
        let test = try Self.openPair(directory: directory, images: stems.testImages, labels: stems.testLabels,
                                     imageSize: imageSize, budget: budget)
        try IDXFile.check([train.images, train.labels, test.images, test.labels], budget: budget)
        self.train = try Self.read(train)
        self.test = try Self.read(test)
    }

    /// An images file and its labels file, opened, their headers checked against each other.
    private static func openPair(directory: String, images: String, labels: String, imageSize: (rows: Int, columns: Int),
                                 budget: ResourceBudget) throws(DatasetError) -> (images: IDXStream, labels: IDXStream) {
        let imageStream = try IDXStream(path: try find(images, in: directory), expectedDimensions: 3, budget: budget)
        let labelStream = try IDXStream(path: try find(labels, in: directory), expectedDimensions: 1, budget: budget)
        let (count, rows, columns) = (imageStream.dimensions[0], imageStream.dimensions[1], imageStream.dimensions[2])
        guard rows == imageSize.rows, columns == imageSize.columns else {
            throw DatasetError("\(images): images are \(rows)x\(columns); LeNet-5 takes \(imageSize.rows)x\(imageSize.columns)")
        }
        guard labelStream.dimensions[0] == count else {
            throw DatasetError("\(images) holds \(count) images but \(labels) holds \(labelStream.dimensions[0]) labels; "
                + "they must be the same count")
        }
        return (imageStream, labelStream)
    }

    private static func read(_ pair: (images: IDXStream, labels: IDXStream)) throws(DatasetError) -> LabelledImages {
        let dimensions = pair.images.dimensions
        var images = LabelledImages(count: dimensions[0], rows: dimensions[1], columns: dimensions[2],
                                    pixels: try pair.images.readValues(), labels: try pair.labels.readValues())
        images.labelsName = pair.labels.name
        return images
    }

    /// The path of `stem` or `stem.gz` in `directory`.
    private static func find(_ stem: String, in directory: String) throws(DatasetError) -> String {
        for name in [stem, stem + ".gz"] {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw DatasetError("\(directory): \(stem) (or \(stem).gz) is missing; an IDX dataset folder holds "
            + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte")
    }
}
