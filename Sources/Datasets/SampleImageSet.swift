import ConvKernels
import Foundation
import Imaging
import CommonIO

/// The images of `sample-images/`, drawn by our own code so that anyone can make them again
/// (`convtutor samples generate`): handwritten-style digits 0-9 in several styles and formats, a
/// photo-like digit, and test patterns for kernels.
///
/// Everything is drawn from fixed seeds: the same program always draws the same pixels.
public enum SampleImageSet {
    /// The folder's name in the repository and under `share/convtutor/` when installed.
    public static let folderName = "sample-images"

    /// One sample image: its file name, what it shows, and its pixels exactly as the file holds them
    /// (for JPEG, before the lossy compression).
    public struct Sample: Sendable {
        public enum Kind: String, Sendable {
            /// A digit for the model, drawn on a clean background.
            case digit
            /// A digit as a phone camera might see it: grey paper, uneven light, noise, JPEG.
            case photo
            /// A test pattern for kernels (edges, a checkerboard, a circle, a gradient).
            case pattern
            /// A small colour picture for kernels.
            case scene
        }

        /// How the file is encoded.
        public enum Encoding: Sendable, Equatable {
            case png
            case jpeg(quality: Int)
            /// PGM for grey, PPM for colour; `ascii` writes P2/P3 instead of P5/P6.
            case netpbm(ascii: Bool)
        }

        public let fileName: String
        public let kind: Kind
        /// The digit a digit or photo sample shows; nil for patterns and the scene.
        public let digit: Int?
        /// What it shows, for the README and `convtutor samples`: "thick dark ink on light grey paper".
        public let summary: String
        public let encoding: Encoding
        public let image: PixelImage

        /// The file name is `baseName` and the encoding's extension; the pixels are labelled with
        /// the format they are written in.
        init(baseName: String, kind: Kind, digit: Int?, summary: String, encoding: Encoding, canvas: Canvas,
             maxValue: Int) {
            let format: ImageFormat, fileExtension: String
            switch encoding {
            case .png: (format, fileExtension) = (.png, "png")
            case .jpeg: (format, fileExtension) = (.jpeg, "jpg")
            case .netpbm: (format, fileExtension) = canvas.channels >= 3 ? (.ppm, "ppm") : (.pgm, "pgm")
            }
            (self.fileName, self.kind, self.digit, self.summary, self.encoding) =
                ("\(baseName).\(fileExtension)", kind, digit, summary, encoding)
            image = canvas.pixelImage(maxValue: maxValue, format: format,
                                      detail: Self.describe(encoding, channels: canvas.channels, maxValue: maxValue))
        }

        /// "PNG, 8-bit grey", "PGM (ASCII), 8-bit grey", "JPEG (quality 85), RGB".
        public var formatDescription: String { image.detail }

        private static func describe(_ encoding: Encoding, channels: Int, maxValue: Int) -> String {
            let bits = maxValue > 255 ? "16-bit" : "8-bit"
            let colour = channels >= 3 ? "RGB" : "grey"
            switch encoding {
            case .png: return "PNG, \(bits) \(colour)"
            case .jpeg(let quality): return "JPEG (quality \(quality)), \(colour)"
            case .netpbm(let ascii):
                let name = channels >= 3 ? "PPM" : "PGM"
                return "\(name)\(ascii ? " (ASCII)" : ""), \(bits) \(colour)"
            }
        }
    }

    /// Every sample, drawn now, in the order the README lists them.
    public static func make() -> [Sample] {
        digitSamples() + [photoSample()] + patternSamples()
    }

    /// Paper and ink values on 0...1 (0 black, 1 white).
    private static let white: [Float] = [1], black: [Float] = [0], darkInk: [Float] = [0.08]

    /// The ten digits, each in its own style: dark ink on light paper and light on dark, thick and
    /// thin, off-centre, large and small, in colour, and in each encoding the inspector reads.
    static func digitSamples() -> [Sample] {
        struct Spec {
            let digit: Int, name: String, size: Int, style: DigitStyle, ink: [Float], paper: [Float]
            let encoding: Sample.Encoding, maxValue: Int, summary: String
        }
        let specs = [
            Spec(digit: 0, name: "dark-on-white", size: 96,
                 style: DigitStyle(shape: 0, thickness: 2.6, slant: 0.1, jitter: 0.04),
                 ink: darkInk, paper: white, encoding: .png, maxValue: 255,
                 summary: "dark ink on white paper, the usual size and pen"),
            Spec(digit: 1, name: "light-on-dark", size: 64,
                 style: DigitStyle(shape: 2, thickness: 2.4, slant: 0.15, jitter: 0.03),
                 ink: white, paper: black, encoding: .netpbm(ascii: false), maxValue: 255,
                 summary: "white ink on black, as MNIST stores its digits (a 1 with a flag and a base)"),
            Spec(digit: 2, name: "thick", size: 112,
                 style: DigitStyle(shape: 0, thickness: 4.2, slant: 0.05, jitter: 0.04),
                 ink: [0.05], paper: [0.9], encoding: .png, maxValue: 255,
                 summary: "a thick marker on light grey paper"),
            Spec(digit: 3, name: "off-centre", size: 128,
                 style: DigitStyle(shape: 0, thickness: 2.6, scale: 0.55, offsetX: -6, offsetY: -6, jitter: 0.04),
                 ink: darkInk, paper: white, encoding: .netpbm(ascii: false), maxValue: 255,
                 summary: "dark ink, small and far up and to the left of the middle"),
            Spec(digit: 4, name: "small-blue-pen", size: 160,
                 style: DigitStyle(shape: 0, thickness: 0.8, scale: 0.32, offsetX: 3, offsetY: 2, jitter: 0.04),
                 ink: [0.10, 0.20, 0.70], paper: [1, 1, 1], encoding: .png, maxValue: 255,
                 summary: "a small digit in blue ink on white, in colour, a little right of and below the middle"),
            Spec(digit: 5, name: "large", size: 80,
                 style: DigitStyle(shape: 0, thickness: 2.8, scale: 1.25, jitter: 0.04),
                 ink: [0.95], paper: [0.05], encoding: .netpbm(ascii: false), maxValue: 255,
                 summary: "light ink on dark, filling the whole frame"),
            Spec(digit: 6, name: "thin", size: 96,
                 style: DigitStyle(shape: 0, thickness: 1.4, slant: 0.1, jitter: 0.03),
                 ink: darkInk, paper: white, encoding: .png, maxValue: 255,
                 summary: "a thin pen, dark on white"),
            Spec(digit: 7, name: "crossbar", size: 64,
                 style: DigitStyle(shape: 1, thickness: 2.6, slant: 0.25, jitter: 0.04),
                 ink: white, paper: black, encoding: .netpbm(ascii: true), maxValue: 255,
                 summary: "light on dark, leaning right, with a crossbar (a plain-text PGM)"),
            Spec(digit: 8, name: "grey-on-grey", size: 96,
                 style: DigitStyle(shape: 2, thickness: 3.0, jitter: 0.04),
                 ink: [0.85], paper: [0.2], encoding: .png, maxValue: 65535,
                 summary: "light grey ink on dark grey, at 16 bits per pixel"),
            Spec(digit: 9, name: "wobbly", size: 100,
                 style: DigitStyle(shape: 0, thickness: 2.6, slant: 0.3, rotation: 0.1, jitter: 0.08, noise: 0.1),
                 ink: darkInk, paper: white, encoding: .netpbm(ascii: false), maxValue: 255,
                 summary: "an unsteady hand leaning right, dark on white, with a little noise"),
        ]
        return specs.map { spec in
            let canvas = drawDigit(spec.digit, style: spec.style, size: spec.size, seed: 7_000 + UInt64(spec.digit),
                                   ink: spec.ink, paper: spec.paper)
            return Sample(baseName: "digit-\(spec.digit)-\(spec.name)", kind: .digit, digit: spec.digit,
                          summary: spec.summary, encoding: spec.encoding, canvas: canvas, maxValue: spec.maxValue)
        }
    }

    /// A pencil 2 photographed on grey paper: uneven light, a shadow, noise, JPEG artefacts.
    static func photoSample() -> Sample {
        let style = DigitStyle(shape: 0, thickness: 2.0, slant: 0.15, rotation: -0.05, scale: 0.8, jitter: 0.05)
        let canvas = drawPhoto(digit: 2, style: style, width: 160, height: 120, seed: 7_100)
        return Sample(baseName: "photo-digit-2", kind: .photo, digit: 2,
                      summary: "a pencil 2 photographed on grey paper: light falling off to one corner, a shadow, "
                          + "noise and JPEG artefacts",
                      encoding: .jpeg(quality: 85), canvas: canvas, maxValue: 255)
    }

    /// The kernels' test patterns and the colour scene.
    static func patternSamples() -> [Sample] {
        [
            (drawBars(size: 96, bar: 12, vertical: true), "pattern-vertical-edges", Sample.Kind.pattern, 255,
             "dark and light bars 12 pixels wide, side by side: vertical edges (Sobel x finds them)"),
            (drawBars(size: 96, bar: 12, vertical: false), "pattern-horizontal-edges", .pattern, 255,
             "the same bars stacked: horizontal edges (Sobel y finds them)"),
            (drawCheckerboard(size: 96, cell: 12), "pattern-checkerboard", .pattern, 255,
             "black and white squares of 12 pixels, black in the top-left corner: edges both ways and corners"),
            (drawCircle(size: 96, radius: 32), "pattern-circle", .pattern, 255,
             "a white disc of radius 32 on black, its edge smoothed: an edge at every angle"),
            (drawGradient(width: 128, height: 64), "pattern-gradient", .pattern, 65535,
             "black to white from left to right, 16 bits per pixel: no edges, a steady slope"),
            (drawScene(width: 128, height: 96), "scene-rgb", .scene, 255,
             "a house, a hill and the sun under a blue sky, in colour: kernels applied per channel"),
        ].map { canvas, name, kind, maxValue, summary in
            Sample(baseName: name, kind: kind, digit: nil, summary: summary, encoding: .png, canvas: canvas,
                   maxValue: maxValue)
        }
    }

    // MARK: Files

    /// The sample's file contents.
    public static func encoded(_ sample: Sample) throws(ImageError) -> [UInt8] {
        switch sample.encoding {
        case .png: return try ImageEncoder.png(sample.image)
        case .jpeg(let quality): return try ImageEncoder.jpeg(sample.image, quality: quality)
        case .netpbm(let ascii): return ImageEncoder.netpbm(sample.image, ascii: ascii)
        }
    }

    /// Draws every sample and writes it, and the README, into `folder` (created if needed), each
    /// file atomically. Other files in the folder are left alone.
    /// - Returns: the samples written, in order.
    @discardableResult
    public static func generate(into folder: String) throws(ImageError) -> [Sample] {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ImageError("\(folder): cannot create the folder (\(reason(error)))")
        }
        let samples = make()
        for sample in samples {
            try ImageEncoder.write(try encoded(sample), to: (folder as NSString).appendingPathComponent(sample.fileName))
        }
        try ImageEncoder.write(Array(readme(for: samples).utf8), to: (folder as NSString).appendingPathComponent("README.md"))
        return samples
    }

    /// Foundation's reason for a file error, preferring the system's own words ("Permission denied").
    private static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return error.localizedDescription
    }

    /// One file of a sample folder as `convtutor samples` lists it.
    public struct ListedFile: Sendable {
        public let fileName: String
        /// The file's size in bytes.
        public let bytes: Int
        /// "96x96", or "?" when the file could not be read as an image.
        public let sizeText: String
        /// "digit 3", "photo of a 2", "pattern", "scene", or "image" for a file the generator does not make.
        public let kindText: String
        /// The format and what it shows ("PNG, 8-bit grey: dark ink on white paper, ..."), or the
        /// decoder's complaint.
        public let description: String
    }

    /// Every image file of `folder` (not the README, not hidden files), the generator's first in its
    /// order, then the others by name; each
    /// decoded to report its size and format; a file the generator makes also says what it shows.
    public static func listing(folder: String) throws(ImageError) -> [ListedFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { !$0.hasPrefix(".") && $0 != "README.md" }
                .sorted()
        } catch {
            throw ImageError("\(folder): cannot read the folder (\(reason(error)))")
        }
        let samples = make()
        let known = Dictionary(samples.map { ($0.fileName, $0) }, uniquingKeysWith: { first, _ in first })
        // The generator's files in its order (digits, photo, patterns), then any others by name.
        let order = Dictionary(samples.enumerated().map { ($0.element.fileName, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let ordered = names.sorted { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
        return ordered.map { name in
            let path = (folder as NSString).appendingPathComponent(name)
            let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            let sample = known[name]
            let kind: String
            switch sample?.kind {
            case .digit?: kind = "digit \(sample?.digit ?? 0)"
            case .photo?: kind = "photo of a \(sample?.digit ?? 0)"
            case .pattern?: kind = "pattern"
            case .scene?: kind = "scene"
            case nil: kind = "image"
            }
            do {
                let image = try ImageDecoder.decode(path: path)
                let format = sample?.formatDescription ?? image.detail
                return ListedFile(fileName: name, bytes: bytes, sizeText: "\(image.width)x\(image.height)", kindText: kind,
                                  description: sample.map { "\(format): \($0.summary)" } ?? format)
            } catch {
                return ListedFile(fileName: name, bytes: bytes, sizeText: "?", kindText: kind, description: "\(error)")
            }
        }
    }

    // MARK: The README

    /// The folder's README.md: what each file is and the command that made them.
    public static func readme(for samples: [Sample]) -> String {
        var lines = [
            "# Sample images",
            "",
            "Made by ConvTutor's own code (Sources/TutorApp/SampleImageSet.swift), from fixed seeds, with:",
            "",
            "    convtutor samples generate --output sample-images",
            "",
            "Do not edit them by hand: change the generator and run the command again (a test checks that",
            "the files here are what the generator makes, and that the pretrained LeNet-5 reads every digit",
            "right). Try one with `convtutor inspect sample-images/digit-3-off-centre.pgm`, or list them",
            "with `convtutor samples`.",
            "",
        ]
        let sections: [(String, [Sample.Kind])] = [
            ("Digits for the model", [.digit, .photo]),
            ("Patterns for kernels", [.pattern, .scene]),
        ]
        for (title, kinds) in sections {
            lines += ["## \(title)", "", "| file | size | format | what it shows |", "|---|---|---|---|"]
            for sample in samples where kinds.contains(sample.kind) {
                lines.append("| \(sample.fileName) | \(sample.image.width)x\(sample.image.height) | "
                    + "\(sample.formatDescription) | \(sample.summary) |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Finding the folder

    /// The sample-images folder (`ShippedFolder.find`: `CONVTUTOR_SAMPLE_IMAGES`, the installed
    /// `share/convtutor/sample-images`, the repository around the executable, the one this file was
    /// compiled from), or nil when none is found.
    public static func folder(environment: [String: String], executablePath: String) -> String? {
        folder(environment: environment, executablePath: executablePath, sourceFile: #filePath)
    }

    static func folder(environment: [String: String], executablePath: String, sourceFile: String) -> String? {
        ShippedFolder.find(folderName, variable: "CONVTUTOR_SAMPLE_IMAGES", environment: environment,
                           executablePath: executablePath, sourceFile: sourceFile)
    }
}
