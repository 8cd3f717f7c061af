import ConvKernels

/// How large an output the grid commands and `compute` agree to make. A few numbers typed on a
/// command line can ask for a huge convolution (a padding of a million makes a 2-million-square
/// output); that gets a message naming the size, not an attempt to allocate terabytes.
public enum OutputLimit {
    /// 64 Mi values: 256 MB of floats.
    public static let maximumValues = 1 << 26

    /// Throws when the convolution's output would hold more than `maximumValues` values.
    public static func check(_ geometry: Conv2dGeometry) throws(KernelError) {
        let shape = geometry.outputShape
        guard let count = geometry.outputCount, count <= maximumValues else {
            let size = geometry.outputCount.map { "\($0) values" } ?? "more values than can be counted"
            throw KernelError("conv2d output of shape \(shape) would hold \(size); at most \(maximumValues) are accepted "
                + "(is the padding or the input much larger than intended?)")
        }
    }
}
