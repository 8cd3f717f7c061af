import ConvKernels

/// The built-in handwritten-style digits: 0-9 drawn procedurally as pen strokes, so that training
/// works offline on a fresh machine with no MNIST files.
///
/// Each digit is one of a few ways of writing it (`DigitStyle.shape`), drawn as Bezier strokes with
/// a random pen width, lean, turn, size, place and hand wobble, then a little noise, and fitted to
/// the field as MNIST's digits are (the digit in a 20 x 20 box, its centre of mass in the middle of
/// 28 x 28). The same seed always gives the same bytes, whatever the number of threads.
public enum SyntheticDigits {
    /// The number of shapes `digit` has (`DigitStyle.shape` is taken modulo this).
    public static func shapeCount(of digit: Int) -> Int {
        precondition((0...9).contains(digit), "digit \(digit) is not a digit; it must be 0...9")
        return glyphs[digit].count
    }

    /// One digit drawn in `style`: `size * size` bytes, row-major, 0 = background, 255 = ink, with
    /// anti-aliased edges. At 28 it looks like MNIST; other sizes scale the whole drawing. `random`
    /// supplies the hand's wobble and the noise (the style says how much of each).
    public static func render(digit: Int, style: DigitStyle, size: Int = 28, random: inout SeededRandom) -> [UInt8] {
        var renderer = DigitRenderer(size: size)
        var pixels = [UInt8](repeating: 0, count: size * size)
        pixels.withUnsafeMutableBufferPointer { renderer.render(digit: digit, style: style, random: &random, into: $0) }
        return pixels
    }

    /// A training and a test set of 28 x 28 digits, each style from `DigitStyle.random`.
    ///
    /// The labels are balanced (each digit appears `count / 10` times, give or take one) and
    /// shuffled. The two sets come from independent random streams derived from `seed`, and so do
    /// the fixed-size chunks each is made in, so the bytes depend on the seed and the counts only,
    /// never on `threads`.
    public static func make(trainCount: Int = 60_000, testCount: Int = 10_000, seed: UInt64 = 0,
                            threads: Int = Parallel.defaultThreads) -> (train: LabelledImages, test: LabelledImages) {
        precondition(trainCount >= 0 && testCount >= 0,
                     "image counts \(trainCount) and \(testCount) must be 0 or more")
        let splits = [(count: trainCount, stream: UInt64(0)), (count: testCount, stream: UInt64(1))]
        let labels = splits.map { balancedLabels(count: $0.count, seed: streamSeed(seed, split: $0.stream, part: 0)) }
        var trainPixels = [UInt8](repeating: 0, count: trainCount * 784)
        var testPixels = [UInt8](repeating: 0, count: testCount * 784)
        // Every chunk of both sets, so that the cores stay busy across the boundary between them.
        let chunks = splits.indices.flatMap { split in
            (0..<((splits[split].count + imagesPerChunk - 1) / imagesPerChunk)).map { (split: split, chunk: $0) }
        }
        trainPixels.withUnsafeMutableBufferPointer { train in
            testPixels.withUnsafeMutableBufferPointer { test in
                let fields = [train, test]
                Parallel.forEach(chunks: chunks.count, threads: threads) { job in
                    let (split, chunk) = chunks[job]
                    var random = SeededRandom(seed: streamSeed(seed, split: splits[split].stream, part: UInt64(chunk) + 1))
                    var renderer = DigitRenderer(size: 28)
                    let first = chunk * imagesPerChunk
                    for image in first..<min(first + imagesPerChunk, splits[split].count) {
                        let style = DigitStyle.random(using: &random)
                        let field = UnsafeMutableBufferPointer(rebasing: fields[split][(image * 784)..<(image * 784 + 784)])
                        renderer.render(digit: Int(labels[split][image]), style: style, random: &random, into: field)
                    }
                }
            }
        }
        return (LabelledImages(count: trainCount, rows: 28, columns: 28, pixels: trainPixels, labels: labels[0]),
                LabelledImages(count: testCount, rows: 28, columns: 28, pixels: testPixels, labels: labels[1]))
    }

    /// Images per chunk of work: fixed, so the random streams do not depend on the thread count.
    static let imagesPerChunk = 250

    /// `index % 10` for each image, shuffled (Fisher-Yates, spelled out so the order stays the
    /// same whatever the standard library's shuffle does).
    static func balancedLabels(count: Int, seed: UInt64) -> [UInt8] {
        var labels = (0..<count).map { UInt8($0 % 10) }
        var random = SeededRandom(seed: seed)
        for index in stride(from: count - 1, to: 0, by: -1) {
            labels.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        return labels
    }

    /// The seed of one independent stream: part 0 of a split shuffles its labels, part `c + 1`
    /// draws its chunk `c`. The parts are mixed through SplitMix64's finaliser so that nearby
    /// seeds, splits and chunks give unrelated streams.
    static func streamSeed(_ seed: UInt64, split: UInt64, part: UInt64) -> UInt64 {
        func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return mix(seed ^ mix(split ^ mix(part)))
    }
}
