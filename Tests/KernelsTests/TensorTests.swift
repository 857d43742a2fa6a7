import Testing
@testable import Kernels

@Suite("Tensor storage, views and random fills")
struct TensorTests {
    @Test("storage is 64-byte aligned")
    func alignment() {
        for count in [1, 7, 17, 63, 65, 129] {
            let t = Tensor<Float>(zeros: [count])
            t.withUnsafeBufferPointer { #expect(Int(bitPattern: $0.baseAddress!) % 64 == 0) }
        }
    }

    @Test("copies share storage until one writes (copy-on-write)")
    func copyOnWrite() {
        let a = Tensor<Float>(shape: [2, 3], elements: [1, 2, 3, 4, 5, 6])
        var b = a
        #expect(a.storage === b.storage)
        b[1, 2] = 60
        #expect(a.storage !== b.storage)
        #expect(a[1, 2] == 6 && b[1, 2] == 60)
    }

    @Test("slice and row-block views read the parent's elements without copying")
    func views() {
        let t = Tensor<Double>(shape: [2, 3, 4], generator: { Double($0[0] * 100 + $0[1] * 10 + $0[2]) })
        let head = t.slice(1)
        #expect(head.shape == [3, 4] && head.storage === t.storage)
        #expect(head[2, 3] == 123)
        let block = head.rows(1..<3)
        #expect(block.shape == [2, 4] && block.elements == [110, 111, 112, 113, 120, 121, 122, 123])
        var edited = block
        edited[0, 0] = -1
        #expect(t[1, 1, 0] == 110 && edited.elements.count == 8 && edited[0, 0] == -1)
        #expect(t.reshaped([6, 4]).slice(5).elements == [120, 121, 122, 123])
    }

    @Test("random fills are reproducible from the seed and have the asked moments")
    func randomFills() {
        let a = Tensor<Float>.normal([100_000], mean: 2, std: 3, seed: 42)
        #expect(a == Tensor<Float>.normal([100_000], mean: 2, std: 3, seed: 42))
        #expect(a != Tensor<Float>.normal([100_000], mean: 2, std: 3, seed: 43))
        let values = a.elements.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 2) < 0.05 && abs(variance.squareRoot() - 3) < 0.05)
        let u = Tensor<Double>.uniform([100_000], low: -1, high: 5, seed: 1).elements
        #expect(u.allSatisfy { $0 >= -1 && $0 < 5 })
        #expect(abs(u.reduce(0, +) / Double(u.count) - 2) < 0.05)
    }

    @Test("Float ⇄ Double conversion keeps values")
    func conversion() {
        let t = Tensor<Float>.uniform([5, 7], seed: 3)
        #expect(t.converted(to: Double.self).converted(to: Float.self) == t)
    }
}

@Suite("parallelFor")
struct ParallelTests {
    @Test("every item runs exactly once, on workers in range", arguments: [0, 1, 2, 7, 1000])
    func coverage(count: Int) {
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
        hits.initialize(repeating: 0)
        defer { hits.deallocate() }
        let shared = UncheckedSendable(hits)
        let workers = parallelForWorkers(count, threads: 3) { item, worker in
            precondition(worker >= 0 && worker < 3)
            shared.value[item] += 1
        }
        #expect(workers == min(count, 3))
        #expect(hits.prefix(count).allSatisfy { $0 == 1 })
    }

    @Test("the fixed hand-out gives item i to worker i mod W, each item once", arguments: [0, 1, 2, 7, 1000])
    func fixedAssignment(count: Int) {
        let owner = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
        owner.initialize(repeating: -1)
        defer { owner.deallocate() }
        let shared = UncheckedSendable(owner)
        let workers = parallelForFixedWorkers(count, threads: 3) { item, worker in
            precondition(shared.value[item] == -1, "item \(item) ran twice")
            shared.value[item] = worker
        }
        #expect(workers == min(count, 3))
        #expect((0..<count).allSatisfy { owner[$0] == $0 % workers })
    }
}
