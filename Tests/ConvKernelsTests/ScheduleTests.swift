import ConvKernels
import Testing

@Suite("learning-rate schedules")
struct ScheduleTests {
    private func rates(_ schedule: LearningRateSchedule, base: Float, epochs: ClosedRange<Int>) -> [Float] {
        epochs.map { schedule.rate(base: base, epoch: $0) }
    }

    private func expectRates(_ actual: [Float], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(Double(a) - e) <= 1e-6 * max(1, abs(e)), "\(actual) vs \(expected)", sourceLocation: sourceLocation)
        }
    }

    @Test("constant keeps the base rate")
    func constant() {
        #expect(rates(.constant, base: 0.01, epochs: 0...3) == [0.01, 0.01, 0.01, 0.01])
    }

    @Test("StepLR(step 2, gamma 0.5) from 0.1 over epochs 0...5")
    func step() {
        expectRates(rates(.step(every: 2, factor: 0.5), base: 0.1, epochs: 0...5), [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
        expectRates(rates(.step(every: 3, factor: 0.1), base: 1, epochs: 0...7), [1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01])
    }

    @Test("ExponentialLR(gamma 0.9) from 0.1")
    func exponential() {
        expectRates(rates(.exponential(factor: 0.9), base: 0.1, epochs: 0...3), [0.1, 0.09, 0.081, 0.0729])
        // 0.5^10 = 1/1024
        expectRates([LearningRateSchedule.exponential(factor: 0.5).rate(base: 1, epoch: 10)], [1.0 / 1024])
    }

    @Test("cosine annealing: base at 0, halfway at T/2, minimum at T")
    func cosine() {
        let schedule = LearningRateSchedule.cosine(totalEpochs: 10, minimum: 0.01)
        // midpoint: 0.01 + 0.09 * (1 + cos(pi / 2)) / 2 = 0.055
        expectRates([0, 5, 10].map { schedule.rate(base: 0.1, epoch: $0) }, [0.1, 0.055, 0.01])
        // a quarter: 0.01 + 0.09 * (1 + cos(pi / 4)) / 2 = 0.01 + 0.045 * 1.7071068
        let quarter = LearningRateSchedule.cosine(totalEpochs: 4, minimum: 0.01).rate(base: 0.1, epoch: 1)
        expectRates([quarter], [0.01 + 0.045 * (1 + 0.5.squareRoot())])
        // the minimum defaults to 0
        #expect(LearningRateSchedule.cosine(totalEpochs: 10) == .cosine(totalEpochs: 10, minimum: 0))
        expectRates([LearningRateSchedule.cosine(totalEpochs: 6).rate(base: 0.3, epoch: 6)], [0])
        // past T the closed form rises again, as PyTorch's: epoch 15 of 10 is the midpoint once more.
        expectRates([schedule.rate(base: 0.1, epoch: 15)], [0.055])
    }

    @Test("settings that cannot work are rejected")
    func validation() {
        #expect(kernelErrorMessage { try LearningRateSchedule.constant.validate() } == "")
        #expect(kernelErrorMessage { try LearningRateSchedule.step(every: 2, factor: 0.5).validate() } == "")
        #expect(kernelErrorMessage { try LearningRateSchedule.step(every: 0, factor: 0.5).validate() }
            .contains("the step must be at least 1 epoch"))
        #expect(kernelErrorMessage { try LearningRateSchedule.step(every: 2, factor: 0).validate() }
            .contains("factor 0.0 is invalid"))
        #expect(kernelErrorMessage { try LearningRateSchedule.exponential(factor: -0.5).validate() }
            .contains("finite number above 0"))
        #expect(kernelErrorMessage { try LearningRateSchedule.cosine(totalEpochs: 0).validate() }
            .contains("at least 1 epoch"))
        #expect(kernelErrorMessage { try LearningRateSchedule.cosine(totalEpochs: 5, minimum: -1).validate() }
            .contains("minimum -1.0 is invalid"))
    }
}
