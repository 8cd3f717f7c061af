import Testing
@testable import Imaging

@Suite struct ConversionTests {
    @Test func greyScalesByMaximum() {
        let image = PixelImage(width: 3, height: 1, channels: 1, maxValue: 1000, samples: [0, 250, 1000], format: .pgm, detail: "")
        #expect(image.grayscale().pixels == [0, 0.25, 1])
        let expected: [SIMD3<Float>] = [SIMD3(repeating: 0), SIMD3(repeating: 0.25), SIMD3(repeating: 1)]
        #expect(image.rgb().pixels == expected)
    }

    @Test func colourUsesBT601Luma() {
        let image = PixelImage(width: 4, height: 1, channels: 3, maxValue: 255,
                               samples: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255], format: .ppm, detail: "")
        let grey = image.grayscale().pixels
        let expected: [Float] = [0.299, 0.587, 0.114, 1]
        for (value, want) in zip(grey, expected) { #expect(abs(value - want) < 1e-6) }
        #expect(image.rgb().pixels[0] == SIMD3<Float>(1, 0, 0))
    }

    @Test func alphaIsCompositedOverWhite() {
        // RGBA: opaque red, transparent black (white), half-transparent black (mid grey).
        let image = PixelImage(width: 3, height: 1, channels: 4, maxValue: 65535,
                               samples: [65535, 0, 0, 65535, 0, 0, 0, 0, 0, 0, 0, 32768], format: .png, detail: "")
        let colour = image.rgb().pixels
        #expect(colour[0] == SIMD3<Float>(1, 0, 0))
        #expect(colour[1] == SIMD3<Float>(1, 1, 1))
        #expect(abs(colour[2].x - (1 - 32768.0 / 65535)) < 1e-6)
        let grey = image.grayscale().pixels
        #expect(abs(grey[0] - 0.299) < 1e-6 && grey[1] == 1)
        // Grey + alpha: grey 0 at alpha 0.25 → 0.75.
        let greyAlpha = PixelImage(width: 1, height: 1, channels: 2, maxValue: 4, samples: [0, 1], format: .png, detail: "")
        #expect(greyAlpha.grayscale().pixels == [0.75])
    }

    @Test func downscalingAveragesWholeBlocks() {
        let image = GrayImage(width: 4, height: 2, pixels: [0, 1, 0.5, 0.5,
                                                           1, 0, 0.25, 0.75])
        let half = image.resized(width: 2, height: 1)
        #expect(half.pixels == [0.5, 0.5])
        let one = image.resized(width: 1, height: 1)
        #expect(one.pixels == [0.5])
    }

    @Test func downscalingByAFractionWeighsPartialPixels() {
        // 3 → 2: output 0 covers [0, 1.5): pixel 0 fully, pixel 1 half → (a + b/2) / 1.5.
        let image = GrayImage(width: 3, height: 1, pixels: [0.3, 0.6, 0.9])
        let resized = image.resized(width: 2, height: 1)
        #expect(abs(resized.pixels[0] - (0.3 + 0.3) / 1.5) < 1e-6)
        #expect(abs(resized.pixels[1] - (0.3 + 0.9) / 1.5) < 1e-6)
    }

    @Test func upscalingRepeatsPixelsAndBlendsStraddles() {
        let image = GrayImage(width: 2, height: 1, pixels: [0, 1])
        #expect(image.resized(width: 4, height: 2).pixels == [0, 0, 1, 1, 0, 0, 1, 1])
        // 2 → 3: the middle output covers [2/3, 4/3): half of each.
        let three = image.resized(width: 3, height: 1).pixels
        #expect(three[0] == 0 && abs(three[1] - 0.5) < 1e-6 && three[2] == 1)
    }

    @Test func resizingKeepsTheMeanAndTheSizeIsRight() {
        let pixels = (0..<(37 * 23)).map { Float(($0 * 7919) % 101) / 100 }
        let image = GrayImage(width: 37, height: 23, pixels: pixels)
        let mean = pixels.reduce(0, +) / Float(pixels.count)
        for (w, h) in [(28, 28), (5, 3), (100, 61), (37, 23), (1, 1)] {
            let resized = image.resized(width: w, height: h)
            #expect(resized.width == w && resized.height == h)
            let newMean = resized.pixels.reduce(0, +) / Float(resized.pixels.count)
            #expect(abs(newMean - mean) < 1e-4, "\(w)x\(h)")
        }
        #expect(image.resized(width: 37, height: 23).pixels.elementsEqual(pixels) { abs($0 - $1) < 1e-6 })
    }

    @Test func colourResizeMatchesPerChannelGreyResize() {
        let pixels = (0..<(6 * 4)).map { SIMD3<Float>(Float($0) / 24, Float(($0 * 5) % 24) / 24, 0.5) }
        let image = RGBImage(width: 6, height: 4, pixels: pixels)
        let resized = image.resized(width: 4, height: 3)
        let red = GrayImage(width: 6, height: 4, pixels: pixels.map(\.x)).resized(width: 4, height: 3)
        #expect(resized.pixels.map(\.x) == red.pixels)
        #expect(resized.pixels.allSatisfy { abs($0.z - 0.5) < 1e-6 })
        #expect(abs(image.gray.pixels[1] - (0.299 * pixels[1].x + 0.587 * pixels[1].y + 0.114 * 0.5)) < 1e-6)
    }
}
