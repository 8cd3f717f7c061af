import CommonIO
import Foundation

/// Writes images: PNG, JPEG and Netpbm bytes, and files written atomically.
public enum ImageEncoder {
    /// PNG of 1-4 channels (grey, grey + alpha, RGB, RGBA). A maximum value of 255 or below is written as 8-bit
    /// samples, above as 16-bit (rescaled to 0...255 or 0...65535 when the image has another maximum); `interlaced`
    /// writes Adam7.
    public static func png(_ image: PixelImage, interlaced: Bool = false) throws(ImageError) -> [UInt8] {
        try PNGCodec.encode(image, interlaced: interlaced)
    }

    /// Baseline (or `progressive`) JPEG, 8-bit grey for grey images and RGB for colour ones; alpha is composited over
    /// white and other maxima rescaled to 0...255. `quality` is libjpeg's 1...100.
    public static func jpeg(_ image: PixelImage, quality: Int = 92, progressive: Bool = false) throws(ImageError) -> [UInt8] {
        try JPEGCodec.encode(image, quality: quality, progressive: progressive)
    }

    /// PGM (grey, grey + alpha) or PPM (RGB, RGBA), binary (P5/P6) or ASCII (P2/P3), keeping the image's own maximum
    /// value. Netpbm has no alpha: it is composited over white first.
    public static func netpbm(_ image: PixelImage, ascii: Bool = false) -> [UInt8] {
        NetpbmCodec.encode(image, ascii: ascii)
    }

    /// Atomic: a temporary file in the same folder, then a rename, so a crash leaves the old file or the new one.
    public static func write(_ bytes: [UInt8], to path: String) throws(ImageError) {
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw ImageError("\(path): \(error.reason)")
        }
    }
}
