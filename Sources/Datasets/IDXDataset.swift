import Foundation

/// Images with their labels, as an IDX pair holds them: `count` images of `rows x columns` bytes
/// (0 = background, 255 = ink), row-major, one after another, and one label byte per image.
public struct LabelledImages: Sendable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    public let pixels: [UInt8]
    public let labels: [UInt8]
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
    /// - Parameter imageSize: the rows and columns every image must have (LeNet-5 takes 28 x 28).
    /// - Throws: `DatasetError` naming the folder or file: a missing file (listing what was looked
    ///   for), a bad or truncated file, image and label counts that differ, or another image size.
    public init(directory: String, imageSize: (rows: Int, columns: Int) = (28, 28)) throws(DatasetError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError("\(directory): no such folder; --data takes a folder holding the four MNIST-layout IDX files")
        }
        let stems = Self.fileStems
        train = try Self.loadPair(directory: directory, images: stems.trainImages, labels: stems.trainLabels, imageSize: imageSize)
        test = try Self.loadPair(directory: directory, images: stems.testImages, labels: stems.testLabels, imageSize: imageSize)
    }

    private static func loadPair(directory: String, images: String, labels: String,
                                 imageSize: (rows: Int, columns: Int)) throws(DatasetError) -> LabelledImages {
        let imageFile = try IDXFile(path: try find(images, in: directory), expectedDimensions: 3)
        let labelFile = try IDXFile(path: try find(labels, in: directory), expectedDimensions: 1)
        let (count, rows, columns) = (imageFile.dimensions[0], imageFile.dimensions[1], imageFile.dimensions[2])
        guard rows == imageSize.rows, columns == imageSize.columns else {
            throw DatasetError("\(images): images are \(rows)x\(columns); LeNet-5 takes \(imageSize.rows)x\(imageSize.columns)")
        }
        guard labelFile.dimensions[0] == count else {
            throw DatasetError("\(images) holds \(count) images but \(labels) holds \(labelFile.dimensions[0]) labels; "
                + "they must be the same count")
        }
        return LabelledImages(count: count, rows: rows, columns: columns, pixels: imageFile.bytes, labels: labelFile.bytes)
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
