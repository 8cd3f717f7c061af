// libFuzzer entry point for the image decoders: any bytes must give a PixelImage or an ImageError, never a crash,
// an exit, a hang or a memory error (the build adds AddressSanitizer). Compiled into the Imaging module by
// tools/fuzz-imaging.sh; not part of the package.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let image = try? ImageDecoder.decode(bytes: bytes, name: "fuzz-input") else { return 0 }
    // Whatever decodes must also survive the conversions the inspector applies next (kept small so each run is fast).
    if image.width * image.height <= 1 << 16 {
        _ = image.grayscale().resized(width: 28, height: 28)
        _ = image.rgb().resized(width: 5, height: 3)
        _ = ImageEncoder.netpbm(image)
    }
    return 0
}
