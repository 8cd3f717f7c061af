import Testing
import TerminalUI

@Suite("Colour scales and mappings")
struct ColorScaleTests {
    typealias RGB = (red: UInt8, green: UInt8, blue: UInt8)

    func same(_ a: RGB, _ b: RGB) -> Bool { a.red == b.red && a.green == b.green && a.blue == b.blue }

    @Test("sequential is matplotlib's viridis: #440154 at 0, #FDE725 at 1, next to entry 128 at 0.5")
    func sequentialWorkedValues() {
        #expect(same(ColorScale.sequential.rgb(at: 0), (68, 1, 84)))
        #expect(same(ColorScale.sequential.rgb(at: 1), (253, 231, 37)))
        // 0.5 is entry 127.5 of 256: 31/32 of the way from entry 112 (0.149039, 0.508051, 0.557250)
        // to entry 128 (0.127568, 0.566949, 0.550556): (0.128239, 0.565108, 0.550765) * 255.
        #expect(same(ColorScale.sequential.rgb(at: 0.5), (33, 144, 140)))
        // Entry 191 (0.360741, 0.785964, 0.387814) is a control point: #5CC863.
        #expect(same(ColorScale.sequential.rgb(at: 191.0 / 255), (92, 200, 99)))
    }

    @Test("diverging runs blue, white at the middle, red; greyscale black to white")
    func divergingAndGreyscaleWorkedValues() {
        #expect(same(ColorScale.diverging.rgb(at: 0), (59, 76, 192)))
        #expect(same(ColorScale.diverging.rgb(at: 0.25), (141, 176, 254)))
        #expect(same(ColorScale.diverging.rgb(at: 0.5), (255, 255, 255)))
        #expect(same(ColorScale.diverging.rgb(at: 1), (180, 4, 38)))
        // A fifth of the way from the light blue to white: (141, 176, 254) + 0.2 * (114, 79, 1).
        #expect(same(ColorScale.diverging.rgb(at: 0.3), (164, 192, 254)))
        #expect(same(ColorScale.greyscale.rgb(at: 0), (0, 0, 0)))
        #expect(same(ColorScale.greyscale.rgb(at: 0.5), (128, 128, 128)))
        #expect(same(ColorScale.greyscale.rgb(at: 1), (255, 255, 255)))
    }

    @Test("positions outside 0...1 are clamped and NaN counts as 0")
    func clampedPositions() {
        for scale in ColorScale.allCases {
            #expect(same(scale.rgb(at: -3), scale.rgb(at: 0)))
            #expect(same(scale.rgb(at: 7), scale.rgb(at: 1)))
            #expect(same(scale.rgb(at: .nan), scale.rgb(at: 0)))
        }
    }

    @Test("the nearest xterm-256 entry of known colours")
    func nearestPaletteEntries() {
        #expect(TerminalColor.nearestPaletteIndex(red: 255, green: 0, blue: 0) == 196)
        #expect(TerminalColor.nearestPaletteIndex(red: 255, green: 255, blue: 255) == 231)
        #expect(TerminalColor.nearestPaletteIndex(red: 0, green: 0, blue: 0) == 16)
        #expect(TerminalColor.nearestPaletteIndex(red: 0, green: 0, blue: 255) == 21)
        #expect(TerminalColor.nearestPaletteIndex(red: 255, green: 255, blue: 0) == 226)
        #expect(TerminalColor.nearestPaletteIndex(red: 255, green: 0, blue: 255) == 201)
        // Mid grey is on the grey ramp exactly: 8 + 10 * 12 = 128, entry 232 + 12.
        #expect(TerminalColor.nearestPaletteIndex(red: 128, green: 128, blue: 128) == 244)
        #expect(TerminalColor.nearestPaletteIndex(red: 130, green: 126, blue: 129) == 244)
        // (95, 135, 175) is a cube colour: 16 + 36 * 1 + 6 * 2 + 3.
        #expect(TerminalColor.nearestPaletteIndex(red: 95, green: 135, blue: 175) == 67)
        // Viridis' dark end (68, 1, 84): cube (95, 0, 95) is 851 away, grey 48 is 3905 away.
        #expect(TerminalColor.nearestPaletteIndex(red: 68, green: 1, blue: 84) == 53)
        // Viridis' yellow end (253, 231, 37): cube (255, 215, 0).
        #expect(TerminalColor.nearestPaletteIndex(red: 253, green: 231, blue: 37) == 220)
    }

    @Test("every palette entry from 16 on is its own nearest entry")
    func paletteRoundTrip() {
        for index in 16...255 {
            let (red, green, blue) = TerminalColor.paletteRGB(UInt8(index))
            #expect(TerminalColor.nearestPaletteIndex(red: red, green: green, blue: blue) == UInt8(index))
        }
        #expect(same(TerminalColor.paletteRGB(196), (255, 0, 0)))
        #expect(same(TerminalColor.paletteRGB(244), (128, 128, 128)))
    }

    @Test("text on a coloured background is black or white, whichever reads better")
    func readableForeground() {
        #expect(TerminalColor.readableForeground(on: .rgb(255, 255, 255)) == .rgb(0, 0, 0))
        #expect(TerminalColor.readableForeground(on: .rgb(0, 0, 0)) == .rgb(255, 255, 255))
        #expect(TerminalColor.readableForeground(on: .rgb(68, 1, 84)) == .rgb(255, 255, 255))
        #expect(TerminalColor.readableForeground(on: .rgb(253, 231, 37)) == .rgb(0, 0, 0))
        #expect(TerminalColor.readableForeground(on: .rgb(0, 0, 255)) == .rgb(255, 255, 255))
        #expect(TerminalColor.readableForeground(on: .rgb(128, 128, 128)) == .rgb(0, 0, 0))
        // Palette backgrounds get the palette's own black and white (16, 231), which themes leave alone.
        #expect(TerminalColor.readableForeground(on: .indexed(196)) == .indexed(16))
        #expect(TerminalColor.readableForeground(on: .indexed(17)) == .indexed(231))
        #expect(TerminalColor.readableForeground(on: .terminalDefault) == .terminalDefault)
    }

    @Test("a fitted range skips NaN and infinities; bounds come in either order; nothing gives 0...0")
    func ranges() {
        #expect(ValueRange(fitting: [3, -1, .nan, .infinity, 2, -.infinity]) == ValueRange(lower: -1, upper: 3))
        #expect(ValueRange(fitting: []) == ValueRange(lower: 0, upper: 0))
        #expect(ValueRange(fitting: [Float.nan, .nan]) == ValueRange(lower: 0, upper: 0))
        #expect(ValueRange(lower: 5, upper: -2) == ValueRange(-2...5))
        #expect(ValueRange(lower: .nan, upper: .infinity) == ValueRange(lower: 0, upper: .greatestFiniteMagnitude))
        #expect(ValueRange(lower: -1, upper: 3).symmetric == ValueRange(lower: -3, upper: 3))
    }

    @Test("the diverging scale is centred on zero: -m...m with m the largest magnitude")
    func symmetricDiverging() {
        let mapping = ColorMapping(scale: .diverging, fitting: [-1, 0.5, 3])
        #expect(mapping.range == ValueRange(lower: -3, upper: 3))
        #expect(mapping.position(of: 0) == 0.5)
        #expect(mapping.position(of: 3) == 1)
        #expect(mapping.position(of: -3) == 0)
        #expect(mapping.position(of: 1.5) == 0.75)
        #expect(mapping.color(for: 0, mode: .direct) == .rgb(255, 255, 255))
        #expect(mapping.color(for: 0, mode: .palette256) == .indexed(231))
        #expect(mapping.color(for: -3, mode: .direct) == .rgb(59, 76, 192))
        #expect(mapping.color(for: 3, mode: .direct) == .rgb(180, 4, 38))
        // A sequential mapping of the same values keeps them as they are.
        #expect(ColorMapping(scale: .sequential, fitting: [-1, 0.5, 3]).range == ValueRange(lower: -1, upper: 3))
    }

    @Test("values outside the range are clamped to the ends")
    func clampedValues() {
        let mapping = ColorMapping(scale: .greyscale, range: ValueRange(lower: 0, upper: 10))
        #expect(mapping.position(of: -5) == 0 && mapping.position(of: 50) == 1)
        #expect(mapping.color(for: 50, mode: .direct) == .rgb(255, 255, 255))
        #expect(mapping.color(for: 5, mode: .direct) == .rgb(128, 128, 128))
        #expect(mapping.color(for: 5, mode: .palette256) == .indexed(244))
    }

    @Test("a constant grid divides by nothing: its value takes the start (diverging: white)")
    func constantRange() {
        let flat = ColorMapping(scale: .sequential, fitting: [2, 2, 2])
        #expect(flat.range.isConstant)
        #expect(flat.position(of: 2) == 0)
        #expect(flat.position(of: 3) == 1 && flat.position(of: 1) == 0)
        #expect(flat.color(for: 2, mode: .direct) == .rgb(68, 1, 84))
        let zeros = ColorMapping(scale: .diverging, fitting: [0, 0])
        #expect(zeros.position(of: 0) == 0.5)
        #expect(zeros.color(for: 0, mode: .direct) == .rgb(255, 255, 255))
        let empty = ColorMapping(scale: .sequential, fitting: [])
        #expect(empty.color(for: 0, mode: .palette256) == .indexed(53))
    }

    @Test("NaN and infinities are markers: magenta, or ? in monochrome")
    func nonFiniteMarkers() {
        let mapping = ColorMapping(scale: .sequential, range: ValueRange(lower: 0, upper: 1))
        for value in [Float.nan, .infinity, -.infinity] {
            #expect(mapping.position(of: value) == nil)
            #expect(mapping.color(for: value, mode: .direct) == .rgb(255, 0, 255))
            #expect(mapping.color(for: value, mode: .palette256) == .indexed(201))
            #expect(mapping.color(for: value, mode: .monochrome) == .terminalDefault)
            #expect(mapping.shade(for: value, glyphs: .unicode) == "?")
            #expect(mapping.cell(for: value, capabilities: .plain) == Cell("?"))
        }
    }

    @Test("in monochrome, equal bins of the range take the ramp's characters in order")
    func shades() {
        let ascii = ColorMapping(scale: .sequential, range: ValueRange(lower: 0, upper: 9))
        #expect(String((0...9).map { ascii.shade(for: Float($0), glyphs: .ascii) }) == " .:-=+*#%@")
        let unicode = ColorMapping(scale: .greyscale, range: ValueRange(lower: 0, upper: 4))
        #expect(String((0...4).map { unicode.shade(for: Float($0), glyphs: .unicode) }) == " ░▒▓█")
        // Diverging keeps the sign readable: = - (blank) + #, fifths of -m...m.
        let signed = ColorMapping(scale: .diverging, range: ValueRange(lower: -1, upper: 1))
        let values: [Float] = [-1, -0.7, -0.4, -0.1, 0, 0.1, 0.4, 0.7, 1]
        #expect(String(values.map { signed.shade(for: $0, glyphs: .unicode) }) == "==-   +##")
        #expect(ColorScale.diverging.shadeRamp(for: .ascii) == ["=", "-", " ", "+", "#"])
    }

    @Test("a value's cell is a blank on its colour, or its shade in monochrome")
    func cells() {
        let mapping = ColorMapping(scale: .sequential, range: ValueRange(lower: 0, upper: 1))
        #expect(mapping.cell(for: 1, capabilities: .full) == Cell(" ", style: Style(background: .indexed(220))))
        #expect(mapping.cell(for: 1, capabilities: TerminalCapabilities(colors: .direct, glyphs: .ascii))
                == Cell(" ", style: Style(background: .rgb(253, 231, 37))))
        #expect(mapping.cell(for: 1, capabilities: .plain) == Cell("@"))
    }
}
