import Formats
import Foundation
import Kernels
import Mixers

/// A Mamba block read from a safetensors file holding `mamba_simple.py`'s tensors by their PyTorch names
/// (`in_proj.weight`, `conv1d.weight` as `[E, K]` or `[E, 1, K]`, `conv1d.bias`, `x_proj.weight`,
/// `dt_proj.weight`, `dt_proj.bias`, `A_log`, `D`, `out_proj.weight`; float32/float64; no biases on the
/// in/out projections). The sizes (expand, d_state, d_conv, dt_rank) are read from the shapes.
enum MambaWeightsFile {
    /// The block for model width `m` from the file at `path`. Errors name the file and the tensor.
    static func read(_ path: String, modelWidth m: Int) throws -> MambaMixer {
        let file: SafeTensors
        do {
            file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: path))
        } catch let error as FormatError {
            throw CommandError("weights: \(error)")
        }
        func array(_ p: MambaParameter) throws -> NDArray {
            guard let array = file[p.rawValue] else { throw CommandError("weights: \(path) has no tensor '\(p.rawValue)'") }
            guard array.isFloatingPoint else {
                throw CommandError("weights: '\(p.rawValue)' in \(path) has dtype \(array.dtype.rawValue); expected a float type")
            }
            return array
        }
        let inProjection = try array(.inProjection).shape, aLog = try array(.aLog).shape
        let convolution = try array(.convolutionWeight).shape, dtProjection = try array(.dtProjection).shape
        guard inProjection.count == 2, inProjection[1] == m, inProjection[0] >= 2 * m, inProjection[0] % (2 * m) == 0,
              aLog.count == 2, dtProjection.count == 2, let width = convolution.last else {
            throw CommandError("weights: \(path) does not hold a Mamba block of width \(m): in_proj.weight \(inProjection), "
                + "A_log \(aLog), dt_proj.weight \(dtProjection) (expected [2E, \(m)], [E, S], [E, R])")
        }
        let configuration = MambaConfiguration(modelWidth: m, stateSize: aLog[1], convolutionWidth: width,
                                               expand: inProjection[0] / (2 * m), dtRank: dtProjection[1])
        var parameters: MambaParameters
        do {
            parameters = try MambaParameters(configuration)
        } catch let error as MixerError {
            throw CommandError("weights: \(path): \(error)")
        }
        for p in MambaParameter.allCases {
            let stored = try array(p), expected = p.shape(configuration)
            let matches = stored.shape == expected
                || (p == .convolutionWeight && stored.shape == [expected[0], 1, expected[1]])
            guard matches else {
                throw CommandError("weights: '\(p.rawValue)' in \(path) has shape \(stored.shape); expected \(expected)")
            }
            parameters[p] = Tensor(shape: expected, elements: stored.floats())
        }
        return MambaMixer(parameters: parameters)
    }
}
