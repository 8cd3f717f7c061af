import ConvKernels

/// Small grayscale images generated in code (no files), for image steps, the playground and the
/// kernel-learning task: `size` x `size` cells, values in 0...1 (bright shapes on a dark ground).
///
/// - `house`: walls, a roof, a chimney, a door and two windows over the ground (edges in every direction)
/// - `checkerboard`: 4x4-cell squares
/// - `circle`: a filled disc with a smooth edge
/// - `stripes`: vertical stripes two cells wide (Sobel x finds them, Sobel y does not)
/// - `gradient`: brightness rising from left to right
/// - `letters`: "CNN" over "ABC" in block letters
/// - `noise`: seeded uniform noise, the same every time
/// - `digit-0` ... `digit-9`: a hand-drawn 5x7 bitmap font, upscaled 3x and softened with the Gaussian
///   kernel (through `Conv2d`), roughly as MNIST digits look
public enum SampleImage {
    /// The side of every sample image, in cells.
    public static let size = 28

    /// Every name `make` knows, in the order menus show them.
    public static let names: [String] = ["house", "checkerboard", "circle", "stripes", "gradient", "letters", "noise"]
        + (0...9).map { "digit-\($0)" }

    /// The image called `name` as a one-channel stack, or nil for an unknown name.
    public static func make(_ name: String) -> GridStack? {
        let grid: [[Float]]
        switch name {
        case "house": grid = house()
        case "checkerboard": grid = paint { row, column in (row / 4 + column / 4) % 2 == 0 ? 1 : 0 }
        case "circle": grid = circle()
        case "stripes": grid = paint { _, column in (column / 2) % 2 == 0 ? 1 : 0 }
        case "gradient": grid = paint { _, column in Float(column) / Float(size - 1) }
        case "letters": grid = letters()
        case "noise":
            var random = SeededRandom(seed: 2024)
            grid = (0..<size).map { _ in (0..<size).map { _ in random.nextUnitFloat() } }
        default:
            guard name.hasPrefix("digit-"), let digit = Int(name.dropFirst("digit-".count)), (0...9).contains(digit),
                  name == "digit-\(digit)" else { return nil }
            grid = self.digit(digit)
        }
        return GridStack(grid)
    }

    // MARK: - Drawing

    private static func paint(_ value: (Int, Int) -> Float) -> [[Float]] {
        (0..<size).map { row in (0..<size).map { column in value(row, column) } }
    }

    private static func house() -> [[Float]] {
        let sky: Float = 0.15, ground: Float = 0.35, wall: Float = 0.75, roof: Float = 0.45, door: Float = 0.2,
            window: Float = 1
        return paint { row, column in
            let x = Float(column), y = Float(row)
            if (15...18).contains(row) && ((8...10).contains(column) || (17...19).contains(column)) { return window }
            if (17...23).contains(row) && (12...15).contains(column) { return door }
            if (13...23).contains(row) && (6...21).contains(column) { return wall }
            // The roof: a triangle from the apex (row 5, between columns 13 and 14) to the eaves (row 12).
            if (5...12).contains(row) && abs(x - 13.5) <= 1 + (y - 5) * 11 / 7 { return roof }
            if (6...10).contains(row) && (18...19).contains(column) { return roof }  // chimney
            if row >= 24 { return ground }
            return sky
        }
    }

    private static func circle() -> [[Float]] {
        let centre = Float(size - 1) / 2, radius: Float = 9
        return paint { row, column in
            let dy = Float(row) - centre, dx = Float(column) - centre
            let distance = (dx * dx + dy * dy).squareRoot()
            // The share of the cell inside the disc, roughly: a one-cell ramp across the edge.
            return min(max(radius + 0.5 - distance, 0), 1)
        }
    }

    /// 4x5 block letters, drawn 2x: "CNN" over "ABC".
    private static func letters() -> [[Float]] {
        let glyphs: [Character: [String]] = [
            "C": [".###", "#...", "#...", "#...", ".###"],
            "N": ["#..#", "##.#", "#.##", "#..#", "#..#"],
            "A": [".##.", "#..#", "####", "#..#", "#..#"],
            "B": ["###.", "#..#", "###.", "#..#", "###."],
        ]
        var grid = [[Float]](repeating: [Float](repeating: 0, count: size), count: size)
        for (line, text) in ["CNN", "ABC"].enumerated() {
            for (position, letter) in text.enumerated() {
                guard let glyph = glyphs[letter] else { continue }
                stamp(glyph, scale: 2, top: 3 + line * 12, left: 1 + position * 9, into: &grid)
            }
        }
        return grid
    }

    /// The 5x7 font of the digits (`#` ink, `.` ground).
    static let digitFont: [[String]] = [
        [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ]

    /// The digit drawn 3x (15x21, centred) and softened with the Gaussian kernel; values stay in
    /// 0...1 because the kernel's weights are positive and sum to 1.
    private static func digit(_ digit: Int) -> [[Float]] {
        var grid = [[Float]](repeating: [Float](repeating: 0, count: size), count: size)
        stamp(digitFont[digit], scale: 3, top: (size - 21) / 2, left: (size - 15) / 2, into: &grid)
        let gaussian = KernelPreset.gaussian.grid
        // Padding 1 of zeros around a glyph that stays 3 cells from the edge: no value is lost.
        guard let soft = try? Conv2d.forward(input: Tensor(grid: grid), weight: Tensor(grid: gaussian),
                                             options: Conv2dOptions(padding: 1)) else { return grid }
        return soft.grid().map { $0.map { min(max($0, 0), 1) } }
    }

    /// Draws `glyph` (rows of `#` and `.`) with each cell `scale` x `scale`, ink 1.
    private static func stamp(_ glyph: [String], scale: Int, top: Int, left: Int, into grid: inout [[Float]]) {
        for (row, line) in glyph.enumerated() {
            for (column, mark) in line.enumerated() where mark == "#" {
                for dy in 0..<scale {
                    for dx in 0..<scale {
                        let y = top + row * scale + dy, x = left + column * scale + dx
                        if y >= 0 && y < size && x >= 0 && x < size { grid[y][x] = 1 }
                    }
                }
            }
        }
    }
}
