extension PixelImage {
    /// Grey on the 0...1 scale (0 black, 1 white): colour by BT.601 luma, alpha composited over white.
    /// Made straight from the samples (a `Float` per pixel), never through a full colour copy.
    public func grayscale() -> GrayImage {
        if channels == 1 {
            let scale = 1 / Float(maxValue)
            return GrayImage(width: width, height: height, pixels: samples.map { Float($0) * scale })
        }
        let pixelCount = width * height
        let pixels = [Float](unsafeUninitializedCapacity: pixelCount) { pixels, initialized in
            samples.withUnsafeBufferPointer { samples in
                for pixel in 0..<pixelCount { pixels[pixel] = Luma.bt601(colour(pixel, samples)) }
            }
            initialized = pixelCount
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// Colour on the 0...1 scale; grey becomes equal red, green and blue; alpha is composited over white.
    public func rgb() -> RGBImage {
        let pixelCount = width * height
        var pixels = [SIMD3<Float>](repeating: .zero, count: pixelCount)
        samples.withUnsafeBufferPointer { samples in
            for pixel in 0..<pixelCount { pixels[pixel] = colour(pixel, samples) }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Colour as `rgb()` gives it, but no larger than `maximumSide` either way: a larger image is
    /// area-averaged down (as `rgb().resized(...)` would), one channel at a time, so a photo shown on
    /// a screen never costs a full-size colour copy (16 bytes a pixel).
    public func rgb(maximumSide: Int) -> RGBImage {
        precondition(maximumSide > 0, "maximum side \(maximumSide) must be at least 1")
        guard max(width, height) > maximumSide else { return rgb() }
        let longer = max(width, height)
        let targetWidth = max(1, (width * maximumSide + longer / 2) / longer)
        let targetHeight = max(1, (height * maximumSide + longer / 2) / longer)
        let resampler = AreaResampler(from: (width, height), to: (targetWidth, targetHeight))
        let pixelCount = width * height
        var planes: [[Float]] = []
        samples.withUnsafeBufferPointer { samples in
            for channel in 0..<3 {
                let plane = (0..<pixelCount).map { colour($0, samples)[channel] }
                planes.append(resampler.resample(plane))
            }
        }
        let pixels = (0..<targetWidth * targetHeight).map { SIMD3(planes[0][$0], planes[1][$0], planes[2][$0]) }
        return RGBImage(width: targetWidth, height: targetHeight, pixels: pixels)
    }

    /// Pixel `pixel`'s colour on 0...1, alpha composited over white.
    private func colour(_ pixel: Int, _ samples: UnsafeBufferPointer<UInt16>) -> SIMD3<Float> {
        let scale = 1 / Float(maxValue)
        let base = pixel * channels
        let colour: SIMD3<Float>
        if channels <= 2 {
            colour = SIMD3(repeating: Float(samples[base]) * scale)
        } else {
            colour = SIMD3(Float(samples[base]), Float(samples[base + 1]), Float(samples[base + 2])) * scale
        }
        guard hasAlpha else { return colour }
        let alpha = Float(samples[base + channels - 1]) * scale
        return colour * alpha + SIMD3(repeating: 1 - alpha)
    }
}
