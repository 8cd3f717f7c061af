/// One line of progress: a label, a bar filled to the nearest eighth of a cell (`#` and `-` in
/// ASCII), the percentage, and optional detail text such as "1,234/1,719  23,000 img/s  ETA 0:12":
///
/// ```
/// epoch 3 ██████████▍░░░░░░░░░  52%  1,234/2,370  23,000 img/s  ETA 0:12
/// ```
///
/// The bar takes the width left over. When it would be narrower than `minimumBarWidth`, the detail
/// is dropped, then the label. The bar is green in colour; the empty track is dim.
public struct ProgressBar: Hashable, Sendable {
    public var label: String
    /// How much is done, 0...1 (clamped when drawn; NaN counts as 0).
    public var fraction: Double
    /// Text after the bar (see `detailText`).
    public var detail: String
    public var showsPercentage: Bool
    public var minimumBarWidth: Int

    public init(label: String = "", fraction: Double, detail: String = "", showsPercentage: Bool = true,
                minimumBarWidth: Int = 5) {
        self.label = label
        self.fraction = fraction
        self.detail = detail
        self.showsPercentage = showsPercentage
        self.minimumBarWidth = minimumBarWidth
    }

    /// Progress through `total` items at `rate` items a second: the fraction, and the detail
    /// "completed/total  rate unit  ETA m:ss" (the rate and ETA left out when `rate` is nil or not positive).
    public init(label: String = "", completed: Int, total: Int, rate: Double? = nil, rateUnit: String = "/s") {
        let fraction = total > 0 ? Double(completed) / Double(total) : 0
        self.init(label: label, fraction: fraction,
                  detail: ProgressBar.detailText(completed: completed, total: total, rate: rate, rateUnit: rateUnit))
    }

    /// The fraction as drawn: clamped to 0...1.
    public var clampedFraction: Double { fraction.isNaN ? 0 : min(1, max(0, fraction)) }

    /// Draws on the first row of `area`, clipped to it.
    public func render(in area: Rect, into buffer: inout CellBuffer, capabilities: TerminalCapabilities) {
        guard !area.isEmpty else { return }
        let glyphs = capabilities.glyphs.glyphs
        let mono = capabilities.colors == .monochrome
        let percent = showsPercentage ? " " + ProgressBar.percentText(clampedFraction) : ""
        var label = glyphs.text(self.label)
        var detail = glyphs.text(self.detail)
        func barWidth() -> Int {
            area.width - (label.isEmpty ? 0 : label.count + 1) - percent.count - (detail.isEmpty ? 0 : detail.count + 2)
        }
        if barWidth() < minimumBarWidth { detail = "" }
        if barWidth() < minimumBarWidth { label = "" }
        let width = max(0, barWidth())
        let y = area.y
        var x = area.x
        if !label.isEmpty { x = buffer.write(label + " ", x: x, y: y, clip: area) }
        let filled = glyphs.horizontalBar(fraction: clampedFraction, width: width)
        x = buffer.write(filled, x: x, y: y, style: mono ? .plain : Style(foreground: .green), clip: area)
        x = buffer.write(String(repeating: glyphs.track, count: max(0, width - filled.count)), x: x, y: y,
                         style: .dim, clip: area)
        // With no room for a bar, the percentage starts at the left edge.
        x = buffer.write(width == 0 ? String(percent.dropFirst()) : percent, x: x, y: y, clip: area)
        if !detail.isEmpty { buffer.write("  " + detail, x: x, y: y, clip: area) }
    }

    /// "  7%", " 52%", "100%": whole percent, right-aligned in four columns. Only a finished task
    /// shows 100%.
    public static func percentText(_ fraction: Double) -> String {
        let clamped = fraction.isNaN ? 0 : min(1, max(0, fraction))
        let percent = clamped >= 1 ? 100 : min(99, Int(clamped * 100))
        let text = "\(percent)%"
        return String(repeating: " ", count: max(0, 4 - text.count)) + text
    }

    /// "1,234/1,719  23,000 img/s  ETA 0:12"; the rate and ETA only when `rate` is positive.
    public static func detailText(completed: Int, total: Int, rate: Double?, rateUnit: String = "/s") -> String {
        var parts = [groupedCount(completed) + "/" + groupedCount(total)]
        if let rate, rate > 0, rate.isFinite {
            parts.append(rateText(rate, unit: rateUnit))
            parts.append("ETA " + durationText(seconds: Double(max(0, total - completed)) / rate))
        }
        return parts.joined(separator: "  ")
    }

    /// `count` with a comma every three digits: "1,234,567".
    public static func groupedCount(_ count: Int) -> String {
        let digits = String(count.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return count < 0 ? "-" + grouped : grouped
    }

    /// A rate with a sensible precision: "23,000 img/s" from 100 up, "12.5 img/s" from 10, "2.35 img/s"
    /// below. `unit` is appended with a space unless it starts with "/" ("3.5/s").
    public static func rateText(_ rate: Double, unit: String) -> String {
        let number: String
        if !rate.isFinite {
            number = NumberGrid.format(rate, decimals: 0)
        } else if rate.magnitude >= 99.5 {
            number = groupedCount(Int(rate.rounded()))
        } else if rate.magnitude >= 9.95 {
            number = NumberGrid.format(rate, decimals: 1)
        } else {
            number = NumberGrid.format(rate, decimals: 2)
        }
        if unit.isEmpty { return number }
        return unit.hasPrefix("/") ? number + unit : number + " " + unit
    }

    /// A duration as "m:ss" under an hour and "h:mm:ss" from an hour, rounded to the second;
    /// "-:--" when unknown (negative, NaN or infinite).
    public static func durationText(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "-:--" }
        let total = Int(seconds.rounded())
        let hours = total / 3600, minutes = total / 60 % 60, secs = total % 60
        func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }
}
