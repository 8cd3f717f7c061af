import ConvKernels
import Testing
import Networks
@testable import Imaging
import Datasets

/// MNIST's recipe step by step on images with known answers (a bar of ink at a known place), and on
/// photo-like digits (grey paper, light falling off across the page, noise, specks) that the
/// pretrained network must still read.
@Suite("Digit preprocessing")
struct DigitPreprocessorTests {
    /// A `width` x `height` image of `background` with `ink` over the given rows and columns.
    static func bar(width: Int, height: Int, rows: ClosedRange<Int>, columns: ClosedRange<Int>,
                    ink: Float = 0, background: Float = 1) -> GrayImage {
        var image = GrayImage(width: width, height: height, pixels: [Float](repeating: background, count: width * height))
        for row in rows { for column in columns { image[row, column] = ink } }
        return image
    }

    @Test("a dark vertical bar: inverted, cropped to its box, scaled to 5x20, centred by mass on (14, 14)")
    func verticalBar() throws {
        let image = Self.bar(width: 60, height: 40, rows: 10...29, columns: 20...24)
        let result = try DigitPreprocessor.prepare(image, name: "bar.png")
        #expect(result.inverted)
        #expect(result.steps.map(\.title) == ["grayscale", "inverted", "cleaned", "cropped to the ink",
                                              "scaled to fit 20x20", "centred by mass in 28x28"])
        #expect(result.inkRows == 10...29 && result.inkColumns == 20...24)
        #expect(abs(result.background - 1) < 1e-4)

        let inverted = result.steps[1].image
        #expect(abs(inverted[0, 0]) < 1e-6 && abs(inverted[15, 22] - 1) < 1e-6)

        let cropped = result.steps[3].image
        #expect(cropped.width == 5 && cropped.height == 20)
        #expect(cropped.pixels.allSatisfy { abs($0 - 1) < 1e-4 })

        let scaled = result.steps[4].image
        #expect(scaled.width == 5 && scaled.height == 20)

        let centred = result.centred
        #expect(centred.width == 28 && centred.height == 28)
        let centre = DigitPreprocessor.centreOfMass(centred)
        #expect(abs(centre.row - 14) <= 0.5 && abs(centre.column - 14) <= 0.5, "centre of mass \(centre)")
        // 5x20 with its centre (9.5, 2) moved to (14, 14): rows 5-24 (4.5 rounds to 5), columns 12-16.
        #expect(abs(centred.pixels.reduce(0, +) - 100) < 1e-2)
        #expect(abs(centred[5, 12] - 1) < 1e-4 && abs(centred[24, 16] - 1) < 1e-4 && centred[4, 12] == 0 && centred[5, 17] == 0)

        let input = result.input(mean: 0.1307, standardDeviation: 0.3081)
        #expect(input.shape == [1, 1, 28, 28])
        #expect(abs(input[0, 0, 5, 12] - (centred[5, 12] - 0.1307) / 0.3081) < 1e-6)
        #expect(abs(input[0, 0, 5, 12] - (1 - 0.1307) / 0.3081) < 1e-3)
        #expect(abs(input[0, 0, 0, 0] - (0 - 0.1307) / 0.3081) < 1e-5)
    }

    @Test("a wide bar scales to 20 wide keeping its aspect ratio (40x10 -> 20x5)")
    func wideBar() throws {
        let image = Self.bar(width: 100, height: 80, rows: 30...39, columns: 10...49)
        let result = try DigitPreprocessor.prepare(image, name: "wide.png")
        #expect(result.inkRows == 30...39 && result.inkColumns == 10...49)
        let scaled = result.steps[4].image
        #expect(scaled.width == 20 && scaled.height == 5)
        // Area averaging of a solid block stays solid.
        #expect(scaled.pixels.allSatisfy { abs($0 - 1) < 1e-4 })
        let centre = DigitPreprocessor.centreOfMass(result.centred)
        #expect(abs(centre.row - 14) <= 0.5 && abs(centre.column - 14) <= 0.5, "centre of mass \(centre)")
    }

    @Test("light ink on a dark background is not inverted, and says why")
    func lightOnDark() throws {
        let image = Self.bar(width: 40, height: 40, rows: 5...34, columns: 18...21, ink: 0.9, background: 0.1)
        let result = try DigitPreprocessor.prepare(image, name: "light.png")
        #expect(!result.inverted)
        #expect(result.steps[1].title == "not inverted")
        #expect(result.steps[1].note.contains("not inverted"))
        #expect(result.inkRows == 5...34 && result.inkColumns == 18...21)
        // The ink is stretched to 1 and the background cleared to 0.
        #expect(abs(result.steps[2].image[10, 19] - 1) < 1e-4 && result.steps[2].image[0, 0] == 0)
    }

    @Test("a speck far from the digit is left out of the crop")
    func speckIgnored() throws {
        var image = Self.bar(width: 64, height: 64, rows: 20...49, columns: 30...35)
        image[2, 2] = 0
        image[60, 58] = 0.2
        let result = try DigitPreprocessor.prepare(image, name: "specks.png")
        #expect(result.specksRemoved == 2)
        #expect(result.inkRows == 20...49 && result.inkColumns == 30...35)
        #expect(result.steps[2].image[2, 2] == 0)
    }

    @Test("a digit off in a corner of a large image is found, and the image is shrunk first")
    func largeImage() throws {
        let image = Self.bar(width: 1200, height: 900, rows: 600...839, columns: 900...959)
        let result = try DigitPreprocessor.prepare(image, name: "big.png")
        #expect(result.steps[0].image.width == 512 && result.steps[0].image.height == 384)
        #expect(result.steps[0].note.contains("shrunk to 512x384"))
        // 1200 -> 512 is a factor of 0.4267: the bar's rows 600-839 become about 256-358.
        #expect(abs(result.inkRows.lowerBound - 256) <= 1 && abs(result.inkRows.upperBound - 358) <= 1, "\(result.inkRows)")
        let scaled = result.steps[4].image
        #expect(scaled.height == 20 && (5...6).contains(scaled.width), "\(scaled.width)x\(scaled.height)")
    }

    @Test("a thin mark in a large noisy photo (0.1% of the pixels) decides the inversion, either way round",
          arguments: [(Float(0.8), Float(0.3), true), (Float(0.25), Float(0.75), false)])
    func tinyInkInNoise(paper: Float, ink: Float, inverted: Bool) throws {
        var random = SeededRandom(seed: 3)
        var image = Self.bar(width: 300, height: 300, rows: 200...229, columns: 40...42, ink: ink, background: paper)
        image.pixels = image.pixels.map { min(1, max(0, $0 + 0.03 * random.nextNormal())) }
        let result = try DigitPreprocessor.prepare(image, name: "tiny.jpg")
        #expect(result.inverted == inverted)
        #expect(abs(result.inkRows.lowerBound - 200) <= 1 && abs(result.inkRows.upperBound - 229) <= 1
                && abs(result.inkColumns.lowerBound - 40) <= 1 && abs(result.inkColumns.upperBound - 42) <= 1,
                "\(result.inkRows), \(result.inkColumns)")
    }

    @Test("a blank image is refused with its level")
    func blank() {
        let image = GrayImage(width: 30, height: 20, pixels: [Float](repeating: 0.93, count: 600))
        #expect(throws: ImageError("photo.png: the image is blank (all pixels within 1% of 0.93); there is no digit to read")) {
            try DigitPreprocessor.prepare(image, name: "photo.png")
        }
    }

    @Test("paper noise with no ink is refused: nothing stands out")
    func noiseOnly() {
        var random = SeededRandom(seed: 7)
        let pixels = (0..<(120 * 90)).map { _ in 0.8 + 0.04 * random.nextNormal() }
        let image = GrayImage(width: 120, height: 90, pixels: pixels)
        do {
            _ = try DigitPreprocessor.prepare(image, name: "paper.jpg")
            Issue.record("plain paper was read as a digit")
        } catch {
            #expect(error.message.hasPrefix("paper.jpg: no ink stands out from the background"), "\(error.message)")
        }
    }

    /// Digit `digit` drawn at `size` px (SyntheticDigits, MNIST-like stroke) as a photo of pencil on
    /// paper would show it: grey paper lit unevenly, ink not quite black, noise and a few specks.
    static func photo(digit: Int, size: Int, seed: UInt64) -> GrayImage {
        var random = SeededRandom(seed: seed)
        let ink = SyntheticDigits.render(digit: digit, style: DigitStyle(thickness: 2.4, noise: 0), size: size, random: &random)
        var pixels = [Float](repeating: 0, count: size * size)
        for row in 0..<size {
            for column in 0..<size {
                let (x, y) = (Float(column) / Float(size - 1), Float(row) / Float(size - 1))
                // Light from the top left: 0.95 there, 0.5 in the far corner, with a vignette.
                let paper = 0.95 - 0.3 * x - 0.15 * y - 0.1 * ((x - 0.5) * (x - 0.5) + (y - 0.5) * (y - 0.5))
                let amount = Float(ink[row * size + column]) / 255
                let pencil = paper * 0.3
                pixels[row * size + column] = paper + (pencil - paper) * amount + 0.03 * random.nextNormal()
            }
        }
        for _ in 0..<6 {
            let (row, column) = (Int(random.next() % UInt64(size)), Int(random.next() % UInt64(size)))
            if ink[row * size + column] == 0 { pixels[row * size + column] *= 0.4 }
        }
        return GrayImage(width: size, height: size, pixels: pixels.map { min(1, max(0, $0)) })
    }

    @Test("photo-like digits (grey paper, uneven light, noise, specks) are read right by the pretrained network")
    func photoLikeDigits() throws {
        let (network, checkpoint) = try PretrainedModel.load()
        let mean = try #require(checkpoint.metadata["normalization_mean"].flatMap(Float.init))
        let deviation = try #require(checkpoint.metadata["normalization_std"].flatMap(Float.init))
        for digit in 0...9 {
            let photo = Self.photo(digit: digit, size: 120, seed: UInt64(digit) + 100)
            let result = try DigitPreprocessor.prepare(photo, name: "photo-\(digit).png")
            #expect(result.inverted, "digit \(digit)")
            // The same digit drawn cleanly lands on (nearly) the same 28x28.
            var random = SeededRandom(seed: UInt64(digit) + 100)
            let clean = SyntheticDigits.render(digit: digit, style: DigitStyle(thickness: 2.4, noise: 0), size: 120, random: &random)
            let cleanImage = GrayImage(width: 120, height: 120, pixels: clean.map { 1 - Float($0) / 255 })
            let reference = try DigitPreprocessor.prepare(cleanImage, name: "clean-\(digit).png")
            #expect(abs(result.inkRows.lowerBound - reference.inkRows.lowerBound) <= 2
                    && abs(result.inkRows.upperBound - reference.inkRows.upperBound) <= 2
                    && abs(result.inkColumns.lowerBound - reference.inkColumns.lowerBound) <= 2
                    && abs(result.inkColumns.upperBound - reference.inkColumns.upperBound) <= 2,
                    "digit \(digit): photo box \(result.inkRows), \(result.inkColumns); clean \(reference.inkRows), \(reference.inkColumns)")
            // Centring moves by whole pixels, so a centre of mass near a half pixel may land one
            // pixel apart in the two: compare at the best of the shifts of at most one pixel.
            let correlation = Self.bestShiftedCorrelation(result.centred, reference.centred)
            #expect(correlation > 0.95, "digit \(digit): correlation \(correlation) with the clean digit")
            let logits = try network.logits(result.input(mean: mean, standardDeviation: deviation)).data
            let predicted = logits.indices.max { logits[$0] < logits[$1] } ?? -1
            #expect(predicted == digit, "photo of \(digit) read as \(predicted)")
        }
    }

    @Test("the same photos through JPEG at quality 35 (blocking and ringing) are still read right")
    func jpegArtefacts() throws {
        let (network, checkpoint) = try PretrainedModel.load()
        let mean = try #require(checkpoint.metadata["normalization_mean"].flatMap(Float.init))
        let deviation = try #require(checkpoint.metadata["normalization_std"].flatMap(Float.init))
        for digit in 0...9 {
            let photo = Self.photo(digit: digit, size: 120, seed: UInt64(digit) + 200)
            let pixels = PixelImage(width: 120, height: 120, channels: 1, maxValue: 255,
                                    samples: photo.pixels.map { UInt16(($0 * 255).rounded()) }, format: .pgm, detail: "test")
            let bytes = try ImageEncoder.jpeg(pixels, quality: 35)
            let decoded = try ImageDecoder.decode(bytes: bytes, name: "photo-\(digit).jpg").grayscale()
            let result = try DigitPreprocessor.prepare(decoded, name: "photo-\(digit).jpg")
            #expect(result.inverted, "digit \(digit)")
            let logits = try network.logits(result.input(mean: mean, standardDeviation: deviation)).data
            let predicted = logits.indices.max { logits[$0] < logits[$1] } ?? -1
            #expect(predicted == digit, "JPEG photo of \(digit) read as \(predicted)")
        }
    }

    static func bestShiftedCorrelation(_ a: GrayImage, _ b: GrayImage) -> Float {
        var best: Float = -1
        for dy in -1...1 {
            for dx in -1...1 {
                let shifted = (0..<(b.width * b.height)).map { index -> Float in
                    let (row, column) = (index / b.width - dy, index % b.width - dx)
                    return row >= 0 && row < b.height && column >= 0 && column < b.width ? b[row, column] : 0
                }
                best = max(best, correlation(a.pixels, shifted))
            }
        }
        return best
    }

    static func correlation(_ a: [Float], _ b: [Float]) -> Float {
        let (meanA, meanB) = (a.reduce(0, +) / Float(a.count), b.reduce(0, +) / Float(b.count))
        var (ab, aa, bb): (Float, Float, Float) = (0, 0, 0)
        for (x, y) in zip(a, b) { ab += (x - meanA) * (y - meanB); aa += (x - meanA) * (x - meanA); bb += (y - meanB) * (y - meanB) }
        return ab / (aa * bb).squareRoot()
    }
}
