import ConvKernels

extension ImageTrace {
    /// Traces an image step: the sample image through each kernel by the same path as a conv step
    /// (`Pad2d.forward`, then `Conv2d.forward` and the activation, one kernel at a time), without
    /// recording windows, so it takes the kernel's fast path; "same" padding splits as TensorFlow
    /// does, so even kernels work too.
    ///
    /// - Parameter lessonFolder: where the lesson file lives; reserved for image files, which are
    ///   not supported yet (they come with the image inspector).
    /// - Throws: `LessonError` on `image` for a name that is not a built-in sample image (listing
    ///   them), or on `kernel`/`kernels` and the other keys as a conv step would.
    public init(spec: ImageSpec, lessonFolder: String?) throws(LessonError) {
        guard let image = SampleImage.make(spec.image) else {
            let names = SampleImage.names.joined(separator: ", ")
            let looksLikeFile = spec.image.contains("/") || spec.image.contains(".")
            throw LessonError(field: "image", message: looksLikeFile
                ? "image files such as '\(spec.image)' are not supported yet; use a built-in sample image: \(names)"
                : "'\(spec.image)' is not a built-in sample image; the built-in images are: \(names)")
        }
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
}
