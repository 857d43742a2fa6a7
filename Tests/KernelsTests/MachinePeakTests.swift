import Kernels
import Testing

@Suite("Machine peak")
struct MachinePeakTests {
    @Test func isMeasuredOnceAndCached() {
        let first = MachinePeak.measured(threads: 1)
        #expect(first.isFinite && first > 0.1)
        #expect(MachinePeak.measured(threads: 1) == first)
    }
}
