import Testing
import TerminalUI
@testable import CursesBackend

@Suite("Curses colour depth")
struct CursesColorDepthTests {
    @Test("the nearest basic colour, by squared RGB distance to xterm's defaults")
    func nearestBasic() {
        // Dark blue: blue (0,0,238) is 110 away, black 128.
        #expect(CursesColorDepth.nearestBasicColor(red: 0, green: 0, blue: 128, count: 8) == 4)
        // Mid grey: among 8, white (229 each: 3 x 101^2 = 30603) beats black (3 x 128^2 = 49152);
        // yellow, magenta and cyan (77^2 + 77^2 + 128^2 = 28242) are nearer but not greys.
        // Among 16, bright black (127 each) is 3 away.
        #expect(CursesColorDepth.nearestBasicColor(red: 128, green: 128, blue: 128, count: 8) == 7)
        #expect(CursesColorDepth.nearestBasicColor(red: 128, green: 128, blue: 128, count: 16) == 8)
        #expect(CursesColorDepth.nearestBasicColor(red: 60, green: 50, blue: 40, count: 8) == 0)
        // Past the grey limit (spread 30): a colour, and yellow (55^2 + 55^2 + 120^2 = 20450) beats
        // white (79^2 + 79^2 + 109^2 = 24363).
        #expect(CursesColorDepth.nearestBasicColor(red: 150, green: 150, blue: 120, count: 8) == 3)
        // Spread 24 still counts as grey: white (89^2 x 2 + 113^2 = 28611) although yellow is 21906.
        #expect(CursesColorDepth.nearestBasicColor(red: 140, green: 140, blue: 116, count: 8) == 7)
        #expect(CursesColorDepth.nearestBasicColor(red: 255, green: 0, blue: 0, count: 8) == 1)
        #expect(CursesColorDepth.nearestBasicColor(red: 255, green: 0, blue: 0, count: 16) == 9)
        #expect(CursesColorDepth.nearestBasicColor(red: 0, green: 0, blue: 0, count: 16) == 0)
        #expect(CursesColorDepth.nearestBasicColor(red: 250, green: 250, blue: 250, count: 16) == 15)
        // Orange (255,165,0): yellow (205,205,0) is 50^2 + 40^2 = 4100 away, red 1 (205,0,0) 29725.
        #expect(CursesColorDepth.nearestBasicColor(red: 255, green: 165, blue: 0, count: 8) == 3)
    }

    @Test("256 colours: palette entries as they are, RGB to the nearest cube or grey entry")
    func palette256() {
        let depth = CursesColorDepth.palette256
        #expect(depth.cursesColor(.indexed(4), defaultColor: -1) == 4)
        #expect(depth.cursesColor(.indexed(200), defaultColor: -1) == 200)
        #expect(depth.cursesColor(.rgb(255, 0, 0), defaultColor: -1) == 196)
        #expect(depth.cursesColor(.rgb(128, 128, 128), defaultColor: -1) == 244)
        #expect(depth.cursesColor(.terminalDefault, defaultColor: -1) == -1)
        #expect(depth.colorMode == .palette256)
    }

    @Test("8 and 16 colours: bright entries fold onto the normal ones on 8; the rest go to the nearest")
    func basic() {
        let eight = CursesColorDepth.basic(count: 8)
        let sixteen = CursesColorDepth.basic(count: 16)
        #expect(eight.cursesColor(.indexed(3), defaultColor: -1) == 3)
        #expect(eight.cursesColor(.indexed(9), defaultColor: -1) == 1)
        #expect(sixteen.cursesColor(.indexed(9), defaultColor: -1) == 9)
        // Entry 196 is (255, 0, 0).
        #expect(eight.cursesColor(.indexed(196), defaultColor: -1) == 1)
        #expect(sixteen.cursesColor(.indexed(196), defaultColor: -1) == 9)
        // Entry 21 is (0, 0, 255): blue (0,0,238) on 8; on 16, bright blue (92,92,255) is 92^2 x 2 away,
        // blue 17^2.
        #expect(sixteen.cursesColor(.indexed(21), defaultColor: -1) == 4)
        #expect(eight.cursesColor(.rgb(0, 200, 0), defaultColor: -1) == 2)
        // Without default colours, the default is whatever the caller says it is.
        #expect(eight.cursesColor(.terminalDefault, defaultColor: 7) == 7)
        #expect(eight.colorMode == .palette256)
    }

    @Test("direct colour: 0xRRGGBB; the eight basic entries stay basic; numbers below 8 become 8")
    func direct() {
        let depth = CursesColorDepth.direct
        #expect(depth.cursesColor(.rgb(0x12, 0x34, 0x56), defaultColor: -1) == 0x123456)
        #expect(depth.cursesColor(.rgb(255, 255, 255), defaultColor: -1) == 0xFFFFFF)
        #expect(depth.cursesColor(.rgb(0, 0, 0), defaultColor: -1) == 8)
        #expect(depth.cursesColor(.rgb(0, 0, 7), defaultColor: -1) == 8)
        #expect(depth.cursesColor(.rgb(0, 0, 9), defaultColor: -1) == 9)
        #expect(depth.cursesColor(.indexed(4), defaultColor: -1) == 4)
        #expect(depth.cursesColor(.indexed(196), defaultColor: -1) == 0xFF0000)
        #expect(depth.cursesColor(.indexed(244), defaultColor: -1) == 0x808080)
        #expect(depth.cursesColor(.indexed(9), defaultColor: -1) == 0xFF0000)
        #expect(depth.cursesColor(.terminalDefault, defaultColor: -1) == -1)
        #expect(depth.colorMode == .direct)
    }

    @Test("no colour: every colour is the default")
    func monochrome() {
        let depth = CursesColorDepth.monochrome
        #expect(depth.cursesColor(.rgb(255, 0, 0), defaultColor: -1) == -1)
        #expect(depth.cursesColor(.indexed(3), defaultColor: -1) == -1)
        #expect(depth.colorMode == .monochrome)
    }
}
