import ConvKernels
import Testing
@testable import Lessons

@Suite struct SampleImageTests {
    @Test func everyImageIsInRangeAndTheRightSize() throws {
        #expect(SampleImage.names.count == 17)
        for name in SampleImage.names {
            let image = try #require(SampleImage.make(name), "\(name)")
            #expect(image.channelCount == 1 && image.height == SampleImage.size && image.width == SampleImage.size, "\(name)")
            let values = image.channels[0].flatMap { $0 }
            #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(name) out of 0...1")
            #expect((values.max() ?? 0) - (values.min() ?? 0) > 0.5, "\(name) has too little contrast")
            #expect(SampleImage.make(name) == image, "\(name) is not the same every time")
        }
    }

    @Test func unknownNames() {
        for name in ["", "nope", "digit-10", "digit-01", "digit--1", "digit-", "House"] {
            #expect(SampleImage.make(name) == nil, "\(name)")
        }
    }

    @Test func knownPixels() throws {
        let checkerboard = try #require(SampleImage.make("checkerboard")).channels[0]
        #expect(checkerboard[0][0] == 1 && checkerboard[0][4] == 0 && checkerboard[4][4] == 1 && checkerboard[27][27] == 1)
        let circle = try #require(SampleImage.make("circle")).channels[0]
        #expect(circle[14][14] == 1 && circle[0][0] == 0 && circle[14][1] == 0)
        let gradient = try #require(SampleImage.make("gradient")).channels[0]
        #expect(gradient[5][0] == 0 && gradient[5][27] == 1 && gradient[0][9] < gradient[0][10])
        let stripes = try #require(SampleImage.make("stripes")).channels[0]
        #expect(stripes[3].prefix(6) == [1, 1, 0, 0, 1, 1] && stripes[0] == stripes[27])
    }

    @Test func digitsAreDistinctAndCentred() throws {
        let digits = try (0...9).map { try #require(SampleImage.make("digit-\($0)")).channels[0] }
        for a in 0..<10 { for b in (a + 1)..<10 { #expect(digits[a] != digits[b], "digit-\(a) vs digit-\(b)") } }
        for (digit, grid) in digits.enumerated() {
            // Ink only inside the glyph's box plus the blur's one cell: rows 2...25, columns 5...22.
            for (row, line) in grid.enumerated() {
                for (column, value) in line.enumerated() where !(2...25).contains(row) || !(5...22).contains(column) {
                    #expect(value == 0, "digit-\(digit) has ink at \(row), \(column)")
                }
            }
            #expect(grid.flatMap { $0 }.max() == 1, "digit-\(digit) has a solid stroke")
        }
        // The eight's middle bar: the glyph's row 3 spans image rows 12...14.
        #expect(digits[8][13][13] == 1)
    }
}
