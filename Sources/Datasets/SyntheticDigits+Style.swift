import ConvKernels

/// How one synthetic digit is written: which of the digit's shapes, the pen, the lean, the size and
/// place in the field, how unsteady the hand is, and how noisy the scan.
///
/// Lengths are in pixels of a 28 x 28 image (they scale with the image when it is rendered at
/// another size). `DigitStyle()` is an upright, centred, clean digit of MNIST's size.
public struct DigitStyle: Sendable, Hashable {
    /// Which of the digit's shapes is drawn, taken modulo the number it has
    /// (`SyntheticDigits.shapeCount(of:)`: a 1 plain, flagged, or flagged with a base; a 4 closed
    /// or open; a 7 with or without a crossbar; a 2 with or without a loop; ...).
    public var shape: Int
    /// The pen's width in pixels (MNIST's strokes are about 2 to 4).
    public var thickness: Float
    /// The lean, as a shear: how far the top moves right per unit of height (0.2 leans about 11
    /// degrees to the right; negative leans left).
    public var slant: Float
    /// A turn of the whole digit, in radians; positive turns clockwise on screen.
    public var rotation: Float
    /// The size: 1 fits the digit's longer side, ink included, into 20 pixels as MNIST does.
    public var scale: Float
    /// Widens (above 1) or narrows (below 1) the digit before it is fitted.
    public var width: Float
    /// How far the digit's centre of mass is moved from the middle of the field, in pixels
    /// (positive is right).
    public var offsetX: Float
    /// How far the digit's centre of mass is moved from the middle of the field, in pixels
    /// (positive is down).
    public var offsetY: Float
    /// The unsteadiness of the hand, 0 or more: how far a smooth random displacement field moves
    /// the pen path's control points, as a fraction of the digit's height (0 draws the shape
    /// exactly; 0.05 is a visible wobble). The curves' inner controls also move on their own, and
    /// the strokes of a multi-stroke digit against each other, by up to 0.8 of this.
    public var jitter: Float
    /// The scan's noise, 0...1: ink pixels lose up to this fraction of their intensity at random,
    /// and about `40 * noise` specks (up to `2 * noise` of full ink) fall on a 28 x 28 field.
    public var noise: Float
    /// The ink's peak intensity, 0...1 (1 is 255).
    public var ink: Float

    /// A style; the defaults are an upright, centred, clean digit of MNIST's size and stroke.
    public init(shape: Int = 0, thickness: Float = 2.6, slant: Float = 0, rotation: Float = 0, scale: Float = 1,
                width: Float = 1, offsetX: Float = 0, offsetY: Float = 0, jitter: Float = 0, noise: Float = 0,
                ink: Float = 1) {
        self.shape = shape
        self.thickness = thickness
        self.slant = slant
        self.rotation = rotation
        self.scale = scale
        self.width = width
        self.offsetX = offsetX
        self.offsetY = offsetY
        self.jitter = jitter
        self.noise = noise
        self.ink = ink
    }

    /// A style drawn from the variation the built-in dataset uses: any shape, pens from thin to
    /// thick, leaning either way (more often right), turned a little, 75-105% of MNIST's size,
    /// narrower or wider, off centre by about a pixel, a wobbly hand and a little noise.
    public static func random(using random: inout SeededRandom) -> DigitStyle {
        DigitStyle(
            // 60 is a multiple of every digit's shape count, so each digit's shapes are equally likely.
            shape: Int(random.next() % 60),
            thickness: random.nextFloat(in: 1.3..<4.2),
            slant: clamp(random.nextNormal(mean: 0.1, standardDeviation: 0.25), -0.5, 0.7),
            rotation: clamp(random.nextNormal(standardDeviation: 0.15), -0.4, 0.4),
            scale: random.nextFloat(in: 0.75..<1.05),
            width: random.nextFloat(in: 0.7..<1.3),
            offsetX: clamp(random.nextNormal(standardDeviation: 0.6), -1.5, 1.5),
            offsetY: clamp(random.nextNormal(standardDeviation: 0.6), -1.5, 1.5),
            jitter: random.nextFloat(in: 0.02..<0.1),
            noise: random.nextFloat(in: 0..<0.15),
            ink: random.nextFloat(in: 0.85..<1))
    }

    private static func clamp(_ value: Float, _ low: Float, _ high: Float) -> Float {
        min(max(value, low), high)
    }
}
