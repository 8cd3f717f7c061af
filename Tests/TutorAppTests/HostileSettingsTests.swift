import Foundation
import ConvKernels
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

/// Issue 13 on screen: a playground setting whose computation is over the budget is refused on the
/// status line and the previous settings stay; a failed progress save is shown in the player.
@Suite("Hostile settings on screen")
struct HostileSettingsTests {
    @Test("a kernel size that would record too many products is refused, the previous kernel kept")
    func playgroundRefusesOverBudget() {
        let input = GridStack(Array(repeating: [Float](repeating: 1, count: 400), count: 400))
        let spec = PlaygroundSpec(start: ConvSpec(input: input, kernels: [KernelPreset.identity.stack()]))
        let panel = PlaygroundPanel(spec: spec)
        #expect(panel.errorMessage == nil)
        let before = panel.spec
        panel.adjust(.kernelSize, by: 1)  // 3x3 -> 4x4: 397 x 397 windows of 16 products
        #expect(panel.spec == before)
        #expect(panel.errorMessage == nil, "the previous output stays valid")
        #expect(panel.message == "Refused, the previous setting is kept: input: stepping through this convolution would "
            + "record 2521744 products; a step is for following by hand, so keep it to at most 2000000 (a smaller input, "
            + "fewer filters or a smaller kernel)")
        var buffer = CellBuffer(width: 120, height: 30)
        panel.render(into: &buffer, area: buffer.area, capabilities: .full)
        #expect(buffer.lines.contains { $0.contains("Refused, the previous setting is kept") })
        // A change within the budget still works.
        panel.adjust(.kernelSize, by: -1)
        #expect(panel.spec.start.kernels[0].height == 2)
    }

    @Test("a progress save that fails is shown on the player's status line")
    func playerShowsSaveFailure() {
        var failure: String? = "Progress could not be saved: cannot replace /data/progress.json: Read-only file system"
        var saved: [LessonProgress] = []
        let lesson = Lesson(id: "two", title: "Two steps", steps: [
            LessonStep(title: "One", text: "First.", content: .text),
            LessonStep(title: "Two", text: "Second.", content: .text),
        ])
        let player = LessonPlayerScreen(lesson: lesson, progress: nil, record: { saved.append($0) }, saveError: { failure })
        #expect(player.saveProblem == nil)
        _ = player.handle(.right)
        #expect(!saved.isEmpty)
        #expect(player.saveProblem == failure)
        var buffer = CellBuffer(width: 100, height: 24)
        player.render(into: &buffer, area: buffer.area, capabilities: .full)
        #expect(buffer.lines.contains { $0.contains("Progress could not be saved: cannot replace /data/progress.json") })
        // The next save that works clears it.
        failure = nil
        _ = player.handle(.left)
        #expect(player.saveProblem == nil)
    }
}

@Suite("Progress problems where the learner is")
struct ProgressProblemTests {
    @Test("a lesson opened directly (convtutor lesson ID) shows why progress could not be loaded, and why it cannot be saved")
    func directlyOpenedPlayerShowsTheLoadWarning() throws {
        let (library, folder) = try LessonListTests.makeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ProgressStore(folder: folder + "/data")
        try FileManager.default.createDirectory(atPath: store.folder, withIntermediateDirectories: true)
        #expect(mkfifo(store.path, 0o600) == 0)
        let list = LessonListScreen(library: library, store: store)
        let player = try #require(list.player(forLessonID: "pixels"))
        let loadWarning = try #require(player.saveProblem)
        #expect(loadWarning.contains("is a FIFO (named pipe), not a regular file; it was not read"))
        #expect(LessonListTests.frame(player, width: 200).contains { $0.contains("is a FIFO (named pipe), not a regular file") })
        // The first save fails too (the FIFO is left alone), and says so in its place.
        _ = player.handle(.right)
        #expect(player.saveProblem?.contains("is a FIFO (named pipe), not a regular file, and is not replaced") == true)
    }
}
