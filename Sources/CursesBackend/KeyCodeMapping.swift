import CNcursesw
import TerminalUI

/// What a code from `wget_wch` means as a `KeyEvent`. Mouse events and resizes need the terminal
/// (to read the event, to learn the new size), so `CursesTerminal` handles `KEY_MOUSE` and
/// `KEY_RESIZE` itself; every other code is mapped here. nil: a key the screens do not use.
enum KeyCodeMapping {
    /// A character (`wget_wch` returned `OK`): text, or a control character.
    static func event(forCharacter code: UInt32) -> KeyEvent? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        // Ctrl-A ... Ctrl-Z, less those that are the keys above (Ctrl-H, I, J, M).
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(code) + 96)))
        case 0x20..<0x7F: return .character(Character(Unicode.Scalar(UInt8(code))))
        case 0xA0...:
            // Unicode.Scalar refuses surrogates and values past U+10FFFF.
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        default:
            // NUL (Ctrl-Space), Ctrl-\ ] ^ _, and the C1 controls 0x80-0x9F.
            return nil
        }
    }

    /// A key code (`wget_wch` returned `KEY_CODE_YES`).
    static func event(forKeyCode code: Int32) -> KeyEvent? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        // The keypad's corners (KEY_A1 ...) are Home, PageUp, End and PageDown on most keyboards.
        case KEY_HOME, KEY_A1: return .home
        case KEY_END, KEY_C1: return .end
        case KEY_PPAGE, KEY_A3: return .pageUp
        case KEY_NPAGE, KEY_C3: return .pageDown
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case cn_key_f(1)...cn_key_f(12): return .function(Int(code - cn_key_f(0)))
        default: return nil
        }
    }
}
