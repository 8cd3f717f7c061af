import Testing
import Training
import Networks
import Datasets

@Suite("Confusion matrix")
struct ConfusionMatrixTests {
    /// Three classes; actual 0: 5 right, 1 taken for 1; actual 1: 3 right, 2 taken for 2; actual 2: 4 right.
    static var example: ConfusionMatrix {
        var matrix = ConfusionMatrix(classes: 3)
        for _ in 0..<5 { matrix.add(actual: 0, predicted: 0) }
        matrix.add(actual: 0, predicted: 1)
        for _ in 0..<3 { matrix.add(actual: 1, predicted: 1) }
        for _ in 0..<2 { matrix.add(actual: 1, predicted: 2) }
        for _ in 0..<4 { matrix.add(actual: 2, predicted: 2) }
        return matrix
    }

    @Test("accuracy, precision, recall and F1 worked out by hand")
    func figures() throws {
        let m = Self.example
        #expect(m.total == 15 && m.correct == 12 && m.accuracy == 0.8)
        // Class 1: predicted 4 times, 3 right -> precision 3/4; actual 5 times, 3 found -> recall 3/5.
        #expect(m.precision(1) == 0.75 && m.recall(1) == 0.6)
        let f1 = try #require(m.f1(1))
        #expect(abs(f1 - 2 * 0.75 * 0.6 / 1.35) < 1e-12)
        #expect(m.precision(0) == 1 && m.recall(0) == 5.0 / 6.0)
        #expect(m.precision(2) == 4.0 / 6.0 && m.recall(2) == 1)
    }

    @Test("the most confused pairs come largest first")
    func mostConfused() {
        let pairs = Self.example.mostConfused()
        #expect(pairs.map { [$0.actual, $0.predicted, $0.count] } == [[1, 2, 2], [0, 1, 1]])
    }

    @Test("an empty class has no precision or recall rather than a division by zero")
    func empty() {
        let m = ConfusionMatrix(classes: 2)
        #expect(m.accuracy == 0 && m.precision(0) == nil && m.recall(1) == nil && m.f1(0) == nil)
    }
}
