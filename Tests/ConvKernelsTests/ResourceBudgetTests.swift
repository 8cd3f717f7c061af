import Testing
@testable import ConvKernels

@Suite struct ResourceBudgetTests {
    @Test func productsThatOverflowOrGoNegativeAreNil() {
        #expect(ResourceBudget.product(3, 4, 5) == 60)
        #expect(ResourceBudget.product(Int.max, 2) == nil)
        #expect(ResourceBudget.product(-1, 2) == nil)
        #expect(ResourceBudget.product([Int]()) == 1)
        #expect(ResourceBudget.sum(Int.max, 1) == nil)
        #expect(ResourceBudget.sum(2, nil) == nil)
    }

    @Test func refusalsCarryTheEstimateAndTheLimit() {
        let budget = ResourceBudget(memoryBytes: 1_000_000, work: 50_000)
        #expect(throws: Never.self) { try budget.check(memory: 1_000_000, for: "x") }
        #expect(throws: BudgetExceeded(message: "a 9x9 pool would need 1.8 GB of memory; the limit is 1.0 MB")) {
            try budget.check(memory: 1_800_000_000, for: "a 9x9 pool")
        }
        #expect(throws: BudgetExceeded(message: "it would take more than 9.2 quintillion multiply-adds; the limit is 50 thousand")) {
            try budget.check(work: nil, unit: "multiply-adds", for: "it")
        }
        #expect(ResourceBudget.describeCount(2_000_000_000) == "2.0 billion")
        #expect(ResourceBudget.describeCount(45_000_000) == "45 million")
        #expect(ResourceBudget.describeBytes(512_000_000) == "512 MB")
    }
}

@Suite struct GroupedDigitsTests {
    @Test func groupsInThrees() {
        #expect(ResourceBudget.groupedDigits(0) == "0")
        #expect(ResourceBudget.groupedDigits(999) == "999")
        #expect(ResourceBudget.groupedDigits(61706) == "61,706")
        #expect(ResourceBudget.groupedDigits(1_000_010) == "1,000,010")
        #expect(ResourceBudget.groupedDigits(-2400) == "-2,400")
        #expect(ResourceBudget.groupedDigits(Int.min) == "-9,223,372,036,854,775,808")
    }
}
