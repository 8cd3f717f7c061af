import Networks
import ConvKernels
import Testing
import Datasets

/// The built-in digits: reproducible by seed, balanced, MNIST-like in ink and placement, styles
/// that do what they say, and learnable by LeNet-5.
@Suite("synthetic digits")
struct SyntheticDigitsTests {
    // MARK: - Helpers

    /// Image `index` of a set.
    private func image(_ set: LabelledImages, _ index: Int) -> ArraySlice<UInt8> {
        set.pixels[(index * 784)..<(index * 784 + 784)]
    }

    /// The centre of mass (column, row) of a square image's intensity, in pixel-centre coordinates
    /// (the middle of a 28 x 28 field is 13.5).
    private func centreOfMass(_ pixels: ArraySlice<UInt8>, size: Int = 28) -> (x: Double, y: Double) {
        var mass = 0.0, x = 0.0, y = 0.0
        for (offset, value) in pixels.enumerated() {
            mass += Double(value)
            x += Double(value) * Double(offset % size)
            y += Double(value) * Double(offset / size)
        }
        return (x / mass, y / mass)
    }

    /// The rows and columns spanned by pixels of at least `threshold`.
    private func inkBox(_ pixels: ArraySlice<UInt8>, size: Int = 28, threshold: UInt8 = 128)
        -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>)? {
        var rows: ClosedRange<Int>?, columns: ClosedRange<Int>?
        for (offset, value) in pixels.enumerated() where value >= threshold {
            let (row, column) = (offset / size, offset % size)
            rows = rows.map { min($0.lowerBound, row)...max($0.upperBound, row) } ?? row...row
            columns = columns.map { min($0.lowerBound, column)...max($0.upperBound, column) } ?? column...column
        }
        guard let rows, let columns else { return nil }
        return (rows, columns)
    }

    /// The fraction of pixels of at least half intensity (MNIST's training digits: 13% on average,
    /// 1.9% the least, 39.8% the most, 3.5-29% for 99.8% of them).
    private func inkFraction(_ pixels: ArraySlice<UInt8>) -> Double {
        Double(pixels.filter { $0 >= 128 }.count) / Double(pixels.count)
    }

    /// Renders with a fixed random stream, so two styles differ only by the style.
    private func render(_ digit: Int, _ style: DigitStyle, size: Int = 28) -> ArraySlice<UInt8> {
        var random = SeededRandom(seed: 99)
        return SyntheticDigits.render(digit: digit, style: style, size: size, random: &random)[...]
    }

    private func ascii(_ pixels: ArraySlice<UInt8>, size: Int = 28) -> [String] {
        let ramp = Array(" .:-=+*#%@")
        return (0..<size).map { row in
            String((0..<size).map { column in ramp[Int(pixels[pixels.startIndex + row * size + column]) * 9 / 255] })
        }
    }

    // MARK: - The dataset

    @Test("the same seed gives the same bytes and labels; another seed gives others")
    func deterministicBySeed() {
        let first = SyntheticDigits.make(trainCount: 600, testCount: 200, seed: 7)
        let again = SyntheticDigits.make(trainCount: 600, testCount: 200, seed: 7)
        let other = SyntheticDigits.make(trainCount: 600, testCount: 200, seed: 8)
        #expect(first.train.pixels == again.train.pixels && first.train.labels == again.train.labels)
        #expect(first.test.pixels == again.test.pixels && first.test.labels == again.test.labels)
        #expect(first.train.pixels != other.train.pixels && first.train.labels != other.train.labels)
        #expect(first.test.pixels != other.test.pixels)
        let differing = (0..<600).filter { image(first.train, $0) != image(other.train, $0) }.count
        #expect(differing == 600, "\(600 - differing) of 600 images were the same under seeds 7 and 8")
    }

    @Test("the bytes do not depend on the number of threads", arguments: [1, 3, 8])
    func sameForAnyThreadCount(threads: Int) {
        // 1,300 images: several chunks, the last one short.
        let reference = SyntheticDigits.make(trainCount: 1_300, testCount: 270, seed: 3, threads: 2)
        let made = SyntheticDigits.make(trainCount: 1_300, testCount: 270, seed: 3, threads: threads)
        #expect(made.train.pixels == reference.train.pixels && made.train.labels == reference.train.labels)
        #expect(made.test.pixels == reference.test.pixels && made.test.labels == reference.test.labels)
    }

    @Test("counts and sizes: 28 x 28 images, one label each; the defaults are MNIST's 60,000 and 10,000")
    func countsAndSizes() {
        let (train, test) = SyntheticDigits.make(trainCount: 1_234, testCount: 56, seed: 1)
        for (set, count) in [(train, 1_234), (test, 56)] {
            #expect(set.count == count && set.rows == 28 && set.columns == 28)
            #expect(set.pixels.count == count * 784 && set.labels.count == count)
            #expect(set.labels.allSatisfy { $0 <= 9 })
        }
        let empty = SyntheticDigits.make(trainCount: 0, testCount: 0)
        #expect(empty.train.count == 0 && empty.train.pixels.isEmpty && empty.test.labels.isEmpty)
        let full = SyntheticDigits.make()
        #expect(full.train.count == 60_000 && full.train.pixels.count == 60_000 * 784)
        #expect(full.test.count == 10_000 && full.test.labels.count == 10_000)
    }

    @Test("labels are balanced (each digit a tenth) and shuffled")
    func balancedLabels() {
        let (train, test) = SyntheticDigits.make(trainCount: 5_003, testCount: 1_000, seed: 2)
        for set in [train, test] {
            var counts = [Int](repeating: 0, count: 10)
            for label in set.labels { counts[Int(label)] += 1 }
            #expect(counts.allSatisfy { abs($0 * 10 - set.count) <= 10 }, "digit counts \(counts) of \(set.count)")
            let inCycleOrder = set.labels.indices.filter { Int(set.labels[$0]) == $0 % 10 }.count
            #expect(inCycleOrder < set.count / 5, "\(inCycleOrder) of \(set.count) labels still in 0...9 order")
        }
        #expect(train.labels[0..<1_000] != test.labels[0..<1_000])
    }

    @Test("the test set shares no image with the training set")
    func testIndependentOfTrain() {
        let (train, test) = SyntheticDigits.make(trainCount: 10_000, testCount: 2_000, seed: 0)
        let trainImages = Set((0..<train.count).map { Array(image(train, $0)) })
        let shared = (0..<test.count).filter { trainImages.contains(Array(image(test, $0))) }
        #expect(shared.isEmpty, "test images \(shared.prefix(5)) also appear in the training set")
        #expect(trainImages.count == train.count, "the training set repeats \(train.count - trainImages.count) images")
    }

    @Test("pixels look like MNIST's: ink 1.5-40% of each image, full-strength ink, centred within 3 pixels")
    func plausiblePixels() {
        let (train, _) = SyntheticDigits.make(trainCount: 3_000, testCount: 0, seed: 5)
        var totalInk = 0.0, meanPixel = 0.0
        for index in 0..<train.count {
            let pixels = image(train, index)
            let ink = inkFraction(pixels)
            totalInk += ink
            meanPixel += pixels.reduce(0.0) { $0 + Double($1) } / 784 / 255
            #expect((0.015...0.40).contains(ink), "image \(index) (a \(train.labels[index])) is \(ink * 100)% ink")
            #expect(pixels.max() ?? 0 >= 200, "image \(index)'s darkest pixel is \(pixels.max() ?? 0)")
            let centre = centreOfMass(pixels)
            #expect(abs(centre.x - 13.5) <= 3 && abs(centre.y - 13.5) <= 3,
                    "image \(index)'s centre of mass is at (\(centre.x), \(centre.y))")
        }
        let averageInk = totalInk / Double(train.count), average = meanPixel / Double(train.count)
        // MNIST: 13.2% ink, mean pixel 0.131 (the 0.1307 that normalisation subtracts).
        #expect((0.09...0.18).contains(averageInk), "average ink fraction \(averageInk)")
        #expect((0.09...0.17).contains(average), "mean pixel \(average)")
    }

    // MARK: - Rendering and styles

    @Test("every shape of every digit, plain: fitted to the 20-pixel box, centred, 5-30% ink")
    func everyShapeFits() {
        for digit in 0...9 {
            #expect(SyntheticDigits.shapeCount(of: digit) >= 2 || digit == 1)
            for shape in 0..<SyntheticDigits.shapeCount(of: digit) {
                let pixels = render(digit, DigitStyle(shape: shape))
                let box = inkBox(pixels)
                let side = max(box?.rows.count ?? 0, box?.columns.count ?? 0)
                #expect((18...22).contains(side), "digit \(digit) shape \(shape): longer side \(side) pixels")
                let centre = centreOfMass(pixels)
                #expect(abs(centre.x - 13.5) < 0.75 && abs(centre.y - 13.5) < 0.75,
                        "digit \(digit) shape \(shape): centre of mass (\(centre.x), \(centre.y))")
                #expect((0.05...0.30).contains(inkFraction(pixels)), "digit \(digit) shape \(shape): \(inkFraction(pixels))")
            }
        }
        // Shapes are taken modulo the count.
        #expect(render(4, DigitStyle(shape: 1)) == render(4, DigitStyle(shape: 1 + SyntheticDigits.shapeCount(of: 4))))
        #expect(render(4, DigitStyle(shape: -1)) == render(4, DigitStyle(shape: SyntheticDigits.shapeCount(of: 4) - 1)))
        #expect(render(7, DigitStyle(shape: 0)) != render(7, DigitStyle(shape: 1)))
    }

    @Test("a plain style ignores the random stream; jitter and noise use it")
    func randomOnlyWhereAsked() {
        var first = SeededRandom(seed: 1), second = SeededRandom(seed: 2)
        #expect(SyntheticDigits.render(digit: 3, style: DigitStyle(), random: &first)
            == SyntheticDigits.render(digit: 3, style: DigitStyle(), random: &second))
        for style in [DigitStyle(jitter: 0.05), DigitStyle(noise: 0.1)] {
            var first = SeededRandom(seed: 1), second = SeededRandom(seed: 2)
            #expect(SyntheticDigits.render(digit: 3, style: style, random: &first)
                != SyntheticDigits.render(digit: 3, style: style, random: &second))
        }
    }

    @Test("thickness: a thick pen lays down more ink than a thin one")
    func thickness() {
        let thin = inkFraction(render(8, DigitStyle(thickness: 1.5)))
        let thick = inkFraction(render(8, DigitStyle(thickness: 4)))
        #expect(thick > 1.8 * thin, "ink fraction: thin \(thin), thick \(thick)")
        // A stroke's width at half intensity is about the pen's width: the plain 1 is a vertical bar.
        for pen in [2, 3, 4] {
            let middleRow = render(1, DigitStyle(thickness: Float(pen)))[(14 * 28)..<(15 * 28)]
            let width = middleRow.filter { $0 >= 128 }.count
            #expect(abs(width - pen) <= 1, "a \(pen)-pixel pen made a \(width)-pixel stroke")
        }
    }

    @Test("scale: large and small digits; width: wide and narrow")
    func scaleAndWidth() {
        let large = inkBox(render(0, DigitStyle(scale: 1.2)))
        let small = inkBox(render(0, DigitStyle(scale: 0.5)))
        #expect((22...26).contains(large?.rows.count ?? 0), "scale 1.2: \(large?.rows.count ?? 0) rows")
        #expect((8...12).contains(small?.rows.count ?? 0), "scale 0.5: \(small?.rows.count ?? 0) rows")
        let wide = inkBox(render(0, DigitStyle(width: 1.4)))?.columns.count ?? 0
        let narrow = inkBox(render(0, DigitStyle(width: 0.6)))?.columns.count ?? 0
        #expect(wide > narrow + 5, "columns: wide \(wide), narrow \(narrow)")
    }

    @Test("offset moves the centre of mass by that many pixels")
    func offCentre() {
        let centred = centreOfMass(render(5, DigitStyle()))
        let moved = centreOfMass(render(5, DigitStyle(offsetX: -4, offsetY: 3)))
        #expect(abs(moved.x - centred.x + 4) < 0.2 && abs(moved.y - centred.y - 3) < 0.2,
                "centre of mass (\(centred.x), \(centred.y)) -> (\(moved.x), \(moved.y))")
    }

    @Test("slant and a clockwise turn move the top of a 1 right of its bottom; negative ones left")
    func slantAndRotation() {
        func lean(_ style: DigitStyle) -> Double {
            let pixels = render(1, style)
            return centreOfMass(pixels[0..<(14 * 28)]).x - centreOfMass(pixels[(14 * 28)..<784]).x
        }
        #expect(abs(lean(DigitStyle())) < 0.5)
        #expect(lean(DigitStyle(slant: 0.4)) > 2 && lean(DigitStyle(slant: -0.4)) < -2)
        #expect(lean(DigitStyle(rotation: 0.3)) > 2 && lean(DigitStyle(rotation: -0.3)) < -2)
    }

    @Test("noise dents the ink and scatters faint specks; without it the background is clean")
    func noise() {
        let clean = render(2, DigitStyle())
        let noisy = render(2, DigitStyle(noise: 0.3))
        let cleanBox = inkBox(clean, threshold: 1)
        let outside = noisy.indices.filter { offset in
            let (row, column) = ((offset - noisy.startIndex) / 28, (offset - noisy.startIndex) % 28)
            return !(cleanBox?.rows.contains(row) ?? false) || !(cleanBox?.columns.contains(column) ?? false)
        }
        #expect(outside.allSatisfy { clean[$0] == 0 })
        #expect(outside.contains { noisy[$0] > 0 }, "noise 0.3 left the background clean")
        #expect(clean.filter { $0 == 255 }.count > noisy.filter { $0 == 255 }.count)
        #expect(render(2, DigitStyle(ink: 0.5)).max() == 128)
    }

    @Test("other sizes scale the whole drawing")
    func otherSizes() {
        let large = render(6, DigitStyle(), size: 56)
        #expect(large.count == 56 * 56)
        let side = inkBox(large, size: 56).map { max($0.rows.count, $0.columns.count) } ?? 0
        #expect((38...42).contains(side), "longer side \(side) of 56")
        #expect(abs(inkFraction(large) - inkFraction(render(6, DigitStyle()))) < 0.03)
        // The centre of mass sits where it sits at 28, twice as far from the middle.
        let centre = centreOfMass(large, size: 56), small = centreOfMass(render(6, DigitStyle()))
        #expect(abs((centre.x - 27.5) - 2 * (small.x - 13.5)) < 0.3 && abs((centre.y - 27.5) - 2 * (small.y - 13.5)) < 0.3,
                "centre of mass (\(small.x), \(small.y)) at 28, (\(centre.x), \(centre.y)) at 56")
    }

    @Test("one of each digit, drawn in text")
    func asciiDump() {
        let (train, _) = SyntheticDigits.make(trainCount: 100, testCount: 0, seed: 11)
        var lines = [String](repeating: "", count: 28)
        for digit in 0...9 {
            guard let index = train.labels.firstIndex(of: UInt8(digit)) else {
                Issue.record("no \(digit) among the first 100 digits")
                continue
            }
            for (row, text) in ascii(image(train, index)).enumerated() { lines[row] += text + "|" }
            if digit == 4 || digit == 9 {
                print(lines.joined(separator: "\n"))
                lines = [String](repeating: "", count: 28)
            }
        }
    }

    // MARK: - Learnability

    /// Images `range` of a set as a normalised batch `[N, 1, 28, 28]` (MNIST's mean and deviation).
    private func batch(_ set: LabelledImages, _ range: Range<Int>) -> (Tensor, [Int]) {
        let pixels = set.pixels[(range.lowerBound * 784)..<(range.upperBound * 784)]
        let data = pixels.map { (Float($0) / 255 - 0.1307) / 0.3081 }
        return (Tensor(shape: [range.count, 1, 28, 28], data: data), set.labels[range].map(Int.init))
    }

    @Test("300 Adam steps of 32 synthetic digits take LeNet-5 past 90% on 1,000 test digits")
    func learnable() throws {
        let (train, test) = SyntheticDigits.make(trainCount: 9_600, testCount: 1_000, seed: 0)
        var network = try Network(spec: try #require(BuiltInArchitecture.spec(named: "lenet5")), seed: 0)
        var optimizer = try Adam(learningRate: 1e-3)
        var firstLoss: Float = 0, lastLosses: [Float] = []
        for step in 0..<300 {
            let (images, labels) = batch(train, (step * 32)..<(step * 32 + 32))
            var unused = SeededRandom(seed: 0)
            let trace = try network.forwardForTraining(images, random: &unused)
            let (loss, dLogits) = try SoftmaxCrossEntropy.forward(logits: trace.logits, labels: labels)
            if step == 0 { firstLoss = loss }
            if step >= 280 { lastLosses.append(loss) }
            let gradients = try network.backward(trace, dLogits: dLogits).parameters
            optimizer.step(parameters: &network.parameters, gradients: gradients)
        }
        let (testImages, testLabels) = batch(test, 0..<1_000)
        let logits = try network.logits(testImages)
        var correct = 0
        for n in 0..<1_000 {
            let row = logits.data[(n * 10)..<(n * 10 + 10)]
            if let best = row.indices.max(by: { row[$0] < row[$1] }), best - n * 10 == testLabels[n] { correct += 1 }
        }
        let lastLoss = lastLosses.reduce(0, +) / Float(lastLosses.count)
        #expect(firstLoss > 2.0, "an untrained network starts near ln 10 = 2.30; it started at \(firstLoss)")
        #expect(lastLoss < 0.5, "the loss fell from \(firstLoss) to \(lastLoss) (mean of the last 20 steps)")
        #expect(correct >= 900, "\(correct) of 1,000 test digits right")
        print("LeNet-5 after 300 steps of synthetic digits: loss \(firstLoss) -> \(lastLoss), \(correct) / 1000 test digits right")
    }
}
