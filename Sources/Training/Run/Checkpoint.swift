import Foundation
import Formats

/// A training checkpoint: one safetensors file `checkpoint.safetensors` in a directory, written
/// atomically (temporary file, flush, rename), so a killed run leaves the previous checkpoint whole.
///
/// Tensors: every parameter under its name (F32, shapes as registered), `optimizer.first_moment` and
/// `optimizer.second_moment` (flat, F32) and `loss_curve` (`[step]`, F32). Metadata: `format`,
/// `configuration` (the `TrainingConfiguration` as JSON), `step` and `examples` (the data position, step × batch).
public enum Checkpoint {
    public static let fileName = "checkpoint.safetensors"
    static let format = "attnlab-training-checkpoint-1"

    /// The checkpoint file of `directory`.
    public static func file(in directory: URL) -> URL { directory.appendingPathComponent(fileName) }

    /// Writes the trainer's state to `directory` (created if missing), replacing its checkpoint.
    public static func save(_ trainer: Trainer, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = try encode(trainer.configuration)
        var tensors = SafeTensors(metadata: [
            "format": format, "configuration": configuration, "step": String(trainer.step),
            "examples": String(trainer.step * trainer.configuration.batchSize),
        ])
        let store = trainer.model.parameters
        let values = store.buffer.pointer
        for entry in store.entries {
            tensors[entry.name] = NDArray(shape: entry.shape,
                                          floats: Array(UnsafeBufferPointer(start: values + entry.offset, count: entry.count)))
        }
        tensors["optimizer.first_moment"] = NDArray(shape: [store.count], floats: trainer.optimizer.firstMoment.elements)
        tensors["optimizer.second_moment"] = NDArray(shape: [store.count], floats: trainer.optimizer.secondMoment.elements)
        tensors["loss_curve"] = NDArray(shape: [trainer.lossCurve.count], floats: trainer.lossCurve)
        try SafeTensorsFile.write(tensors, to: file(in: directory), overwrite: true)
    }

    /// The configuration stored in the checkpoint of `directory`, or nil when there is no checkpoint.
    /// Throws `.corruptCheckpoint` when the file is unreadable or not a training checkpoint.
    public static func configuration(in directory: URL) throws -> TrainingConfiguration? {
        guard FileManager.default.fileExists(atPath: file(in: directory).path) else { return nil }
        return try decodeConfiguration(read(directory), directory: directory)
    }

    /// A trainer in the state saved in `directory`. Throws `.corruptCheckpoint` for a damaged or
    /// inconsistent file.
    public static func restore(from directory: URL) throws -> Trainer {
        let tensors = try read(directory)
        let configuration = try decodeConfiguration(tensors, directory: directory)
        let trainer = try Trainer(configuration)
        let path = file(in: directory).path
        func corrupt(_ problem: String) -> TrainingError { .corruptCheckpoint("\(path): \(problem)") }
        guard let step = tensors.metadata["step"].flatMap(Int.init), step >= 0, step <= configuration.steps else {
            throw corrupt("no valid step")
        }
        func floats(_ name: String, shape: [Int]) throws -> [Float] {
            guard let array = tensors[name], array.shape == shape, array.dtype == .float32 else {
                throw corrupt("tensor \(name) missing or not F32 \(shape)")
            }
            return array.floats()
        }
        let store = trainer.model.parameters
        for entry in store.entries {
            let values = try floats(entry.name, shape: entry.shape)
            values.withUnsafeBufferPointer { (store.buffer.pointer + entry.offset).update(from: $0.baseAddress!, count: entry.count) }
        }
        trainer.optimizer.firstMoment.load(try floats("optimizer.first_moment", shape: [store.count]))
        trainer.optimizer.secondMoment.load(try floats("optimizer.second_moment", shape: [store.count]))
        trainer.lossCurve = try floats("loss_curve", shape: [step])
        trainer.step = step
        return trainer
    }

    private static func read(_ directory: URL) throws -> SafeTensors {
        do {
            return try SafeTensorsFile.read(contentsOf: file(in: directory))
        } catch let error as FormatError {
            throw TrainingError.corruptCheckpoint(error.description)
        }
    }

    private static func decodeConfiguration(_ tensors: SafeTensors, directory: URL) throws -> TrainingConfiguration {
        let path = file(in: directory).path
        guard tensors.metadata["format"] == format, let text = tensors.metadata["configuration"],
              let configuration = try? JSONDecoder().decode(TrainingConfiguration.self, from: Data(text.utf8))
        else {
            throw TrainingError.corruptCheckpoint("\(path): not an attnlab training checkpoint")
        }
        return configuration
    }

    static func encode(_ configuration: TrainingConfiguration) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }
}
