import Lessons
import TerminalUI

/// Makes the interactive panel of a lesson step: the one place that maps a step kind to its panel.
public enum StepPanelFactory {
    /// The panel for `step`: nil for a text step; a `TextPanel` with the error when the step's
    /// computation fails (`convtutor lessons check` reports the same error before a learner meets it).
    ///
    /// - Parameter lessonFolder: the folder of the lesson file, for paths the step names.
    public static func makePanel(for step: LessonStep, lessonFolder: String?) -> (any StepPanel)? {
        do {
            switch step.content {
            case .text:
                return nil
            case .conv(let spec):
                return ConvStepPanel(trace: try ConvTrace(spec: spec))
            case .pool(let spec):
                return PoolStepPanel(trace: try PoolTrace(spec: spec))
            case .activation(let spec):
                return ActivationPanel(trace: try ActivationTrace(spec: spec))
            case .pipeline(let spec):
                return PipelinePanel(trace: try PipelineTrace(spec: spec))
            case .quiz(let spec):
                return QuizPanel(spec: spec)
            case .playground(let spec):
                return PlaygroundPanel(spec: spec)
            case .image(let spec):
                return ImagePanel(trace: try ImageTrace(spec: spec, lessonFolder: lessonFolder))
            case .train(let spec):
                switch spec.task {
                case .kernel: return try KernelTrainingPanel(spec: spec)
                case .overfitting: return OverfittingPanel(spec: spec)
                }
            }
        } catch {
            return TextPanel.error(error.description)
        }
    }
}
