extension GrayImage {
    /// The image at another size, each output pixel the area-weighted mean of the input pixels it covers (a box
    /// filter), up or down.
    public func resized(width newWidth: Int, height newHeight: Int) -> GrayImage {
        precondition(newWidth > 0 && newHeight > 0, "target size \(newWidth)x\(newHeight) must be at least 1x1")
        let resampler = AreaResampler(from: (width, height), to: (newWidth, newHeight))
        return GrayImage(width: newWidth, height: newHeight, pixels: resampler.resample(pixels))
    }
}
