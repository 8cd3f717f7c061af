import Foundation
import Lessons
import Testing
import TerminalUI
@testable import TutorApp

@Suite("Lesson steps: nothing cut at the side")
struct LessonStepWidthTests {
    /// The width the player gives a step's panel content at a screen width: the text takes two
    /// fifths (30 to 60 columns), the panel the rest, less its frame and a column each side.
    static func panelContentWidth(screenWidth: Int) -> Int {
        screenWidth - min(60, max(30, screenWidth * 2 / 5)) - 4
    }

    @Test("every built-in step at 80x24 and 100x30, colour and ASCII, at its end: no row cut at the panel's side without a marker")
    func builtInStepsKeepTheirRows() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("lessons").path
        let library = LessonLibrary.load(sources: [LessonSource(folder: folder, isBuiltIn: true)])
        let modes = [TerminalCapabilities.full, TerminalCapabilities(colors: .monochrome, glyphs: .ascii)]
        var checked = 0
        for lesson in library.lessons {
            let (player, _) = LessonPlayerTests.player(lesson: lesson)
            for index in lesson.steps.indices {
                _ = player.handle(.enter)
                if player.stepIndex != index { _ = player.handle(.backTab) }
                if let panel = player.panel {
                    for screenWidth in [80, 100] {
                        for capabilities in modes {
                            let width = Self.panelContentWidth(screenWidth: screenWidth)
                            let cut = SideClipping.cutRows(width: width, height: 120) { buffer, area in
                                panel.render(into: &buffer, area: area, capabilities: capabilities)
                            }
                            #expect(cut.isEmpty, "\(lesson.id) step \(index + 1) at \(screenWidth) columns (\(capabilities.glyphs)): rows cut \(cut)")
                            checked += 1
                        }
                    }
                }
                _ = player.handle(.tab)
            }
        }
        #expect(checked > 100)
    }

    @Test("the detector finds a row cut at the side, and lets wrapped text and a marked row be")
    func theDetectorFindsACut() {
        let grid = SideClipping.cutRows(width: 10, height: 3) { buffer, area in
            buffer.write("1 2 3 4 5 6 7 8", x: area.x, y: area.y, clip: area)
        }
        #expect(grid.map(\.row) == [0])
        let wrapped = SideClipping.cutRows(width: 10, height: 3) { buffer, area in
            StyledText("one two three four").render(in: area, into: &buffer, capabilities: .full)
        }
        #expect(wrapped.isEmpty)
        let marked = SideClipping.cutRows(width: 10, height: 3) { buffer, area in
            let text = area.width < 15 ? "1 2 3 4 5…" : "1 2 3 4 5 6 7 8"
            buffer.write(text, x: area.x, y: area.y, clip: area)
        }
        #expect(marked.isEmpty)
    }
}
