import Lessons
import TerminalUI

/// Makes the interactive panel of a lesson step (the lead takes this file over as more step kinds
/// get their panels).
public enum StepPanelFactory {
    /// The panel for `step`: nil for a text step; a `TextPanel` with the error when the step's
    /// computation fails, or saying so when this kind has no panel yet.
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
            default:
                return TextPanel(heading: "Not available yet",
                                 text: "This step kind (`\(step.kind.rawValue)`) is not available yet in this version "
                                    + "of ConvTutor. Press **Tab** to go on to the next step.")
            }
        } catch {
            return TextPanel.error(error.description)
        }
    }
}
