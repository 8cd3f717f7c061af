import CNcursesw
import Testing
import TerminalUI
@testable import CursesBackend

@Suite("Curses key codes")
struct KeyCodeMappingTests {
    @Test("the keys that share a control code with Ctrl-H, I, J, M and [ come out as those keys")
    func namedControlCharacters() {
        #expect(KeyCodeMapping.event(forCharacter: 9) == .tab)
        #expect(KeyCodeMapping.event(forCharacter: 10) == .enter)
        #expect(KeyCodeMapping.event(forCharacter: 13) == .enter)
        #expect(KeyCodeMapping.event(forCharacter: 27) == .escape)
        #expect(KeyCodeMapping.event(forCharacter: 8) == .backspace)
        #expect(KeyCodeMapping.event(forCharacter: 127) == .backspace)
    }

    @Test("other control codes 1-26 are Ctrl with a lower-case letter; raw mode delivers Ctrl-C as 3")
    func controlLetters() {
        #expect(KeyCodeMapping.event(forCharacter: 1) == .control("a"))
        #expect(KeyCodeMapping.event(forCharacter: 3) == .control("c"))
        #expect(KeyCodeMapping.event(forCharacter: 17) == .control("q"))
        #expect(KeyCodeMapping.event(forCharacter: 26) == .control("z"))
    }

    @Test("printable characters arrive as typed, ASCII or not")
    func printable() {
        #expect(KeyCodeMapping.event(forCharacter: 0x71) == .character("q"))
        #expect(KeyCodeMapping.event(forCharacter: 0x51) == .character("Q"))
        #expect(KeyCodeMapping.event(forCharacter: 0x20) == .character(" "))
        #expect(KeyCodeMapping.event(forCharacter: 0x7E) == .character("~"))
        #expect(KeyCodeMapping.event(forCharacter: 0xE9) == .character("é"))
        #expect(KeyCodeMapping.event(forCharacter: 0x20AC) == .character("€"))
    }

    @Test("codes no screen uses are dropped: NUL, Ctrl-\\ to Ctrl-_, C1 controls, non-characters")
    func unused() {
        #expect(KeyCodeMapping.event(forCharacter: 0) == nil)
        for code: UInt32 in 28...31 { #expect(KeyCodeMapping.event(forCharacter: code) == nil) }
        #expect(KeyCodeMapping.event(forCharacter: 0x80) == nil)
        #expect(KeyCodeMapping.event(forCharacter: 0x9F) == nil)
        #expect(KeyCodeMapping.event(forCharacter: 0xD800) == nil)  // a surrogate
        #expect(KeyCodeMapping.event(forCharacter: 0x110000) == nil)  // past Unicode
    }

    @Test("curses key codes: arrows, paging, editing keys, Shift-Tab")
    func keyCodes() {
        let expected: [(Int32, KeyEvent)] = [
            (KEY_UP, .up), (KEY_DOWN, .down), (KEY_LEFT, .left), (KEY_RIGHT, .right),
            (KEY_HOME, .home), (KEY_END, .end), (KEY_PPAGE, .pageUp), (KEY_NPAGE, .pageDown),
            (KEY_A1, .home), (KEY_C1, .end), (KEY_A3, .pageUp), (KEY_C3, .pageDown),
            (KEY_ENTER, .enter), (KEY_BACKSPACE, .backspace), (KEY_DC, .delete), (KEY_BTAB, .backTab),
        ]
        for (code, event) in expected {
            #expect(KeyCodeMapping.event(forKeyCode: code) == event, "key code \(code)")
        }
    }

    @Test("function keys F1 to F12; shifted ones (F13 and up) are not used")
    func functionKeys() {
        for number in 1...12 {
            #expect(KeyCodeMapping.event(forKeyCode: cn_key_f(Int32(number))) == .function(number))
        }
        #expect(KeyCodeMapping.event(forKeyCode: cn_key_f(0)) == nil)
        #expect(KeyCodeMapping.event(forKeyCode: cn_key_f(13)) == nil)
    }

    @Test("mouse and resize codes are left to the terminal, which reads the event and the size")
    func terminalHandledCodes() {
        #expect(KeyCodeMapping.event(forKeyCode: KEY_MOUSE) == nil)
        #expect(KeyCodeMapping.event(forKeyCode: KEY_RESIZE) == nil)
        #expect(KeyCodeMapping.event(forKeyCode: KEY_IC) == nil)
    }
}
