import Testing
@testable import Imaging

@Suite struct GrayImageTests {
    @Test func tensorKeepsRowsAndColumns() {
        let image = GrayImage(width: 3, height: 2, pixels: [0, 0.5, 1, 0.25, 0.75, 0.125])
        let tensor = image.tensor
        #expect(tensor.shape == [1, 1, 2, 3])
        #expect(tensor[0, 0, 1, 2] == 0.125)
        #expect(image[0, 1] == 0.5)
    }
}
