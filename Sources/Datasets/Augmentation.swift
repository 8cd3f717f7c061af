import ConvKernels
import Foundation

/// Random distortions of training digits (`--augment`): a shift, a small rotation, a scaling and
/// pixel noise, drawn afresh for every image. No flips: a mirrored 2 or 7 is not a digit.
public struct Augmentation: Sendable, Hashable {
    /// The largest shift in pixels, each way.
    public var maximumShift: Float = 2
    /// The largest rotation in degrees, each way.
    public var maximumRotationDegrees: Float = 10
    /// The scale is drawn from `1 - maximumScaleChange ... 1 + maximumScaleChange`.
    public var maximumScaleChange: Float = 0.1
    /// The standard deviation of the Gaussian noise added, on the 0...1 pixel scale.
    public var noise: Float = 0.05

    public init() {}

    /// Writes the distorted, normalised image of `source` (bytes, `rows x columns`) into `destination`.
    ///
    /// The output pixel at (r, c) samples the source bilinearly at the inverse-transformed point
    /// around the image centre; points outside the image read as background (byte 0).
    func apply(_ source: UnsafeBufferPointer<UInt8>, rows: Int, columns: Int, lookup: UnsafeBufferPointer<Float>,
               into destination: UnsafeMutableBufferPointer<Float>, random: inout SeededRandom) {
        let angle = random.nextFloat(in: -maximumRotationDegrees..<maximumRotationDegrees) * Float.pi / 180
        let scale = random.nextFloat(in: (1 - maximumScaleChange)..<(1 + maximumScaleChange))
        let shiftRow = random.nextFloat(in: -maximumShift..<maximumShift)
        let shiftColumn = random.nextFloat(in: -maximumShift..<maximumShift)
        // The inverse map: rotate by -angle and divide by the scale.
        let cosine = cos(angle) / scale, sine = sin(angle) / scale
        let centreRow = Float(rows - 1) / 2, centreColumn = Float(columns - 1) / 2
        let background = lookup[0]
        // The lookup is affine in the intensity (byte / 255): value = lookup[0] + intensity * slope.
        let slope = lookup[255] - lookup[0]
        func byte(_ r: Int, _ c: Int) -> Float {
            (r >= 0 && r < rows && c >= 0 && c < columns) ? Float(source[r * columns + c]) / 255 : 0
        }
        for r in 0..<rows {
            let y = Float(r) - centreRow - shiftRow
            for c in 0..<columns {
                let x = Float(c) - centreColumn - shiftColumn
                let sourceRow = cosine * y - sine * x + centreRow
                let sourceColumn = sine * y + cosine * x + centreColumn
                let row0 = Int((sourceRow).rounded(.down)), column0 = Int((sourceColumn).rounded(.down))
                let fy = sourceRow - Float(row0), fx = sourceColumn - Float(column0)
                let top = byte(row0, column0) * (1 - fx) + byte(row0, column0 + 1) * fx
                let bottom = byte(row0 + 1, column0) * (1 - fx) + byte(row0 + 1, column0 + 1) * fx
                let intensity = top * (1 - fy) + bottom * fy
                var value = background + intensity * slope
                if noise > 0 { value += random.nextNormal() * noise * slope }
                destination[r * columns + c] = value
            }
        }
    }
}
