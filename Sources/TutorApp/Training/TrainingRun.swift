import Training
import Networks
import Datasets

/// One run the training screen shows: a trainer ready to start, its label (in the legend when two
/// runs are compared) and a line describing its data for the header.
public struct TrainingRun: Sendable {
    /// "modern", "classic", "dropout 0.5": how the legend names the run's curves.
    public var label: String
    /// The trainer at step 0 (or resumed); the screen starts it in a `TrainingSession`.
    public var trainer: Trainer
    /// "MNIST 55,000 train / 5,000 val / 10,000 test", "built-in digits 55,000 train / ...".
    public var dataset: String
    /// Where `w` and `q` write the run's checkpoint (`train --save FILE`); nil names one per step
    /// in the screen's checkpoint folder.
    public var savePath: String?
    /// Called with every event on the training thread (`train --log` writes its lines here); quick.
    public var onEvent: (@Sendable (TrainingEvent) -> Void)?

    public init(label: String, trainer: Trainer, dataset: String, savePath: String? = nil,
                onEvent: (@Sendable (TrainingEvent) -> Void)? = nil) {
        self.label = label
        self.trainer = trainer
        self.dataset = dataset
        self.savePath = savePath
        self.onEvent = onEvent
    }
}
