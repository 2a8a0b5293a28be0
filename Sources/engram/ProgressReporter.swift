import ArgumentParser
import Foundation
import Glibc

/// How a long command shows progress.
enum ProgressStyle: String, ExpressibleByArgument, CaseIterable {
    /// A bar on a terminal, plain lines otherwise.
    case auto
    case bar
    case lines
    case none
}

/// Progress of a long command on standard error: on a terminal a bar redrawn in place (done/total,
/// rate, time left), otherwise a plain line every few seconds, for logs.
final class ProgressReporter {
    let title: String
    let style: ProgressStyle
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var lastDone = -1

    init(title: String, style: ProgressStyle) {
        self.title = title
        self.style = style == .auto ? (isatty(STDERR_FILENO) == 1 ? .bar : .lines) : style
    }

    /// Reports `done` of `total` (nil when unknown); drawn at most 10 times a second (a line every 5 s).
    func update(done: Int, total: Int?, force: Bool = false) {
        guard style != .none, done != lastDone || force else { return }
        let now = Date()
        let interval = style == .bar ? 0.1 : 5
        let finished = total.map { done >= $0 } ?? false
        guard force || finished || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        lastDone = done
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var text = "\(title): \(Self.grouped(done))"
        if let total, total > 0 {
            text += "/\(Self.grouped(total)) (\(min(100, done * 100 / total))%)"
        }
        text += ", \(Self.grouped(Int(rate)))/s"
        if let total, rate > 0, done < total {
            text += ", \(Self.duration(Double(total - done) / rate)) left"
        } else {
            text += ", \(Self.duration(elapsed)) elapsed"
        }
        switch style {
        case .bar:
            let width = 30
            let filled = total.map { $0 > 0 ? min(width, done * width / $0) : width } ?? 0
            let bar = total == nil ? "" : "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            Self.write("\r\u{1B}[2K" + bar + text)
        case .lines:
            Self.write(text + "\n")
        case .auto, .none:
            break
        }
    }

    /// Ends the bar's line.
    func finish() {
        if style == .bar { Self.write("\n") }
    }

    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    /// `1h02m`, `3m04s`, `12s`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h" + String(format: "%02dm", (total % 3600) / 60) }
        if total >= 60 { return "\(total / 60)m" + String(format: "%02ds", total % 60) }
        return "\(total)s"
    }
}
