import Testing
@testable import Lessons

@Suite struct LessonNumberTests {
    @Test func formatsCompactly() {
        #expect(LessonNumber.format(12) == "12")
        #expect(LessonNumber.format(-3) == "-3")
        #expect(LessonNumber.format(-0.5) == "-0.5")
        #expect(LessonNumber.format(1.0 / 3) == "0.333")
        #expect(LessonNumber.format(2.0 / 3) == "0.667")
        #expect(LessonNumber.format(0.1) == "0.1")
        #expect(LessonNumber.format(2.25) == "2.25")
        #expect(LessonNumber.format(0) == "0")
        #expect(LessonNumber.format(-0.0) == "0")
        #expect(LessonNumber.format(0.001) == "0.001")
        #expect(LessonNumber.format(999_999) == "999999")
        #expect(LessonNumber.format(1_200_000) == "1.2e+06")
        #expect(LessonNumber.format(1_000_000) == "1e+06")
        #expect(LessonNumber.format(0.000045) == "4.5e-05")
        #expect(LessonNumber.format(-0.0001234) == "-1.23e-04")
        #expect(LessonNumber.format(.nan) == "nan")
        #expect(LessonNumber.format(-.infinity) == "-inf")
    }

    @Test func parsesWhatLearnersType() {
        #expect(LessonNumber.parse("12") == 12)
        #expect(LessonNumber.parse(" 12.0 ") == 12)
        #expect(LessonNumber.parse("-1") == -1)
        #expect(LessonNumber.parse("\u{2212}1") == -1)
        #expect(LessonNumber.parse("+2") == 2)
        #expect(LessonNumber.parse("0,5") == 0.5)
        #expect(LessonNumber.parse(".5") == 0.5)
        #expect(LessonNumber.parse("5.") == 5)
        #expect(LessonNumber.parse("1e6") == 1_000_000)
        #expect(LessonNumber.parse("2.5E-3") == 0.0025)
        for garbage in ["", " ", "-", ".", "abc", "12a", "1.2.3", "1,2.3", "--1", "inf", "nan", "0x10", "1e", "1 2", "½"] {
            #expect(LessonNumber.parse(garbage) == nil, "\(garbage)")
        }
    }

    @Test func matchesToTheShownPrecision() {
        #expect(LessonNumber.matches("12", 12))
        #expect(LessonNumber.matches("12.0", 12))
        #expect(LessonNumber.matches("12.00", 12))
        #expect(!LessonNumber.matches("12.4", 12))
        #expect(!LessonNumber.matches("13", 12))
        #expect(LessonNumber.matches("-1", -1))
        #expect(LessonNumber.matches("\u{2212}1", -1))
        #expect(LessonNumber.matches("0.33", 1.0 / 3))
        #expect(LessonNumber.matches("0.333", 1.0 / 3))
        #expect(LessonNumber.matches("0,333", 1.0 / 3))
        #expect(!LessonNumber.matches("0.3", 1.0 / 3))
        #expect(!LessonNumber.matches("0", 1.0 / 3))
        #expect(!LessonNumber.matches("0.34", 1.0 / 3))
        #expect(LessonNumber.matches("0.67", 2.0 / 3))
        #expect(LessonNumber.matches("2.5", 2.5))
        #expect(!LessonNumber.matches("2", 2.5))
        #expect(!LessonNumber.matches("3", 2.5))
        #expect(LessonNumber.matches("1.2e6", 1_200_000))
        #expect(LessonNumber.matches("1200000", 1_200_000))
        #expect(!LessonNumber.matches("twelve", 12))
        #expect(!LessonNumber.matches("", 0))
        #expect(!LessonNumber.matches("0", .nan))
    }
}

@Suite struct QuizCheckerTests {
    func quiz(_ answer: QuizSpec.Answer, choices: [String] = [], grid: GridStack? = nil) -> QuizSpec {
        QuizSpec(question: "?", answer: answer, choices: choices, grid: grid)
    }

    @Test func numbers() {
        let spec = quiz(.number(12, tolerance: 0.01))
        #expect(spec.check("12") == .right)
        #expect(spec.check(" 12.0 ") == .right)
        #expect(spec.check("12.005") == .right)
        #expect(spec.check("14") == .wrong("not quite: 14 is not it"))
        #expect(spec.check("-12") == .wrong("not quite: -12 is not it"))
        #expect(spec.check("twelve") == .unreadable("type a number such as 12 or -0.5"))
        #expect(spec.check("") == .unreadable("type a number such as 12 or -0.5"))
        #expect(quiz(.number(1.0 / 3, tolerance: 0.01)).check("0.33") == .right)
        #expect(quiz(.number(1.0 / 3, tolerance: 0.01)).check("0,33") == .right)
        #expect(quiz(.number(1.0 / 3, tolerance: 0.01)).check("0.3") == .wrong("not quite: 0.3 is not it"))
        #expect(quiz(.number(61706, tolerance: 0)).check("61706") == .right)
        #expect(quiz(.number(61706, tolerance: 0)).check("61707") != .right)
        #expect(quiz(.number(-0.5, tolerance: 0.01)).check("\u{2212}0.5") == .right)
        #expect(spec.answerText == "12")
        #expect(quiz(.number(-0.5, tolerance: 0.01)).answerText == "-0.5")
    }

    @Test func shapes() {
        let spec = quiz(.shape([6, 28, 28]))
        for typed in ["6x28x28", "6 x 28 x 28", "(6, 28, 28)", "6,28,28", "6×28×28", "6X28X28", "[6, 28, 28]", "6 28 28"] {
            #expect(spec.check(typed) == .right, "\(typed)")
        }
        #expect(spec.check("28x28") == .unreadable("the answer has 3 sizes: type every one, like 6x28x28"))
        #expect(spec.check("28x28x6") == .wrong("not quite: the sizes are right but in another order (channels, then height, then width)"))
        #expect(spec.check("6x14x14") == .wrong("not quite: the 2nd and 3rd sizes are off"))
        #expect(spec.check("16x28x28") == .wrong("not quite: the 1st size is off"))
        #expect(spec.check("6 by 28") == .unreadable("type a shape such as 6x28x28"))
        #expect(spec.check("6x0x28") == .unreadable("type a shape such as 6x28x28"))
        #expect(spec.check("") == .unreadable("type a shape such as 6x28x28"))
        #expect(quiz(.shape([3, 3])).check("3x3") == .right)
        #expect(quiz(.shape([3, 3])).check("3x3x1") == .unreadable("the answer has 2 sizes: type every one, like 28x28"))
        #expect(spec.answerText == "6x28x28")
    }

    @Test func choices() {
        let spec = quiz(.choice(1), choices: ["Average pooling", "Max pooling", "Sum pooling"])
        #expect(spec.check("2") == .right)
        #expect(spec.check(" 2. ") == .right)
        #expect(spec.check("max pooling") == .right)
        #expect(spec.check("MAX   Pooling") == .right)
        #expect(spec.check("1") == .wrong("not quite: choice 1 is not the right one"))
        #expect(spec.check("sum pooling") == .wrong("not quite: that is not the right choice"))
        #expect(spec.check("4") == .unreadable("there are 3 choices; type a number from 1 to 3"))
        #expect(spec.check("0") == .unreadable("there are 3 choices; type a number from 1 to 3"))
        #expect(spec.check("min pooling") == .unreadable("type the number of a choice (1 to 3) or its text"))
        #expect(spec.answerText == "2. Max pooling")
        // A choice whose text is a number is found by its text first.
        let numeric = quiz(.choice(0), choices: ["4", "9", "1"])
        #expect(numeric.check("4") == .right)
        #expect(numeric.check("1") == .wrong("not quite: that is not the right choice"))
        #expect(numeric.check("2") == .wrong("not quite: choice 2 is not the right one"))
    }

    @Test func cells() {
        let grid = GridStack([[1, 2, 3], [4, 9, 6], [7, 8, 5]])
        let spec = quiz(.cell(row: 1, column: 1), grid: grid)
        #expect(spec.check(row: 1, column: 1) == .right)
        #expect(spec.check(row: 1, column: 2) == .wrong("not quite: right row, wrong column"))
        #expect(spec.check(row: 0, column: 1) == .wrong("not quite: right column, wrong row"))
        #expect(spec.check(row: 2, column: 2) == .wrong("not quite: that is not the cell"))
        #expect(spec.check("2, 2") == .right)
        #expect(spec.check("(2,2)") == .right)
        #expect(spec.check("1, 1") == .wrong("not quite: that is not the cell"))
        #expect(spec.check("middle") == .unreadable("pick the cell with the arrow keys, or type its row and column such as 2, 3"))
        #expect(spec.answerText == "row 2, column 2 (value 9)")
        #expect(quiz(.number(1, tolerance: 0)).check(row: 0, column: 0)
            == .unreadable("this question takes a typed answer, not a cell"))
    }
}

@Suite("Typed numbers with thousands separators")
struct ThousandsSeparatorTests {
    @Test("commas between groups of three are thousands separators; any other comma is a decimal comma")
    func separators() {
        #expect(LessonNumber.parse("120,000,000") == 120_000_000)
        #expect(LessonNumber.parse("1,792") == 1792)
        #expect(LessonNumber.parse("-61,706") == -61706)
        #expect(LessonNumber.parse("1,792.5") == 1792.5)
        #expect(LessonNumber.parse("1,5") == 1.5)
        #expect(LessonNumber.parse("0,333") == 0.333)
        #expect(LessonNumber.matches("61,706", 61706))
        let quiz = QuizSpec(question: "How many?", answer: .number(120_000_000, tolerance: 0.01))
        #expect(quiz.check("120,000,000") == .right)
    }

    @Test("a fraction is read as its value: 1/4 is 0.25, 1/3 matches 0.333")
    func fractions() {
        #expect(LessonNumber.parse("1/4") == 0.25)
        #expect(LessonNumber.parse("-3 / 2") == -1.5)
        #expect(LessonNumber.parse("1/0") == nil)
        #expect(LessonNumber.parse("1/2/3") == nil)
        #expect(LessonNumber.matches("1/3", 1.0 / 3))
        #expect(!LessonNumber.matches("1/4", 0.3))
        #expect(QuizSpec(question: "p?", answer: .number(0.25, tolerance: 0.01)).check("1/4") == .right)
    }
}
