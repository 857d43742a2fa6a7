import Foundation

/// Softmax cross-entropy over a vocabulary with an ignore mask, fused with its gradient (llm.c style).
///
/// Shapes: logits `[R, V]`, targets `[R]` (a class in 0..<V, or −1: position ignored). The loss is
/// `scale · Σ_{r not ignored} (logsumexp(logits_r) − logits_r[target_r])`; the caller passes
/// scale = 1/(targets counted over the whole batch), so the replicas' losses add up to the mean.
/// `forward` also writes dlogits = scale·(softmax − onehot) (zero on ignored rows), and whether each
/// counted row's arg-max is its target. Cost O(R·V) with one exp per logit.
final class SoftmaxCrossEntropyLayer {
    let classes: Int
    /// `[capacity, V]`: ∂loss/∂logits after `forward`.
    let gradInput: FloatBuffer
    /// `[capacity]`: 1 where the arg-max equals the target, else 0 (ignored rows: 0).
    let correct: FloatBuffer

    init(classes: Int, rows: Int) {
        self.classes = classes
        gradInput = FloatBuffer(count: rows * classes)
        correct = FloatBuffer(count: rows)
    }

    /// The scaled loss summed over the counted rows (Double accumulation).
    func forward(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, scale: Float) -> Double {
        var loss = 0.0
        for r in 0..<rows {
            let z = logits + r * classes, g = gradInput.pointer + r * classes
            let target = Int(targets[r])
            guard target >= 0 else {
                g.update(repeating: 0, count: classes)
                correct.pointer[r] = 0
                continue
            }
            var best = 0
            for j in 1..<classes where z[j] > z[best] { best = j }
            let top = z[best]
            var total: Float = 0
            for j in 0..<classes {
                g[j] = Foundation.exp(z[j] - top)
                total += g[j]
            }
            loss += Double(Foundation.log(total) + top - z[target])
            let factor = scale / total
            for j in 0..<classes { g[j] *= factor }
            g[target] -= scale
            correct.pointer[r] = best == target ? 1 : 0
        }
        return loss * Double(scale)
    }

    /// The Float64 reference loss.
    static func reference(_ logits: [Double], targets: [Int32], classes: Int, scale: Double) -> Double {
        var loss = 0.0
        for (r, target) in targets.enumerated() where target >= 0 {
            let row = logits[(r * classes)..<((r + 1) * classes)]
            let top = row.max()!
            loss += Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) }) + top - row[r * classes + Int(target)]
        }
        return loss * scale
    }
}
