extension UnsafeBufferPointer {
    /// The first element's address. The kernels only hand non-empty buffers around (every shape
    /// is checked to have no empty dimension first), so an empty one is a programmer error.
    @inline(__always)
    var base: UnsafePointer<Element> {
        guard let address = baseAddress else { preconditionFailure("an empty buffer reached a kernel (count \(count))") }
        return address
    }
}

extension UnsafeMutableBufferPointer {
    /// The first element's address; see `UnsafeBufferPointer.base`.
    @inline(__always)
    var base: UnsafeMutablePointer<Element> {
        guard let address = baseAddress else { preconditionFailure("an empty buffer reached a kernel (count \(count))") }
        return address
    }
}
