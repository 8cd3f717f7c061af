import Testing
import TerminalUI

@Suite("Widgets: progress bar")
struct WidgetProgressBarTests {
    @Test("counts group by thousands; rates, durations and percentages format for a status line")
    func formatting() {
        #expect(ProgressBar.groupedCount(0) == "0")
        #expect(ProgressBar.groupedCount(999) == "999")
        #expect(ProgressBar.groupedCount(1000) == "1,000")
        #expect(ProgressBar.groupedCount(1_234_567) == "1,234,567")
        #expect(ProgressBar.groupedCount(-1234) == "-1,234")
        #expect(ProgressBar.rateText(23_000.4, unit: "img/s") == "23,000 img/s")
        #expect(ProgressBar.rateText(12.46, unit: "img/s") == "12.5 img/s")
        #expect(ProgressBar.rateText(2.5, unit: "/s") == "2.50/s")
        #expect(ProgressBar.durationText(seconds: 12.4) == "0:12")
        #expect(ProgressBar.durationText(seconds: 59.6) == "1:00")
        #expect(ProgressBar.durationText(seconds: 3599.4) == "59:59")
        #expect(ProgressBar.durationText(seconds: 3725) == "1:02:05")
        #expect(ProgressBar.durationText(seconds: -1) == "-:--")
        #expect(ProgressBar.durationText(seconds: .infinity) == "-:--")
        #expect(ProgressBar.percentText(0) == "  0%")
        #expect(ProgressBar.percentText(0.07) == "  7%")
        #expect(ProgressBar.percentText(0.999) == " 99%")
        #expect(ProgressBar.percentText(1) == "100%")
        #expect(ProgressBar.percentText(.nan) == "  0%")
    }

    @Test("the detail text has the counts, the rate and the ETA from the items left")
    func detail() {
        // 485 images left at 40.4 a second: 12 seconds.
        #expect(ProgressBar.detailText(completed: 1234, total: 1719, rate: 40.4, rateUnit: "img/s")
            == "1,234/1,719  40.4 img/s  ETA 0:12")
        #expect(ProgressBar.detailText(completed: 1234, total: 1719, rate: nil) == "1,234/1,719")
        #expect(ProgressBar.detailText(completed: 0, total: 10, rate: 0) == "0/10")
        let bar = ProgressBar(label: "epoch 1", completed: 1, total: 4)
        #expect(bar.fraction == 0.25 && bar.detail == "1/4")
        #expect(ProgressBar(completed: 3, total: 0).fraction == 0)
    }

    @Test("the bar fills to the nearest eighth in Unicode and to the cell with # and - in ASCII")
    func render() {
        let bar = ProgressBar(label: "train", fraction: 0.5)
        let unicode = WidgetRender.buffer(30, 1) { area, buffer in
            bar.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        // 19 cells of bar: 76 eighths are 9 cells and a half.
        #expect(unicode.lines == ["train █████████▌░░░░░░░░░  50%"])
        #expect(unicode[6, 0].style == Style(foreground: .green))
        #expect(unicode[16, 0].style == .dim)
        let ascii = WidgetRender.buffer(30, 1) { area, buffer in
            bar.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(ascii.lines == ["train ##########---------  50%"])
        #expect(ascii[6, 0].style == .plain)
    }

    @Test("when the bar would be too narrow the detail goes first, then the label")
    func narrow() {
        let bar = ProgressBar(label: "epoch 3", fraction: 1, detail: "1,234/1,719")
        let draw = { (width: Int) in
            WidgetRender.buffer(width, 1) { area, buffer in
                bar.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
            }.lines[0]
        }
        #expect(draw(40) == "epoch 3 ############## 100%  1,234/1,719")
        #expect(draw(25) == "epoch 3 ############ 100%")
        #expect(draw(12) == "####### 100%")
        #expect(draw(3) == "100")
        #expect(!WidgetRender.drawsOutside { area, buffer in
            bar.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        })
    }
}

@Suite("Widgets: bar chart")
struct WidgetBarChartTests {
    static let probabilities = BarChart(values: [0.01, 0.97, 0.02])

    @Test("horizontal bars: label, bar scaled to the largest value, value; eighth-block precision")
    func horizontal() {
        let unicode = WidgetRender.buffer(12, 3) { area, buffer in
            Self.probabilities.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(unicode.lines == ["0       0.01", "1 █████ 0.97", "2 ▏     0.02"])
        var scaled = Self.probabilities
        scaled.maxValue = 1
        let partial = WidgetRender.buffer(12, 3) { area, buffer in
            scaled.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(partial.lines[1] == "1 ████▉ 0.97")  // 0.97 of 40 eighths is 39
        let ascii = WidgetRender.buffer(12, 3) { area, buffer in
            Self.probabilities.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(ascii.lines == ["0       0.01", "1 ##### 0.97", "2       0.02"])
    }

    @Test("the largest bar is highlighted: green and bold in colour, bold in monochrome where others are dim")
    func highlight() {
        #expect(Self.probabilities.largestIndex == 1)
        let colour = WidgetRender.buffer(12, 3) { area, buffer in
            Self.probabilities.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(colour[2, 1].style == Style(foreground: .green, attributes: .bold))
        #expect(colour[0, 1].style == Style(foreground: .green, attributes: .bold))
        #expect(colour[11, 1].style == Style(foreground: .green, attributes: .bold))
        #expect(colour[2, 2].style == Style(foreground: .blue))
        #expect(colour[0, 2].style == .plain)
        let mono = WidgetRender.buffer(12, 3) { area, buffer in
            Self.probabilities.render(in: area, into: &buffer, capabilities: WidgetRender.mono)
        }
        #expect(mono[2, 1] == Cell("█", style: .bold))
        #expect(mono[2, 2] == Cell("▏", style: .dim))
        #expect(mono[0, 2].style == .plain)
    }

    @Test("vertical bars: values above when they fit, labels below, partial blocks on top")
    func vertical() {
        var chart = BarChart(values: [0.3, 0.5, 1.0], decimals: 1)
        chart.orientation = .vertical
        let unicode = WidgetRender.buffer(11, 6) { area, buffer in
            chart.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
        }
        #expect(unicode.lines == [
            "0.3 0.5 1.0",
            "        ███",
            "        ███",
            "▂▂▂ ███ ███",
            "███ ███ ███",
            " 0   1   2",
        ])
        let ascii = WidgetRender.buffer(11, 4) { area, buffer in
            chart.render(in: area, into: &buffer, capabilities: WidgetRender.ascii)
        }
        #expect(ascii.lines == ["0.3 0.5 1.0", "        ###", "### ### ###", " 0   1   2"])
    }

    @Test("ties go to the first, NaN and negative values draw no bar, tiny areas are safe")
    func edges() {
        #expect(BarChart(values: [0.5, 0.5]).largestIndex == 0)
        #expect(BarChart(values: [.nan, 0.2]).largestIndex == 1)
        #expect(BarChart(values: []).largestIndex == nil)
        let chart = BarChart(values: [-1, .nan, 2])
        #expect(chart.fraction(of: -1) == 0 && chart.fraction(of: .nan) == 0 && chart.fraction(of: 2) == 1)
        #expect(BarChart(values: [0, 0]).fraction(of: 0) == 0)
        for orientation in [BarChart.Orientation.horizontal, .vertical] {
            var chart = Self.probabilities
            chart.orientation = orientation
            #expect(!WidgetRender.drawsOutside { area, buffer in
                chart.render(in: area, into: &buffer, capabilities: WidgetRender.unicode)
            })
        }
    }
}
