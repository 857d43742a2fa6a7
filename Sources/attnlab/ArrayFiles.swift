import Formats
import Foundation
import Kernels

/// A one-line error for the command line: what is wrong, naming the file or option.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    /// Line breaks in `description` become spaces: every error is one line.
    init(_ description: String) {
        self.description = description.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Reading and writing `.npy` files as tensors at the command-line boundary.
enum ArrayFiles {
    /// Reads a float32 or float64 `.npy` file as a float32 tensor; `role` names the array in errors. With
    /// `checkFinite`, refuses an array holding NaN, ±inf or a value beyond float32's range, naming the
    /// index of the first one.
    static func readFloatTensor(_ path: String, role: String,
                                checkFinite: Bool) throws -> (tensor: Tensor<Float>, dtype: DType) {
        let array: NDArray
        do {
            array = try NumpyFile.read(contentsOf: URL(fileURLWithPath: path))
        } catch let error as FormatError {
            throw CommandError("\(role): \(error)")
        }
        guard array.dtype == .float32 || array.dtype == .float64 else {
            throw CommandError("\(role): \(path) has dtype \(array.dtype.rawValue); expected float32 or float64")
        }
        if checkFinite, let bad = array.firstNonFinite(inFloat32: true) {
            throw CommandError("\(role): \(path) has \(bad); pass --no-check-finite to compute with it anyway")
        }
        return (Tensor(shape: array.shape, elements: array.floats()), array.dtype)
    }

    /// The `.npy` bytes of a tensor in `dtype` (float32 or float64).
    static func npy(_ tensor: Tensor<Float>, dtype: DType) -> Data {
        NumpyFile.encode(dtype == .float64
            ? NDArray(shape: tensor.shape, doubles: tensor.elements.map(Double.init))
            : NDArray(shape: tensor.shape, floats: tensor.elements))
    }

    /// Throws unless every element of the results is finite: an overflow in the computation (inputs that
    /// were finite, scores beyond float32's range) must not be written as if it were an answer.
    static func checkFinite(_ results: [(name: String, tensor: Tensor<Float>)]) throws {
        for (name, tensor) in results {
            if let offset = tensor.elements.firstIndex(where: { !$0.isFinite }) {
                throw CommandError("the \(name) overflowed float32 (element \(offset) is \(tensor.elements[offset])); "
                    + "nothing was written: scale the inputs or --scale down")
            }
        }
    }
}
