extension PixelImage {
    /// Grey on the 0...1 scale (0 black, 1 white): colour by BT.601 luma, alpha composited over white.
    public func grayscale() -> GrayImage {
        if channels == 1 {
            let scale = 1 / Float(maxValue)
            return GrayImage(width: width, height: height, pixels: samples.map { Float($0) * scale })
        }
        return rgb().gray
    }

    /// Colour on the 0...1 scale; grey becomes equal red, green and blue; alpha is composited over white.
    public func rgb() -> RGBImage {
        let scale = 1 / Float(maxValue)
        let pixelCount = width * height
        var pixels = [SIMD3<Float>](repeating: .zero, count: pixelCount)
        samples.withUnsafeBufferPointer { samples in
            for pixel in 0..<pixelCount {
                let base = pixel * channels
                let colour: SIMD3<Float>
                if channels <= 2 {
                    colour = SIMD3(repeating: Float(samples[base]) * scale)
                } else {
                    colour = SIMD3(Float(samples[base]), Float(samples[base + 1]), Float(samples[base + 2])) * scale
                }
                if hasAlpha {
                    let alpha = Float(samples[base + channels - 1]) * scale
                    pixels[pixel] = colour * alpha + SIMD3(repeating: 1 - alpha)
                } else {
                    pixels[pixel] = colour
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
