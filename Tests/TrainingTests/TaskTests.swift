import Testing
@testable import Training

@Suite struct TaskTests {
    /// A batch of `count` examples of `task` under `model`.
    private func examples(_ task: TaskDescription, count: Int, split: DataSplit = .training, seed: UInt64 = 4) throws -> Batch {
        let batch = Batch(model: task.defaultModel(), capacity: count)
        let data = try task.prepare(seed: seed)
        for slot in 0..<count { data.fill(batch, slot: slot, split: split, index: slot) }
        batch.count = count
        return batch
    }

    @Test func mqarPlacesPairsThenQueries() throws {
        let task = MQARTask(vocabulary: 64, length: 40, pairs: 5)
        let batch = try examples(.mqar(task), count: 20)
        for example in 0..<20 {
            let tokens = (0..<40).map { Int(batch.tokens!.pointer[example * 40 + $0]) }
            let targets = (0..<40).map { Int(batch.classTargets!.pointer[example * 40 + $0]) }
            let pairs = Dictionary(uniqueKeysWithValues: (0..<5).map { (tokens[2 * $0], tokens[2 * $0 + 1]) })
            #expect(pairs.count == 5 && pairs.keys.allSatisfy { (1..<32).contains($0) })
            #expect(Set(pairs.values).count == 5 && pairs.values.allSatisfy { (32..<64).contains($0) })
            let queries = targets.indices.filter { targets[$0] >= 0 }
            #expect(queries.count == 5)
            for position in queries {
                #expect(position >= 10 && (position - 10) % 2 == 0)
                #expect(pairs[tokens[position]] == targets[position])
            }
            #expect(Set(queries.map { tokens[$0] }) == Set(pairs.keys))
        }
    }

    @Test func mqarGapsFavourShortDistances() throws {
        let batch = try examples(.mqar(MQARTask(vocabulary: 64, length: 128, pairs: 4)), count: 200)
        var near = 0, far = 0
        for i in 0..<(200 * 128) where batch.classTargets!.pointer[i] >= 0 {
            let gap = (i % 128 - 8) / 2
            if gap < 10 { near += 1 } else if gap >= 50 { far += 1 }
        }
        #expect(near > far)
    }

    @Test func copyRepeatsTheStringAfterTheSeparator() throws {
        let task = CopyTask(minLength: 3, maxLength: 7)
        let batch = try examples(.copy(task), count: 30)
        let n = task.sequenceLength
        for example in 0..<30 {
            let tokens = (0..<n).map { batch.tokens!.pointer[example * n + $0] }
            let targets = (0..<n).map { batch.classTargets!.pointer[example * n + $0] }
            let length = tokens.firstIndex(of: CopyTask.separator)! - 1
            #expect((3...7).contains(length) && tokens[0] == CopyTask.start && tokens[2 * length + 2] == CopyTask.end)
            #expect(Array(tokens[1...length]) == Array(tokens[(length + 2)...(2 * length + 1)]))
            #expect(Array(targets[(length + 1)...(2 * length)]) == Array(tokens[1...length]))
            #expect(targets.filter { $0 >= 0 }.count == length)
        }
    }

    @Test func dRetrievalTargetIsTheSumOfMaxima() throws {
        let task = DRetrievalTask(length: 6, targets: 3, trainSamples: 8, validationSamples: 50)
        let data = task.prepare(seed: 2) as! DRetrievalTask.Data
        let batch = try examples(.dRetrieval(task), count: 4, seed: 2)
        for example in 0..<4 {
            let x = batch.vectors!.pointer + example * 24
            var y: Float = 0
            for i in 0..<3 {
                y += (0..<6).map { t in (0..<4).reduce(Float(0)) { $0 + data.directions[i * 4 + $1] * x[t * 4 + $1] } }.max()!
            }
            #expect(abs(y - batch.valueTargets!.pointer[example]) <= 1e-5)
        }
        #expect(data.targetVariance > 0.1)
    }

    @Test func examplesDependOnlyOnSeedSplitAndIndex() throws {
        let task = TaskDescription.mqar(MQARTask())
        let a = try examples(task, count: 3), b = try examples(task, count: 3)
        let c = try examples(task, count: 3, split: .validation)
        let tokens = { (batch: Batch) in (0..<384).map { batch.tokens!.pointer[$0] } }
        #expect(tokens(a) == tokens(b) && tokens(a) != tokens(c))
    }

    @Test func textWindowsPredictTheNextByte() throws {
        let task = try TextTask(path: nil, context: 16)
        let batch = try examples(.text(task), count: 2)
        let text = Array(textSample.utf8)
        #expect((0..<16).map { UInt8(batch.tokens!.pointer[16 + $0]) } == Array(text[1..<17]))
        #expect((0..<16).map { UInt8(batch.classTargets!.pointer[16 + $0]) } == Array(text[2..<18]))
        #expect(throws: TrainingError.self) { try TextTask(path: nil, context: 500) }
    }
}
