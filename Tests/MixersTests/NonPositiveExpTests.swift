import Foundation
import Kernels
import Testing
@testable import Mixers

/// `nonPositiveExp` (elu+1's exp) against Foundation's Double exp on a dense sweep of [−90, 0]: relative
/// error ≤ 5e-7 where e^x is a normal float (x ≥ −87), below that 0 or within one subnormal step; NaN stays NaN.
@Suite("the exp of elu's negative branch")
struct NonPositiveExpTests {
    @Test func matchesDoubleExpOnNonPositiveInputs() {
        var worst = 0.0
        for step in 0...90_000 {
            let x = -Float(step) / 1000
            let lanes = MixerVector(repeating: x) - MixerVector(InstructionSet.vectorLaneIndices) * 1e-4
            let values = nonPositiveExp(lanes)
            for lane in 0..<mixerLanes {
                let exact = Foundation.exp(Double(lanes[lane]))
                if lanes[lane] >= -87 {
                    worst = max(worst, abs(Double(values[lane]) - exact) / exact)
                } else {
                    // Flushed to 0 (x ≲ −87.7), or a subnormal-range product within one subnormal step.
                    let error = abs(Double(values[lane]) - exact)
                    #expect(values[lane] == 0 || error <= 5e-7 * exact + 0x1p-149, "x = \(lanes[lane])")
                }
            }
        }
        #expect(worst <= 5e-7, "max relative error \(worst)")
    }

    @Test func keepsNaNAndMapsZeroToOne() {
        let values = nonPositiveExp(MixerVector(repeating: .nan).replacing(with: 0, where: InstructionSet.vectorLaneIndices .== 0))
        #expect(abs(values[0] - 1) <= 2e-7)
        for lane in 1..<mixerLanes { #expect(values[lane].isNaN) }
    }
}
