import Foundation

/// Progress of a sweep on standard error: a redrawn bar on a terminal, plain lines otherwise.
///
/// Points skipped because a previous run measured them count as done but not toward the ETA, which
/// is the mean time of the points measured so far times the points left. Thread-safe.
public final class ProgressReporter: @unchecked Sendable {
    public enum Mode: Sendable, Equatable {
        /// One line redrawn with `\r`: bar, percent, done/total, ETA, last point. For terminals.
        case bar
        /// One plain line per completed point. For logs and pipes.
        case lines
        /// Nothing (`--quiet`, or `--json` where standard output must stay machine-readable).
        case silent

        /// `.silent` when quiet or JSON output is asked for, else `.bar` if standard error is a
        /// terminal and `.lines` if not.
        public static func automatic(quiet: Bool, json: Bool) -> Mode {
            if quiet || json { return .silent }
            return isatty(STDERR_FILENO) != 0 ? .bar : .lines
        }
    }

    public let mode: Mode
    private let label: String
    private let total: Int
    private let write: @Sendable (String) -> Void
    private let clock = ContinuousClock()
    private let lock = NSLock()
    private var done = 0
    private var measured = 0
    private var measuringSince: ContinuousClock.Instant
    private var measuringSeconds = 0.0

    /// - Parameters:
    ///   - total: points in the sweep (this shard's share).
    ///   - label: shown before the bar, e.g. the experiment name.
    ///   - write: where text goes; standard error by default.
    public init(total: Int, label: String, mode: Mode,
                write: @escaping @Sendable (String) -> Void = { text in FileHandle.standardError.write(Data(text.utf8)) }) {
        self.total = max(0, total)
        self.label = label
        self.mode = mode
        self.write = write
        measuringSince = clock.now
    }

    /// Counts `count` points as already done (measured by an earlier run).
    public func skipped(_ count: Int) {
        guard count > 0 else { return }
        let text: String? = lock.withLock {
            done += count
            measuringSince = clock.now
            switch mode {
            case .bar: return barLine(point: "resumed: \(count) done before")
            case .lines: return "[\(label)] \(done)/\(total) resumed: \(count) points done before\n"
            case .silent: return nil
            }
        }
        text.map(write)
    }

    /// Counts one point as measured now; `point` describes it (e.g. "N=1024").
    public func completed(_ point: String) {
        let text: String? = lock.withLock {
            let now = clock.now
            measuringSeconds += (now - measuringSince).seconds
            measuringSince = now
            done += 1
            measured += 1
            switch mode {
            case .bar: return barLine(point: point)
            case .lines: return "[\(label)] \(done)/\(total) \(point) (ETA \(eta()))\n"
            case .silent: return nil
            }
        }
        text.map(write)
    }

    /// Ends the bar's line (so later output starts on a fresh line).
    public func finish() {
        if mode == .bar { write("\n") }
    }

    /// "\r<label> [#####-----]  42% 21/50 ETA 1m05s <point>" followed by clear-to-end-of-line.
    private func barLine(point: String) -> String {
        let width = 30
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = String(format: "%3d%%", Int((fraction * 100).rounded(.down)))
        return "\r\(label) [\(bar)] \(percent) \(done)/\(total) ETA \(eta()) \(point)\u{1B}[K"
    }

    /// Remaining time from the mean of the points measured so far; "?" before the first.
    private func eta() -> String {
        guard measured > 0 else { return "?" }
        return Self.duration(measuringSeconds / Double(measured) * Double(max(0, total - done)))
    }

    /// "12s", "3m05s", "1h02m".
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
    }
}
