import ConvKernels
import Testing
@testable import ConvTutorCommands

/// The message of the `KernelError` that `body` throws, or "" when it throws none.
func errorMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch let error as KernelError {
        return error.message
    } catch {
        return "unexpected error \(error)"
    }
}

@Suite("Grid text")
struct GridTests {
    @Test("rows split by ';' or newlines, values by spaces or commas")
    func separators() throws {
        let expected: [[Float]] = [[0, 1, 2], [3, 4, 5]]
        for text in ["0 1 2; 3 4 5", "0,1,2;3,4,5", "0 1 2\n3 4 5", "0, 1, 2\n3 ,4 , 5", "  0\t1  2 ;3 4 5;", "0 1 2\r\n3 4 5\r\n",
                     "\n0 1 2\n3 4 5\n"] {
            #expect(try Grid(parsing: text).rows == expected, "\(text.debugDescription)")
        }
    }

    @Test("negative, decimal and exponent numbers")
    func numbers() throws {
        let grid = try Grid(parsing: "-1.5 2e1 .25; -0 +3 1e-3")
        #expect(grid.rows == [[-1.5, 20, 0.25], [0, 3, 0.001]])
        #expect(grid.height == 2 && grid.width == 3 && grid.channelCount == 1)
        #expect(grid.tensor.shape == [1, 1, 2, 3])
    }

    @Test("channels split by '|' become a 1 x C x H x W tensor")
    func channels() throws {
        let grid = try Grid(parsing: "1 2; 3 4 | 5 6; 7 8")
        #expect(grid.channelCount == 2)
        #expect(grid.tensor == Tensor(shape: [1, 2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8]))
    }

    @Test("errors name the value and the rule", arguments: [
        ("0 1 2; 3 4", "row 2 has 2 values, row 1 has 3; every row needs the same number"),
        ("0 1; 2", "row 2 has 1 value, row 1 has 2; every row needs the same number"),
        ("1 x", "'x' in row 1 is not a number"),
        ("1 2 3; 3 4,five", "'five' in row 2 is not a number"),
        ("", "the grid is empty; give rows of numbers separated by ';' or newlines, values by spaces or commas"),
        (" ; \n ", "the grid is empty; give rows of numbers separated by ';' or newlines, values by spaces or commas"),
        ("1 2; ; 3 4", "row 2 is empty; every row needs at least one number"),
        ("1,,2", "row 1 has an empty value between commas in '1,,2'; separate values by one comma"),
        ("1 nan", "'nan' in row 1 is not a finite number; grid values must be finite"),
        ("inf 1", "'inf' in row 1 is not a finite number; grid values must be finite"),
        ("1e39", "'1e39' in row 1 is too large; values must lie within +-3.4e38 (a 32-bit float)"),
        ("1 2 | 3", "channel 2 is 1x1, channel 1 is 1x2; every channel needs the same size"),
        ("1 2 |", "channel 2 is empty; every channel between '|' needs rows of numbers"),
        ("1 2 | 3 y", "'y' in row 1 of channel 2 is not a number"),
    ])
    func errors(text: String, message: String) {
        #expect(errorMessage { _ = try Grid(parsing: text) } == message)
    }

    @Test("pairs: one integer for both axes or height,width")
    func pairs() throws {
        #expect(try Pair(parsing: "2") == Pair(2))
        #expect(try Pair(parsing: "3,2") == Pair(3, 2))
        #expect(try Pair(parsing: " 3 , 2 ") == Pair(3, 2))
        #expect(try Pair(parsing: "-1") == Pair(-1))  // allowed here; the kernel judges the value
        #expect(errorMessage { _ = try Pair(parsing: "1,2,3") }
            == "'1,2,3' has 3 entries; give one integer for both axes or two as height,width (e.g. 3,2)")
        #expect(errorMessage { _ = try Pair(parsing: "1.5") }
            == "'1.5' is not an integer; give one integer for both axes or two as height,width (e.g. 3,2)")
        #expect(errorMessage { _ = try Pair(parsing: "2,x") }
            == "'x' in '2,x' is not an integer; give one integer for both axes or two as height,width (e.g. 3,2)")
        #expect(errorMessage { _ = try Pair(parsing: "2,") }
            == "'2,' has an empty entry; give one integer for both axes or two as height,width (e.g. 3,2)")
    }

    @Test("numbers: integers without a decimal point, others in their shortest exact form")
    func numberText() {
        #expect(NumberText.format(19) == "19")
        #expect(NumberText.format(-0.5) == "-0.5")
        #expect(NumberText.format(1.0 / 3.0) == "0.33333334")
        #expect(NumberText.format(1e-5) == "1e-05")
        #expect(NumberText.format(16_777_216) == "16777216")
        #expect(NumberText.format(.infinity) == "inf")
        #expect(NumberText.json(.nan) == "null")
        #expect(NumberText.json(-.infinity) == "null")
        #expect(NumberText.term(-1) == "(-1)")
        #expect(NumberText.term(2) == "2")
        for value: Float in [0.1, 1.0 / 3.0, 3.4e38, Float.leastNonzeroMagnitude, -123.456] {
            #expect(Float(NumberText.format(value)) == value, "\(value) reads back")
        }
    }

    @Test("aligned columns and JSON grids")
    func gridText() {
        #expect(GridText.aligned([[19, 25], [37, 43]]) == "19  25\n37  43")
        #expect(GridText.aligned([[1, -10], [100, 0.5]]) == "  1  -10\n100  0.5")
        #expect(GridText.json([[19, 25], [37, 43]]) == "[[19, 25], [37, 43]]")
    }
}
