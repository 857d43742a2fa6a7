import Formats
import Foundation
import Kernels

/// A one-line error for the command line: what is wrong, naming the file or option.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reading and writing `.npy` files as tensors at the command-line boundary.
enum ArrayFiles {
    /// Reads a float32 or float64 `.npy` file as a float32 tensor; `role` names the array in errors.
    static func readFloatTensor(_ path: String, role: String) throws -> (tensor: Tensor<Float>, dtype: DType) {
        let array: NDArray
        do {
            array = try NumpyFile.read(contentsOf: URL(fileURLWithPath: path))
        } catch let error as FormatError {
            throw CommandError("\(role): \(error)")
        }
        guard array.dtype == .float32 || array.dtype == .float64 else {
            throw CommandError("\(role): \(path) has dtype \(array.dtype.rawValue); expected float32 or float64")
        }
        return (Tensor(shape: array.shape, elements: array.floats()), array.dtype)
    }

    /// Fails if any of `paths` exists (unless `overwrite`) or two of them are the same file, so a command
    /// can refuse before computing anything.
    static func checkWritable(_ paths: [String], overwrite: Bool) throws {
        let resolved = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        if Set(resolved).count != resolved.count {
            throw CommandError("output files must be distinct: \(paths.joined(separator: ", "))")
        }
        if !overwrite, let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw CommandError("\(existing) already exists; pass --force to overwrite it")
        }
    }

    /// Writes a tensor as `.npy` in `dtype` (float32 or float64), atomically.
    static func write(_ tensor: Tensor<Float>, to path: String, dtype: DType, overwrite: Bool) throws {
        let array = dtype == .float64
            ? NDArray(shape: tensor.shape, doubles: tensor.elements.map(Double.init))
            : NDArray(shape: tensor.shape, floats: tensor.elements)
        do {
            try NumpyFile.write(array, to: URL(fileURLWithPath: path), overwrite: overwrite)
        } catch let error as FormatError {
            throw CommandError("\(error)")
        }
    }
}
