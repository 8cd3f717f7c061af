import ConvKernels

/// A digit image made ready for LeNet-5 the way MNIST's own digits were made, with every step kept
/// so that the inspector can show it.
public struct DigitPreprocessing: Sendable {
    /// One step of the recipe: what it did, why, and the image it left.
    public struct Step: Sendable {
        public let title: String
        public let note: String
        public let image: GrayImage

        public init(title: String, note: String, image: GrayImage) {
            (self.title, self.note, self.image) = (title, note, image)
        }
    }

    /// In order: grayscale (the image as given, or shrunk when large); inverted (or not, saying why);
    /// cleaned (uneven lighting levelled, paper noise and specks removed, contrast stretched);
    /// cropped to the ink; scaled to fit 20x20 keeping the aspect ratio; centred by mass in 28x28.
    public let steps: [Step]
    /// Whether the image was dark ink on a light background and so was inverted.
    public let inverted: Bool
    /// The background level estimated on the original's 0...1 scale (its median over the image).
    public let background: Float
    /// The ink's box in the grayscale step's image (specks left out).
    public let inkRows: ClosedRange<Int>
    public let inkColumns: ClosedRange<Int>
    /// How many separate specks (small blobs away from the digit) were left out.
    public let specksRemoved: Int
    /// 28x28, ink near 1 on a background near 0, as MNIST.
    public let centred: GrayImage

    /// `[1, 1, 28, 28]`: `(pixel - mean) / standardDeviation`, as the network's training inputs were.
    public func input(mean: Float, standardDeviation: Float) -> Tensor {
        precondition(standardDeviation > 0, "standard deviation \(standardDeviation) must be above 0")
        return Tensor(shape: [1, 1, 28, 28], data: centred.pixels.map { ($0 - mean) / standardDeviation })
    }
}

/// MNIST's recipe for a digit image, made robust to photos of handwriting on paper.
///
/// MNIST's digits are light ink on black, cropped to the ink, scaled (anti-aliased) to fit a 20x20
/// box keeping their aspect ratio, and placed in 28x28 with their centre of mass at the centre.
/// A photo adds grey paper, light that varies across the page, noise, JPEG artefacts and specks:
/// the background is estimated as a smooth surface fitted to the image with the ink left out, and
/// subtracted, before anything is decided.
public enum DigitPreprocessor {
    /// Images larger than this on their longer side are shrunk first (the digit ends up 20 pixels tall).
    public static let workingSize = 512
    /// The side of the box the ink is scaled to fit, and of the final image (MNIST's 20 and 28).
    public static let boxSize = 20
    public static let imageSize = 28

    /// Runs the recipe on `image` (0 black, 1 white).
    ///
    /// - Parameter name: the file, for error messages.
    /// - Throws: `ImageError` when there is no ink to read: the image is one flat level, or nothing
    ///   stands out from the background's noise.
    public static func prepare(_ image: GrayImage, name: String) throws(ImageError) -> DigitPreprocessing {
        var steps: [DigitPreprocessing.Step] = []
        let (darkest, lightest) = (image.pixels.min() ?? 0, image.pixels.max() ?? 0)
        if isBlank(image) {
            let level = (darkest + lightest) / 2
            throw ImageError("\(name): the image is blank (all pixels within "
                + "\(percent(max((lightest - darkest) / 2, 0.005)))% of \(format(level))); there is no digit to read")
        }

        // 1. Grayscale, shrunk when large: a photo's detail is far finer than 20 pixels.
        var gray = image
        var grayNote = "\(image.width)x\(image.height), 0 black to 1 white"
        let longer = max(image.width, image.height)
        if longer > workingSize {
            let (width, height) = fitted(width: image.width, height: image.height, into: workingSize)
            gray = image.resized(width: width, height: height)
            grayNote += "; shrunk to \(width)x\(height) (area averaging) to work on"
        }
        steps.append(.init(title: "grayscale", note: grayNote, image: gray))

        // 2. The background as a smooth surface, then which side of it the ink lies.
        let surface = BackgroundSurface.fit(gray)
        let surfaceValues = (0..<gray.pixels.count).map { surface.value(at: $0, width: gray.width, height: gray.height) }
        let residuals = (0..<gray.pixels.count).map { gray.pixels[$0] - surfaceValues[$0] }
        let sample = surface.sampledResiduals
        let darkTail = -quantile(sample, 0.005), lightTail = quantile(sample, 0.995)
        let backgroundLevel = median(surface.sampledFit)
        // Which side the ink is on: the marks beyond the noise's reach on each side, weighted by how
        // far beyond (noise alone puts next to nothing there; a thin digit in a big photo still does).
        let spread = 1.4826 * median(sample.map { abs($0) })
        var (darkWeight, lightWeight): (Float, Float) = (0, 0)
        for residual in residuals {
            darkWeight += max(0, -residual - 4 * spread)
            lightWeight += max(0, residual - 4 * spread)
        }
        let inverted = darkWeight > lightWeight || (darkWeight == lightWeight && backgroundLevel > 0.5)
        let oriented = GrayImage(width: gray.width, height: gray.height,
                                 pixels: inverted ? gray.pixels.map { 1 - $0 } : gray.pixels)
        let inkLevel = inverted ? backgroundLevel - darkTail : backgroundLevel + lightTail
        let invertNote = inverted
            ? "dark ink (about \(format(inkLevel))) on a lighter background (\(format(backgroundLevel))): inverted, "
                + "as MNIST's digits are light on black"
            : "light ink (about \(format(inkLevel))) on a darker background (\(format(backgroundLevel))): "
                + "already as MNIST has it, not inverted"
        steps.append(.init(title: inverted ? "inverted" : "not inverted", note: invertNote, image: oriented))

        // 3. Clean. Dark ink on paper darkens the light falling on it by a factor, so its strength
        // is its darkness relative to the paper there (the same pencil reads the same in the shade);
        // light ink on dark adds light, so its strength is its difference. Then hysteresis, as
        // edge detectors do: blobs must reach past 5 deviations of the paper's noise somewhere, and
        // keep their pixels down to 3 deviations (the soft edges of a stroke).
        func strength(_ residual: Float, _ surfaceValue: Float) -> Float {
            inverted ? -residual / max(surfaceValue, 0.05) : residual
        }
        let ink = (0..<residuals.count).map { strength(residuals[$0], surfaceValues[$0]) }
        let sampledInk = zip(surface.sampledResiduals, surface.sampledFit).map { strength($0.0, $0.1) }
        let noise = 1.4826 * median(sampledInk.map { abs($0) })
        let high = max(5 * noise, 0.04), low = max(3 * noise, 0.02)
        let strong = ink.filter { $0 > high }.sorted()
        // A pixel or two past the noise's reach is chance, not a digit.
        guard strong.count >= 3 else {
            throw ImageError("\(name): no ink stands out from the background (the strongest marks are "
                + "\(percent(max(darkTail, lightTail)))% from it, within the paper's noise); there is no digit to read")
        }
        let level = max(strong[min(strong.count - 1, Int(Float(strong.count - 1) * 0.95))], high + 0.01)
        var cleanedPixels = ink.map { min(1, max(0, ($0 - low) / (level - low))) }
        let components = InkComponents(pixels: cleanedPixels, width: gray.width, height: gray.height)
        let reaching = Set(ink.indices.lazy.filter { ink[$0] > high }.map { components.label[$0] })
        let kept = components.significant(among: reaching)
        for index in cleanedPixels.indices where cleanedPixels[index] > 0 && !kept.contains(components.label[index]) {
            cleanedPixels[index] = 0
        }
        let specks = reaching.count - kept.count
        let cleaned = GrayImage(width: gray.width, height: gray.height, pixels: cleanedPixels)
        var cleanNote = inverted ? "ink measured against the paper's fitted brightness" : "fitted background subtracted"
        cleanNote += noise > 0 ? "; noise \(format(noise)): marks must pass \(format(high)), their edges are kept down to \(format(low))"
                               : "; anything below \(format(low)) cleared"
        cleanNote += "; ink stretched so \(format(level)) reads 1"
        if specks > 0 { cleanNote += "; \(specks) speck\(specks == 1 ? "" : "s") left out" }
        steps.append(.init(title: "cleaned", note: cleanNote, image: cleaned))

        // 4. Crop to the ink's box.
        let box = components.box(of: kept)
        let cropped = crop(cleaned, rows: box.rows, columns: box.columns)
        steps.append(.init(title: "cropped to the ink",
                           note: "rows \(box.rows.lowerBound)-\(box.rows.upperBound), columns "
                               + "\(box.columns.lowerBound)-\(box.columns.upperBound): \(cropped.width)x\(cropped.height)",
                           image: cropped))

        // 5. Scale to fit 20x20, keeping the aspect ratio.
        let (scaledWidth, scaledHeight) = fitted(width: cropped.width, height: cropped.height, into: boxSize)
        let scaled = cropped.resized(width: scaledWidth, height: scaledHeight)
        steps.append(.init(title: "scaled to fit \(boxSize)x\(boxSize)",
                           note: "\(cropped.width)x\(cropped.height) -> \(scaledWidth)x\(scaledHeight), aspect ratio kept",
                           image: scaled))

        // 6. Centre by mass in 28x28.
        let (centred, centreNote) = centreByMass(scaled)
        steps.append(.init(title: "centred by mass in \(imageSize)x\(imageSize)", note: centreNote, image: centred))

        return DigitPreprocessing(steps: steps, inverted: inverted, background: backgroundLevel,
                                  inkRows: box.rows, inkColumns: box.columns, specksRemoved: specks, centred: centred)
    }

    /// True when every pixel is within 2% of one level: nothing at all to read or to show.
    public static func isBlank(_ image: GrayImage) -> Bool {
        (image.pixels.max() ?? 0) - (image.pixels.min() ?? 0) <= 0.04
    }

    /// What the inspector reads when `prepare` finds no digit in an image that is not blank (a
    /// kernel test pattern, a photo of something else): the whole image, light on dark as MNIST's
    /// digits are (inverted when its median is light), scaled to fit 28x28 keeping its aspect
    /// ratio, centred. `reason` is `prepare`'s message, kept in the step's note.
    public static func wholeImage(_ image: GrayImage, reason: String) -> DigitPreprocessing {
        let background = median(image.pixels)
        let inverted = background > 0.5
        let oriented = inverted ? GrayImage(width: image.width, height: image.height, pixels: image.pixels.map { 1 - $0 })
            : image
        let size = fitted(width: image.width, height: image.height, into: imageSize)
        let scaled = oriented.resized(width: size.width, height: size.height)
        var centred = GrayImage(width: imageSize, height: imageSize,
                                pixels: [Float](repeating: 0, count: imageSize * imageSize))
        let (top, left) = ((imageSize - size.height) / 2, (imageSize - size.width) / 2)
        for row in 0..<size.height {
            for column in 0..<size.width { centred[top + row, left + column] = scaled[row, column] }
        }
        let steps: [DigitPreprocessing.Step] = [
            .init(title: "grayscale", note: "\(image.width)x\(image.height), 0 black to 1 white", image: image),
            .init(title: "the whole image", note: "no single digit stands out (\(reason)), so the whole image"
                    + (inverted ? ", inverted (its background is light)," : "") + " is scaled to fit \(imageSize)x\(imageSize)",
                  image: centred),
        ]
        return DigitPreprocessing(steps: steps, inverted: inverted, background: background,
                                  inkRows: 0...(image.height - 1), inkColumns: 0...(image.width - 1), specksRemoved: 0,
                                  centred: centred)
    }

    // MARK: Steps

    /// The size that fits `width` x `height` into a `side` x `side` box, keeping the aspect ratio
    /// (the longer side becomes `side`, the shorter at least 1).
    static func fitted(width: Int, height: Int, into side: Int) -> (width: Int, height: Int) {
        if width >= height {
            return (side, max(1, Int((Float(height) * Float(side) / Float(width)).rounded())))
        }
        return (max(1, Int((Float(width) * Float(side) / Float(height)).rounded())), side)
    }

    static func crop(_ image: GrayImage, rows: ClosedRange<Int>, columns: ClosedRange<Int>) -> GrayImage {
        var pixels: [Float] = []
        pixels.reserveCapacity(rows.count * columns.count)
        for row in rows { pixels += image.pixels[(row * image.width + columns.lowerBound)...(row * image.width + columns.upperBound)] }
        return GrayImage(width: columns.count, height: rows.count, pixels: pixels)
    }

    /// The centre of mass (row, column) in pixel indices, weighted by the values.
    public static func centreOfMass(_ image: GrayImage) -> (row: Float, column: Float) {
        var total: Float = 0, rowSum: Float = 0, columnSum: Float = 0
        for row in 0..<image.height {
            for column in 0..<image.width {
                let value = image[row, column]
                total += value
                rowSum += value * Float(row)
                columnSum += value * Float(column)
            }
        }
        guard total > 0 else { return (Float(image.height - 1) / 2, Float(image.width - 1) / 2) }
        return (rowSum / total, columnSum / total)
    }

    /// Places `scaled` in 28x28 shifted by whole pixels so that its centre of mass lands on
    /// (14, 14) (MNIST's convention, as the usual `center_of_mass` recipes do), within half a pixel;
    /// the shift is limited so that no ink falls off the edge.
    static func centreByMass(_ scaled: GrayImage) -> (GrayImage, String) {
        let centre = centreOfMass(scaled)
        let target = Float(imageSize / 2)
        let wantedTop = Int((target - centre.row).rounded()), wantedLeft = Int((target - centre.column).rounded())
        let top = min(max(wantedTop, 0), imageSize - scaled.height)
        let left = min(max(wantedLeft, 0), imageSize - scaled.width)
        var pixels = [Float](repeating: 0, count: imageSize * imageSize)
        for row in 0..<scaled.height {
            for column in 0..<scaled.width {
                pixels[(row + top) * imageSize + column + left] = scaled[row, column]
            }
        }
        let placed = GrayImage(width: imageSize, height: imageSize, pixels: pixels)
        let landed = centreOfMass(placed)
        var note = "placed at row \(top), column \(left); centre of mass at (\(format(landed.row)), \(format(landed.column)))"
        if top != wantedTop || left != wantedLeft { note += " (moved less than centring asked, to keep the ink inside)" }
        return (placed, note)
    }

    // MARK: Numbers

    static func median(_ values: [Float]) -> Float { quantile(values, 0.5) }

    /// The `q` quantile (0...1) by nearest rank; 0 for no values.
    static func quantile(_ values: [Float], _ q: Float) -> Float {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((Float(sorted.count - 1) * q).rounded())))]
    }

    static func format(_ value: Float) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func percent(_ fraction: Float) -> String { "\(max(1, Int((fraction * 100).rounded())))" }
}

/// A smooth background, `a + b x + c y + d x² + e x y + f y²` over coordinates scaled to -1...1,
/// fitted by least squares to a grid of sampled pixels, refitted without the points it explains
/// badly (the ink, on either side) until it settles: grey paper, light falling off across a page.
struct BackgroundSurface {
    var coefficients: [Float]
    /// The sampled points' residuals (pixel minus surface) and the surface there.
    var sampledResiduals: [Float]
    var sampledFit: [Float]

    /// At most about 100x100 points are sampled.
    static let samplesPerSide = 100

    func value(x: Float, y: Float) -> Float {
        let c = coefficients
        return c[0] + c[1] * x + c[2] * y + c[3] * x * x + c[4] * x * y + c[5] * y * y
    }

    func value(at index: Int, width: Int, height: Int) -> Float {
        let (x, y) = Self.scaled(column: index % width, row: index / width, width: width, height: height)
        return value(x: x, y: y)
    }

    static func scaled(column: Int, row: Int, width: Int, height: Int) -> (Float, Float) {
        (width > 1 ? Float(column) / Float(width - 1) * 2 - 1 : 0, height > 1 ? Float(row) / Float(height - 1) * 2 - 1 : 0)
    }

    static func fit(_ image: GrayImage) -> BackgroundSurface {
        let stepX = max(1, image.width / samplesPerSide), stepY = max(1, image.height / samplesPerSide)
        var points: [(x: Float, y: Float, value: Float)] = []
        for row in stride(from: 0, to: image.height, by: stepY) {
            for column in stride(from: 0, to: image.width, by: stepX) {
                let (x, y) = scaled(column: column, row: row, width: image.width, height: image.height)
                points.append((x, y, image[row, column]))
            }
        }
        // Few points cannot carry a quadratic: a level (the median) is all that is fitted then.
        let terms = points.count >= 64 ? 6 : 1
        var coefficients = [DigitPreprocessor.median(points.map(\.value))] + [Float](repeating: 0, count: 5)
        var surface = BackgroundSurface(coefficients: coefficients, sampledResiduals: [], sampledFit: [])
        var inliers = points
        for _ in 0..<5 {
            let residuals = points.map { $0.value - surface.value(x: $0.x, y: $0.y) }
            let centre = DigitPreprocessor.median(residuals)
            let spread = 1.4826 * DigitPreprocessor.median(residuals.map { abs($0 - centre) })
            let limit = 2.5 * spread + 0.02
            inliers = zip(points, residuals).filter { abs($0.1 - centre) <= limit }.map(\.0)
            guard inliers.count >= max(terms * 4, 8), terms == 6,
                  let solved = leastSquares(inliers) else { break }
            coefficients = solved
            surface.coefficients = coefficients
        }
        if terms == 1 || inliers.count < 24 {
            // The level alone: the median of the points the surface did not reject.
            let level = DigitPreprocessor.median(inliers.isEmpty ? points.map(\.value) : inliers.map(\.value))
            surface.coefficients = [level, 0, 0, 0, 0, 0]
        }
        surface.sampledFit = points.map { surface.value(x: $0.x, y: $0.y) }
        surface.sampledResiduals = zip(points, surface.sampledFit).map { $0.0.value - $0.1 }
        return surface
    }

    /// The quadratic's coefficients by the normal equations (Gaussian elimination with pivoting, in
    /// Double); nil when they are singular.
    static func leastSquares(_ points: [(x: Float, y: Float, value: Float)]) -> [Float]? {
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: 7), count: 6)
        for point in points {
            let (x, y) = (Double(point.x), Double(point.y))
            let basis = [1, x, y, x * x, x * y, y * y]
            for i in 0..<6 {
                for j in 0..<6 { matrix[i][j] += basis[i] * basis[j] }
                matrix[i][6] += basis[i] * Double(point.value)
            }
        }
        for column in 0..<6 {
            guard let pivot = (column..<6).max(by: { abs(matrix[$0][column]) < abs(matrix[$1][column]) }),
                  abs(matrix[pivot][column]) > 1e-9 else { return nil }
            matrix.swapAt(column, pivot)
            for row in 0..<6 where row != column {
                let factor = matrix[row][column] / matrix[column][column]
                for k in column..<7 { matrix[row][k] -= factor * matrix[column][k] }
            }
        }
        return (0..<6).map { Float(matrix[$0][6] / matrix[$0][$0]) }
    }
}

/// The 8-connected blobs of non-zero pixels, with their mass (summed values) and boxes.
struct InkComponents {
    /// Per pixel: its blob's index, or -1.
    var label: [Int]
    var masses: [Float]
    var boxes: [(rows: ClosedRange<Int>, columns: ClosedRange<Int>)]

    /// A blob lighter than this share of the heaviest is a speck.
    static let speckShare: Float = 0.05

    init(pixels: [Float], width: Int, height: Int) {
        label = [Int](repeating: -1, count: pixels.count)
        masses = []
        boxes = []
        var stack: [Int] = []
        for start in pixels.indices where pixels[start] > 0 && label[start] < 0 {
            let id = masses.count
            var mass: Float = 0
            var (top, bottom, left, right) = (height, -1, width, -1)
            label[start] = id
            stack.append(start)
            while let index = stack.popLast() {
                let (row, column) = (index / width, index % width)
                mass += pixels[index]
                (top, bottom, left, right) = (min(top, row), max(bottom, row), min(left, column), max(right, column))
                for dy in -1...1 {
                    for dx in -1...1 where dy != 0 || dx != 0 {
                        let (r, c) = (row + dy, column + dx)
                        guard r >= 0, r < height, c >= 0, c < width else { continue }
                        let neighbour = r * width + c
                        if pixels[neighbour] > 0 && label[neighbour] < 0 {
                            label[neighbour] = id
                            stack.append(neighbour)
                        }
                    }
                }
            }
            masses.append(mass)
            boxes.append((top...bottom, left...right))
        }
    }

    /// The blobs of `candidates` that are part of the digit: all but those far lighter than the heaviest.
    func significant(among candidates: Set<Int>) -> Set<Int> {
        let heaviest = candidates.map { masses[$0] }.max() ?? 0
        return candidates.filter { masses[$0] >= heaviest * Self.speckShare }
    }

    /// The box around the given blobs (which must not be empty).
    func box(of blobs: Set<Int>) -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>) {
        let chosen = blobs.map { boxes[$0] }
        guard let first = chosen.first else { preconditionFailure("the ink box of no blobs") }
        return chosen.dropFirst().reduce(first) { box, next in
            (min(box.rows.lowerBound, next.rows.lowerBound)...max(box.rows.upperBound, next.rows.upperBound),
             min(box.columns.lowerBound, next.columns.lowerBound)...max(box.columns.upperBound, next.columns.upperBound))
        }
    }
}
