import Foundation

/// A dataset `convtutor data fetch` can download: where torchvision downloads it from, its four
/// gzip'd IDX files, and the MD5 checksum torchvision lists for each.
public enum KnownDataset: String, CaseIterable, Sendable {
    /// LeCun, Cortes and Burges' handwritten digits: 60,000 training and 10,000 test images, 28x28 gray.
    case mnist
    /// Zalando's clothing images in MNIST's format: 60,000 training and 10,000 test images, 28x28 gray.
    case fashionMNIST = "fashion-mnist"

    /// One file of a dataset: its name on every mirror and in the local folder, and its MD5 checksum
    /// (lowercase hex).
    public struct File: Sendable, Equatable {
        public let name: String
        public let md5: String

        public init(name: String, md5: String) {
            self.name = name
            self.md5 = md5
        }
    }

    /// The name people know it by.
    public var displayName: String {
        switch self {
        case .mnist: "MNIST"
        case .fashionMNIST: "Fashion-MNIST"
        }
    }

    /// One line on what it holds, for `convtutor data list`.
    public var summary: String {
        switch self {
        case .mnist: "handwritten digits 0-9; 60,000 training and 10,000 test images, 28x28 gray; 11.6 MB"
        case .fashionMNIST: "clothing in 10 classes; 60,000 training and 10,000 test images, 28x28 gray; about 30 MB"
        }
    }

    /// The folders the files are fetched from, tried in this order (torchvision's mirrors; each ends
    /// with "/", the file name is appended). torchvision has listed yann.lecun.com first; it now often
    /// refuses anonymous downloads, so the S3 copy comes first here.
    public var mirrors: [URL] {
        let texts: [String] = switch self {
        case .mnist: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
        case .fashionMNIST: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
        }
        return texts.compactMap(URL.init(string:))
    }

    /// The four gzip'd IDX files with torchvision's MD5 checksums (torchvision/datasets/mnist.py).
    public var files: [File] {
        switch self {
        case .mnist:
            [File(name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
             File(name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432"),
             File(name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3"),
             File(name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c")]
        case .fashionMNIST:
            [File(name: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
             File(name: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe"),
             File(name: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79"),
             File(name: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310")]
        }
    }
}
