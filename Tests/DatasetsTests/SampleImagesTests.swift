import Networks
import ConvKernels
import Foundation
import Imaging
import Testing
import Datasets
@testable import Datasets

/// sample-images/: drawn the same way every time, committed as drawn, each image what its name
/// says, and every digit read right by the pretrained LeNet-5 through the inspector's preprocessing.
@Suite("Sample images")
struct SampleImagesTests {
    /// The repository's sample-images folder (Tests/TutorAppTests/ -> ../../sample-images).
    static let committedFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../sample-images").standardizedFileURL.path

    static let samples = SampleImageSet.make()

    static func sample(_ fileName: String) throws -> SampleImageSet.Sample {
        try #require(samples.first { $0.fileName == fileName }, "no sample is called \(fileName)")
    }

    /// A sample's pixels on 0...1, grey (BT.601 luma for colour).
    static func gray(_ fileName: String) throws -> GrayImage {
        try sample(fileName).image.grayscale()
    }

    // MARK: The set

    @Test("at least 12 images: the digits 0-9 in PNG and PGM, a photo-like JPEG, the patterns and a colour scene")
    func contents() {
        let samples = Self.samples
        #expect(samples.count >= 12)
        #expect(Set(samples.map(\.fileName)).count == samples.count, "file names are unique")
        let digits = samples.filter { $0.kind == .digit }
        #expect(digits.compactMap(\.digit).sorted() == Array(0...9))
        #expect(digits.contains { $0.fileName.hasSuffix(".png") } && digits.contains { $0.fileName.hasSuffix(".pgm") })
        for sample in digits {
            #expect((64...160).contains(sample.image.width) && sample.image.width == sample.image.height,
                    "\(sample.fileName) is \(sample.image.width)x\(sample.image.height)")
        }
        let photo = samples.filter { $0.kind == .photo }
        #expect(photo.count == 1 && photo.first?.fileName.hasSuffix(".jpg") == true && photo.first?.image.isColor == true)
        let names = Set(samples.map(\.fileName))
        for name in ["pattern-vertical-edges.png", "pattern-horizontal-edges.png", "pattern-checkerboard.png",
                     "pattern-circle.png", "pattern-gradient.png", "scene-rgb.png"] {
            #expect(names.contains(name), "\(name) is missing")
        }
        #expect(samples.first { $0.kind == .scene }?.image.channels == 3)
    }

    @Test("drawing twice gives the same pixels")
    func deterministic() {
        let again = SampleImageSet.make()
        #expect(again.map(\.fileName) == Self.samples.map(\.fileName))
        for (first, second) in zip(Self.samples, again) {
            #expect(first.image == second.image, "\(first.fileName) differs between two drawings")
        }
    }

    // MARK: What is committed

    @Test("sample-images/ holds exactly what the generator draws, and its README")
    func committedFolderMatches() throws {
        let folder = Self.committedFolder
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        #expect(onDisk == (Self.samples.map(\.fileName) + ["README.md"]).sorted())
        let readme = try String(contentsOfFile: folder + "/README.md", encoding: .utf8)
        #expect(readme == SampleImageSet.readme(for: Self.samples),
                "sample-images/README.md is stale: run convtutor samples generate --output sample-images")
        for sample in Self.samples {
            let decoded = try ImageDecoder.decode(path: folder + "/" + sample.fileName)
            try Self.expectSamePixels(decoded, sample, context: "committed \(sample.fileName)")
            if case .netpbm = sample.encoding {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + sample.fileName)))
                #expect(bytes == (try SampleImageSet.encoded(sample)), "\(sample.fileName): bytes differ")
            }
        }
    }

    @Test("generate writes every sample and the README into a new folder, and they decode to the drawing")
    func generateWritesTheSet() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("convtutor-samples-\(UUID().uuidString)/nested").path
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let written = try SampleImageSet.generate(into: folder)
        #expect(written.map(\.fileName) == Self.samples.map(\.fileName))
        for sample in written {
            try Self.expectSamePixels(try ImageDecoder.decode(path: folder + "/" + sample.fileName), sample,
                                      context: "generated \(sample.fileName)")
        }
        #expect(try String(contentsOfFile: folder + "/README.md", encoding: .utf8)
            == SampleImageSet.readme(for: Self.samples))
        let total = try written.reduce(0) { sum, sample in
            sum + ((try FileManager.default.attributesOfItem(atPath: folder + "/" + sample.fileName)[.size] as? Int) ?? 0)
        }
        #expect(total < 400_000, "the samples take \(total) bytes; keep the folder small")
    }

    /// Lossless files hold the drawing exactly; the JPEG within its compression's error.
    static func expectSamePixels(_ decoded: PixelImage, _ sample: SampleImageSet.Sample, context: String) throws {
        let drawn = sample.image
        #expect(decoded.width == drawn.width && decoded.height == drawn.height && decoded.channels == drawn.channels,
                "\(context): \(decoded.width)x\(decoded.height)x\(decoded.channels), drawn \(drawn.width)x\(drawn.height)x\(drawn.channels)")
        #expect(decoded.maxValue == drawn.maxValue, "\(context): maximum value \(decoded.maxValue), drawn \(drawn.maxValue)")
        guard decoded.samples.count == drawn.samples.count else { return }
        if case .jpeg = sample.encoding {
            let differences = zip(decoded.samples, drawn.samples).map { abs(Int($0) - Int($1)) }
            let mean = Double(differences.reduce(0, +)) / Double(differences.count)
            #expect(mean < 4, "\(context): the JPEG is \(mean) levels away from the drawing on average")
        } else {
            #expect(decoded.samples == drawn.samples, "\(context): the pixels differ from the drawing")
        }
    }

    // MARK: The model reads every digit

    @Test("the pretrained LeNet-5 reads every committed digit sample right through DigitPreprocessor")
    func pretrainedModelReadsEveryDigit() throws {
        let (network, checkpoint) = try PretrainedModel.load()
        let mean = try #require(checkpoint.metadata["normalization_mean"].flatMap(Float.init))
        let deviation = try #require(checkpoint.metadata["normalization_std"].flatMap(Float.init))
        let digits = Self.samples.filter { $0.digit != nil }
        #expect(digits.count == 11)
        for sample in digits {
            let digit = try #require(sample.digit)
            let path = Self.committedFolder + "/" + sample.fileName
            let prepared = try DigitPreprocessor.prepare(try ImageDecoder.decode(path: path).grayscale(), name: path)
            let logits = try network.logits(prepared.input(mean: mean, standardDeviation: deviation)).data
            let probabilities = Self.softmax(logits)
            let predicted = try #require(probabilities.indices.max { probabilities[$0] < probabilities[$1] })
            #expect(predicted == digit, """
                \(sample.fileName) (\(sample.summary)) is read as \(predicted): \
                \(probabilities.enumerated().map { "\($0.offset) \(Int(($0.element * 100).rounded()))%" }.joined(separator: ", "))
                """)
            #expect(probabilities[digit] > 0.8, "\(sample.fileName): only \(probabilities[digit]) sure of \(digit)")
        }
    }

    static func softmax(_ logits: [Float]) -> [Float] {
        let largest = logits.max() ?? 0
        let exponentials = logits.map { Math.exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    // MARK: Each image is what it says

    @Test("dark-on-light digits are inverted by the preprocessing, light-on-dark ones are not")
    func inkAndPaper() throws {
        for sample in Self.samples where sample.digit != nil {
            let gray = sample.image.grayscale()
            let border = Self.borderMean(gray)
            let prepared = try DigitPreprocessor.prepare(gray, name: sample.fileName)
            #expect(prepared.inverted == (border > 0.5), "\(sample.fileName): border \(border), inverted \(prepared.inverted)")
        }
        for name in ["digit-1-light-on-dark.pgm", "digit-5-large.pgm", "digit-7-crossbar.pgm", "digit-8-grey-on-grey.png"] {
            #expect(Self.borderMean(try Self.gray(name)) < 0.3, "\(name) is not on a dark ground")
        }
        for name in ["digit-0-dark-on-white.png", "digit-2-thick.png", "digit-3-off-centre.pgm", "digit-6-thin.png",
                     "digit-9-wobbly.pgm", "digit-4-small-blue-pen.png"] {
            #expect(Self.borderMean(try Self.gray(name)) > 0.85, "\(name) is not on light paper")
        }
        // The blue pen is blue: more blue than red in its darkest pixel.
        let blue = try Self.sample("digit-4-small-blue-pen.png").image
        let darkest = try #require((0..<(blue.width * blue.height)).min { blue.samples[$0 * 3] < blue.samples[$1 * 3] })
        #expect(blue.samples[darkest * 3 + 2] > 2 * blue.samples[darkest * 3])
        // 16 bits really used: values that are not multiples of 257 (an 8-bit value widened).
        #expect(try Self.sample("digit-8-grey-on-grey.png").image.samples.contains { $0 % 257 != 0 })
    }

    @Test("off-centre, small, large, thick and thin digits are so")
    func digitStyles() throws {
        let offCentre = Self.ink(try Self.gray("digit-3-off-centre.pgm"), darkInk: true)
        #expect(offCentre.centre.row < 0.4 && offCentre.centre.column < 0.4, "off-centre: \(offCentre.centre)")
        let small = Self.ink(try Self.gray("digit-4-small-blue-pen.png"), darkInk: true)
        #expect(small.height < 0.3, "small: the ink is \(small.height) of the height")
        let large = Self.ink(try Self.gray("digit-5-large.pgm"), darkInk: false)
        #expect(large.height > 0.85, "large: the ink is \(large.height) of the height")
        let usual = Self.ink(try Self.gray("digit-0-dark-on-white.png"), darkInk: true)
        #expect((0.6...0.8).contains(usual.height), "usual: the ink is \(usual.height) of the height")
        // Pen width as ink area over ink height: the thick pen's is well above the thin one's.
        let thick = Self.ink(try Self.gray("digit-2-thick.png"), darkInk: true)
        let thin = Self.ink(try Self.gray("digit-6-thin.png"), darkInk: true)
        #expect(thick.area / thick.height > 2.5 * thin.area / thin.height, "thick \(thick), thin \(thin)")
    }

    @Test("the photo has uneven light, noise and grey paper")
    func photoLike() throws {
        let gray = try Self.gray("photo-digit-2.jpg")
        func patchMean(row: Int, column: Int) -> Float {
            var sum: Float = 0
            for r in row..<(row + 8) { for c in column..<(column + 8) { sum += gray[r, c] } }
            return sum / 64
        }
        let topLeft = patchMean(row: 2, column: 2), bottomRight = patchMean(row: gray.height - 30, column: gray.width - 10)
        #expect(topLeft - bottomRight > 0.2, "light: top left \(topLeft), bottom right \(bottomRight)")
        #expect(topLeft < 0.9, "the paper is grey, not white: \(topLeft)")
        // Noise: neighbouring paper pixels differ.
        let steps = (0..<20).map { abs(gray[4, 4 + $0] - gray[4, 5 + $0]) }
        #expect(steps.reduce(0, +) / 20 > 0.01)
    }

    @Test("the edge patterns have edges only across their bars")
    func edgePatterns() throws {
        let vertical = try Self.gray("pattern-vertical-edges.png"), horizontal = try Self.gray("pattern-horizontal-edges.png")
        for row in 0..<vertical.height {
            for column in 0..<vertical.width {
                // Every row the same; every column of the horizontal pattern the same (its transpose).
                #expect(vertical[row, column] == vertical[0, column])
                #expect(horizontal[row, column] == vertical[column, row])
            }
        }
        let changes = (1..<vertical.width).filter { vertical[0, $0] != vertical[0, $0 - 1] }
        #expect(changes == Array(stride(from: 12, to: 96, by: 12)))
        #expect(abs(vertical[0, 12] - vertical[0, 0]) > 0.7)
    }

    @Test("the checkerboard is 12-pixel squares, black in the top-left corner")
    func checkerboard() throws {
        let board = try Self.gray("pattern-checkerboard.png")
        for row in 0..<board.height {
            for column in 0..<board.width {
                #expect(board[row, column] == ((row / 12 + column / 12) % 2 == 0 ? 0 : 1))
            }
        }
    }

    @Test("the circle is a white disc of radius 32 in the middle, with a smooth edge")
    func circle() throws {
        let disc = try Self.gray("pattern-circle.png")
        var softEdge = 0
        for row in 0..<disc.height {
            for column in 0..<disc.width {
                let x = Float(column) + 0.5 - 48, y = Float(row) + 0.5 - 48
                let distance = (x * x + y * y).squareRoot()
                if distance < 31 { #expect(disc[row, column] == 1) }
                if distance > 33 { #expect(disc[row, column] == 0) }
                if disc[row, column] > 0 && disc[row, column] < 1 { softEdge += 1 }
                // Symmetric about both middles.
                #expect(disc[row, column] == disc[disc.height - 1 - row, column])
                #expect(disc[row, column] == disc[row, disc.width - 1 - column])
            }
        }
        #expect(softEdge > 100, "\(softEdge) grey pixels along the edge")
    }

    @Test("the gradient rises from black to white, left to right, at 16 bits")
    func gradient() throws {
        let image = try Self.sample("pattern-gradient.png").image
        #expect(image.maxValue == 65535 && image.channels == 1)
        for row in 0..<image.height {
            let values = (0..<image.width).map { image.samples[row * image.width + $0] }
            #expect(values.first == 0 && values.last == 65535)
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "row \(row) does not rise steadily")
        }
    }

    @Test("the scene: blue sky, a yellow sun, green grass, a red roof")
    func scene() throws {
        let image = try Self.sample("scene-rgb.png").image
        func pixel(_ row: Int, _ column: Int) -> (r: Int, g: Int, b: Int) {
            let index = (row * image.width + column) * 3
            return (Int(image.samples[index]), Int(image.samples[index + 1]), Int(image.samples[index + 2]))
        }
        let sky = pixel(2, 10), sun = pixel(image.height / 5, image.width * 4 / 5), grass = pixel(image.height - 3, 10)
        #expect(sky.b > sky.r + 60 && sky.b > sky.g, "sky \(sky)")
        #expect(sun.r > 200 && sun.g > 180 && sun.b < 100, "sun \(sun)")
        #expect(grass.g > grass.r + 40 && grass.g > grass.b + 40, "grass \(grass)")
        let roofs = (0..<image.height).flatMap { row in (0..<image.width).map { pixel(row, $0) } }
            .filter { $0.r > 150 && $0.g < 60 && $0.b < 60 }
        #expect(roofs.count > 50, "\(roofs.count) red pixels")
    }

    /// The mean of the outermost rows and columns.
    static func borderMean(_ image: GrayImage) -> Float {
        var sum: Float = 0, count = 0
        for row in 0..<image.height {
            for column in 0..<image.width where row == 0 || column == 0 || row == image.height - 1 || column == image.width - 1 {
                sum += image[row, column]
                count += 1
            }
        }
        return sum / Float(count)
    }

    /// Where the ink is, as fractions of the image's side: its centre of mass, the height of its box
    /// (pixels at least half inked), and its area in pixels over the side.
    static func ink(_ image: GrayImage, darkInk: Bool) -> (centre: (row: Float, column: Float), height: Float, area: Float) {
        var mass: Float = 0, rowSum: Float = 0, columnSum: Float = 0, rows: [Int] = [], area: Float = 0
        for row in 0..<image.height {
            for column in 0..<image.width {
                let amount = darkInk ? 1 - image[row, column] : image[row, column]
                mass += amount
                rowSum += amount * Float(row)
                columnSum += amount * Float(column)
                if amount > 0.5 {
                    rows.append(row)
                    area += 1
                }
            }
        }
        let side = Float(image.height)
        let height = Float((rows.max() ?? 0) - (rows.min() ?? 0) + 1) / side
        return ((rowSum / mass / side, columnSum / mass / side), height, area / side)
    }

    // MARK: Finding the folder and listing it

    @Test("the folder is found from the environment, an installed layout, the build folder, and the source file")
    func folderSearch() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-find-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func make(_ path: String, file: String? = nil) throws {
            try FileManager.default.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
            if let file { #expect(FileManager.default.createFile(atPath: root + "/" + path + "/" + file, contents: Data())) }
        }
        let nowhere = "/nonexistent/a/b/c.swift"
        try make("custom")
        #expect(SampleImageSet.folder(environment: ["CONVTUTOR_SAMPLE_IMAGES": root + "/custom"],
                                      executablePath: "/nonexistent/bin/convtutor", sourceFile: nowhere) == root + "/custom")
        #expect(SampleImageSet.folder(environment: ["CONVTUTOR_SAMPLE_IMAGES": root + "/missing"],
                                      executablePath: "/nonexistent/bin/convtutor", sourceFile: nowhere) == nil)

        try make("prefix/bin", file: "convtutor")
        try make("prefix/share/convtutor/sample-images")
        let installed = SampleImageSet.folder(environment: [:], executablePath: root + "/prefix/bin/convtutor", sourceFile: nowhere)
        #expect(installed.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            == URL(fileURLWithPath: root + "/prefix/share/convtutor/sample-images").resolvingSymlinksInPath().path)

        try make("home/bin")
        try FileManager.default.createSymbolicLink(atPath: root + "/home/bin/convtutor",
                                                   withDestinationPath: root + "/prefix/bin/convtutor")
        #expect(SampleImageSet.folder(environment: [:], executablePath: root + "/home/bin/convtutor", sourceFile: nowhere)?
            .hasSuffix("prefix/share/convtutor/sample-images") == true)

        try make("repo", file: "Package.swift")
        try make("repo/sample-images", file: "README.md")
        try make("repo/.build/debug", file: "convtutor")
        #expect(SampleImageSet.folder(environment: ["CONVTUTOR_SAMPLE_IMAGES": ""],
                                      executablePath: root + "/repo/.build/debug/convtutor", sourceFile: nowhere)?
            .hasSuffix("repo/sample-images") == true)
        // A sample-images folder without Package.swift beside it is not the repository's.
        try make("other/sample-images", file: "README.md")
        try make("other/.build/debug", file: "convtutor")
        #expect(SampleImageSet.folder(environment: [:], executablePath: root + "/other/.build/debug/convtutor",
                                      sourceFile: nowhere) == nil)
        // Last, the repository this was compiled from.
        #expect(SampleImageSet.folder(environment: [:], executablePath: "", sourceFile: root + "/repo/Sources/TutorApp/X.swift")?
            .hasSuffix("repo/sample-images") == true)
    }

    @Test("the listing gives each file's size, kind and what it shows; files it does not know still appear")
    func listing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convtutor-list-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try SampleImageSet.generate(into: folder)
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/notes.png"))
        try ImageEncoder.write(ImageEncoder.netpbm(PixelImage(width: 2, height: 1, channels: 1, maxValue: 255, samples: [0, 255],
                                                              format: .pgm, detail: "")), to: folder + "/mine.pgm")
        let entries = try SampleImageSet.listing(folder: folder)
        #expect(entries.map(\.fileName) == Self.samples.map(\.fileName) + ["mine.pgm", "notes.png"])
        let three = try #require(entries.first { $0.fileName == "digit-3-off-centre.pgm" })
        #expect(three.sizeText == "128x128" && three.kindText == "digit 3")
        #expect(three.description.hasPrefix("PGM, 8-bit grey: ") && three.bytes > 128 * 128)
        #expect(entries.first { $0.fileName == "photo-digit-2.jpg" }?.kindText == "photo of a 2")
        #expect(entries.first { $0.fileName == "pattern-circle.png" }?.kindText == "pattern")
        let mine = try #require(entries.first { $0.fileName == "mine.pgm" })
        #expect(mine.sizeText == "2x1" && mine.kindText == "image")
        let notes = try #require(entries.first { $0.fileName == "notes.png" })
        #expect(notes.sizeText == "?" && notes.description.contains("notes.png"))
        #expect(throws: ImageError.self) { try SampleImageSet.listing(folder: folder + "/missing") }
    }
}
