import ConvKernels
import Testing

@Suite("output-size arithmetic")
struct SlidingWindowTests {
    @Test("floor((input + 2 padding - dilation (kernel - 1) - 1) / stride) + 1")
    func formula() throws {
        #expect(try SlidingWindow.outputSize(input: 28, kernel: 5, stride: 1, padding: 2) == 28)
        #expect(try SlidingWindow.outputSize(input: 14, kernel: 5, stride: 1, padding: 0) == 10)
        #expect(try SlidingWindow.outputSize(input: 7, kernel: 3, stride: 2, padding: 1) == 4)
        #expect(try SlidingWindow.outputSize(input: 8, kernel: 3, stride: 3, padding: 0) == 2)   // the floor drops a partial window
        #expect(try SlidingWindow.outputSize(input: 9, kernel: 3, stride: 1, padding: 0, dilation: 3) == 3)
        #expect(try SlidingWindow.outputSize(input: Pair(5, 6), kernel: Pair(3, 2), stride: Pair(2, 1), padding: Pair(1, 0))
            == Pair(3, 5))
    }

    @Test("sizes that break a rule are named in the error")
    func errors() {
        #expect(kernelErrorMessage { _ = try SlidingWindow.outputSize(input: 3, kernel: 4, stride: 1, padding: 0) }
            .contains("larger than the padded input"))
        #expect(kernelErrorMessage { _ = try SlidingWindow.outputSize(input: 5, kernel: 3, stride: 1, padding: 0, dilation: 3) }
            .contains("dilated kernel height 7"))
        #expect(kernelErrorMessage { _ = try SlidingWindow.outputSize(input: 3, kernel: 1, stride: 0, padding: 0) }
            .contains("stride must be at least 1"))
        #expect(kernelErrorMessage { _ = try SlidingWindow.outputSize(input: 0, kernel: 1, stride: 1, padding: 0) }
            .contains("input height is 0"))
    }

    @Test("absurdly large values are an error, not an arithmetic overflow")
    func overflow() {
        #expect(kernelErrorMessage {
            _ = try SlidingWindow.outputSize(input: 2, kernel: 1, stride: 1, padding: Int.max / 2 + 1)
        }.contains("too large to compute with"))
        #expect(kernelErrorMessage {
            _ = try SlidingWindow.outputSize(input: 2, kernel: 2, stride: 1, padding: 0, dilation: Int.max)
        }.contains("too large to compute with"))
    }
}
