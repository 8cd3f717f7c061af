import ConvKernels
import Imaging

extension ImageTrace {
    /// Traces an image step: the sample image through each kernel by the same path as a conv step
    /// (`Pad2d.forward`, then `Conv2d.forward` and the activation, one kernel at a time), without
    /// recording windows, so it takes the kernel's fast path; "same" padding splits as TensorFlow
    /// does, so even kernels work too.
    ///
    /// - Parameter lessonFolder: where the lesson file lives: an image file's path is relative to it.
    /// - Throws: `LessonError` on `image` for a name that is neither a built-in sample image (listing
    ///   them) nor a readable PNG, JPEG, PGM or PPM file, or on `kernel`/`kernels` and the other keys
    ///   as a conv step would.
    public init(spec: ImageSpec, lessonFolder: String?) throws(LessonError) {
        let image = try Self.input(spec.image, lessonFolder: lessonFolder)
        guard !spec.kernels.isEmpty else {
            throw LessonError(field: "kernels", message: "the step has no kernel; give `kernel` or `kernels` (grids or "
                + "presets: \(KernelPreset.namesList))")
        }
        var outputs: [GridStack] = []
        for (index, kernel) in spec.kernels.enumerated() {
            let conv = ConvSpec(input: image, kernels: [kernel], stride: spec.stride, padding: spec.padding,
                                paddingMode: spec.paddingMode, rule: .tensorflow, activation: spec.activation)
            do {
                let run = try StepTracer.convolve(conv, recordWindows: false)
                outputs.append(try StepTracer.activate(StepTracer.stack(run.sums), conv.activation, field: "activation"))
            } catch {
                guard spec.kernels.count > 1 else { throw error }
                var located = error
                if located.field == "kernel" { located.field = "kernels" }
                let name = kernel.presetName.map { " (\($0))" } ?? ""
                located.message = "kernel \(index + 1)\(name): " + located.message
                throw located
            }
        }
        self.init(spec: spec, image: image, outputs: outputs)
    }

    /// The longer side an image file is scaled to (area averaging, aspect ratio kept): heatmaps of
    /// the input and every kernel's output sit side by side in a panel.
    public static let fileImageSide = 48
    /// The largest image file a lesson may name: a photo fits, and it is scaled down to `fileImageSide`.
    public static let maximumImageFileBytes = 20_000_000

    /// A built-in sample image by name, or an image file (a path with a `/` or a `.`, relative to
    /// the lesson's folder) made grayscale and scaled to fit `fileImageSide`.
    static func input(_ name: String, lessonFolder: String?) throws(LessonError) -> GridStack {
        if let sample = SampleImage.make(name) { return sample }
        let names = SampleImage.names.joined(separator: ", ")
        guard name.contains("/") || name.contains(".") else {
            throw LessonError(field: "image", message: "'\(name)' is not a built-in sample image (the built-in images "
                + "are: \(names)), nor a file name (a PNG, JPEG, PGM or PPM path relative to the lesson)")
        }
        let path = name.hasPrefix("/") || lessonFolder == nil ? name : lessonFolder.map { $0 + "/" + name } ?? name
        // Only a regular file, read without blocking and within a size limit (a FIFO or /dev/zero
        // named in a lesson must not hang `lessons check`).
        let gray: GrayImage
        do {
            gray = try ImageDecoder.decode(path: path, limit: maximumImageFileBytes).grayscale()
        } catch {
            throw LessonError(field: "image", message: error.message + "; give a PNG, JPEG, PGM or PPM file relative "
                + "to the lesson, or a built-in sample image: \(names)")
        }
        let scale = Double(fileImageSide) / Double(max(gray.width, gray.height))
        let fitted = scale >= 1 ? gray : gray.resized(width: max(1, Int((Double(gray.width) * scale).rounded())),
                                                       height: max(1, Int((Double(gray.height) * scale).rounded())))
        let rows = (0..<fitted.height).map { row in (0..<fitted.width).map { fitted[row, $0] } }
        return GridStack(channels: [rows])
    }
}
