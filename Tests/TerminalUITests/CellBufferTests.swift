import Testing
import TerminalUI

@Suite("Cell buffer")
struct CellBufferTests {
    @Test("text is written from a point, clipped to the buffer and to a clip rectangle")
    func writeAndClip() {
        var buffer = CellBuffer(width: 8, height: 2)
        buffer.write("hello world", x: 2, y: 0)
        buffer.write("abc", x: -1, y: 1)
        buffer.write("zzz", x: 5, y: 1, clip: Rect(x: 0, y: 0, width: 6, height: 2))
        #expect(buffer.lines == ["  hello", "bc   z"])
        buffer.write("x", x: 0, y: 5)  // outside: nothing happens
        #expect(buffer[100, 100] == .blank)
    }

    @Test("control characters are drawn as spaces, never sent to the terminal")
    func controlCharacters() {
        var buffer = CellBuffer(width: 4, height: 1)
        buffer.write("a\u{1B}b\t", x: 0, y: 0)
        #expect(buffer.line(0) == "a b ")
    }

    @Test("the diff holds exactly the changed cells; a size change redraws everything")
    func diff() {
        var before = CellBuffer(width: 4, height: 2)
        before.write("ab", x: 0, y: 0)
        var after = before
        after.write("X", x: 1, y: 1, style: .bold)
        after.write("a", x: 0, y: 0)  // unchanged
        #expect(after.changes(since: before) == [CellChange(x: 1, y: 1, cell: Cell("X", style: .bold))])
        #expect(after.changes(since: after).isEmpty)
        #expect(after.changes(since: nil).count == 8)
        #expect(after.changes(since: CellBuffer(width: 3, height: 2)).count == 8)
    }

    @Test("rectangles split, inset, centre and intersect without going negative")
    func rects() {
        let area = Rect(x: 0, y: 0, width: 80, height: 24)
        let (top, rest) = area.splitTop(3)
        #expect(top == Rect(x: 0, y: 0, width: 80, height: 3) && rest == Rect(x: 0, y: 3, width: 80, height: 21))
        #expect(area.splitBottom(100).rest.height == 0)
        #expect(Rect(x: 0, y: 0, width: 1, height: 1).inset(by: 2).isEmpty)
        #expect(area.centred(width: 20, height: 4) == Rect(x: 30, y: 10, width: 20, height: 4))
        #expect(area.intersection(Rect(x: 70, y: 20, width: 20, height: 20)) == Rect(x: 70, y: 20, width: 10, height: 4))
    }

    @Test("the in-memory backend applies changes and hands out queued keys")
    func inMemoryBackend() {
        let backend = InMemoryBackend(width: 5, height: 1)
        var frame = CellBuffer(width: 5, height: 1)
        frame.write("hi", x: 0, y: 0)
        backend.draw(frame.changes(since: nil))
        #expect(backend.screen.lines == ["hi"])
        backend.pendingEvents = [.character("q")]
        #expect(backend.nextEvent(timeout: 0) == .character("q"))
        #expect(backend.nextEvent(timeout: 0) == nil && backend.inputClosed)
    }
}
