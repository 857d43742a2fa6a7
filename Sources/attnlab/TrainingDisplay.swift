import Foundation
import Training

/// Training progress on standard error: a bar redrawn at most 10 times a second on a terminal, a
/// plain line every 5% otherwise, nothing with `--json`.
final class TrainingDisplay {
    enum Mode { case bar, lines, silent }

    let mode: Mode
    let task: String
    private var lastDrawn = 0.0

    init(mode: Mode, task: String) {
        self.mode = mode
        self.task = task
    }

    func update(_ progress: TrainingProgress) {
        let last = progress.step == progress.totalSteps
        switch mode {
        case .silent:
            return
        case .bar:
            let now = Date().timeIntervalSince1970
            guard last || now - lastDrawn >= 0.1 else { return }
            lastDrawn = now
            let filled = 24 * progress.step / progress.totalSteps
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled)
            write("\r\(task) [\(bar)] \(summary(progress))\u{1B}[K")
        case .lines:
            guard last || progress.step % max(1, progress.totalSteps / 20) == 0 else { return }
            write("[\(task)] \(summary(progress))\n")
        }
    }

    func finish() {
        if mode == .bar { write("\n") }
    }

    /// "step 120/7500 loss 0.12345 metric 0.9876 312.4 steps/s ETA 23s".
    private func summary(_ p: TrainingProgress) -> String {
        let left = Int(p.secondsLeft.rounded())
        let eta = left < 60 ? "\(left)s" : String(format: "%dm%02ds", left / 60, left % 60)
        return "step \(p.step)/\(p.totalSteps) loss \(format(p.loss, digits: 5)) metric \(format(p.metric, digits: 4)) "
            + "\(format(p.stepsPerSecond, digits: 1)) steps/s ETA \(eta)"
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
