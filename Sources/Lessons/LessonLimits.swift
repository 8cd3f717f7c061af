import ConvKernels

/// The ranges a lesson's numbers are checked against when the file is read, so a value is never
/// trusted just because it is a whole number: every size, stride, padding, dilation and grid side
/// is at most `largestSide`, and the work a step asks of the kernels is checked against `budget`
/// before it runs (`StepTracer`).
public enum LessonLimits {
    /// The longest side of a grid, and the largest size, stride, padding or dilation a lesson may
    /// give. A lesson's grids are typed by hand and drawn on a terminal; 1000 is far beyond any of
    /// them, and sums and products of such numbers can never overflow.
    public static let largestSide = 1000
    static let largestSideReason = "a lesson's grids are at most \(largestSide) cells a side"
    /// The most channels in one stack of grids (an input or a filter).
    public static let largestChannelCount = 256
    /// The most steps a kernel-learning task may ask for (it runs live, a few hundred per second).
    public static let largestTrainingSteps = 100_000
    /// What one step's computation may cost (its windows recorded included).
    public static let budget = ResourceBudget.standard
}
