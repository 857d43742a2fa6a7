import Kernels

/// Where `ChunkedFeatureAttentionBackward` gets the features of a chunk of rows and sends their gradients.
/// Rows are flat indices into the G·N rows of q and k; feature blocks are `[rows, r]`.
protocol ChunkFeatureSource {
    /// r.
    var features: Int { get }
    /// φ(q) of `rows` (times the query signs, if any) into `out`.
    func queryFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>)
    /// φ(k) of `rows` into `out`.
    func keyFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>)
    /// Consumes dφq of `rows` (with the features `queryFeatures` gave; both buffers may be overwritten).
    func queryGradient(_ rows: Range<Int>, features: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>)
    /// Consumes dφk of `rows` (as `queryGradient`).
    func keyGradient(_ rows: Range<Int>, features: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>)
}

/// A `FeatureMap` applied to raw q, k `[G·N, D]` chunk by chunk, its gradients mapped straight into
/// dq, dk `[G·N, D]` (each row written once). Cost per row: the map's φ, and its backward.
struct FeatureMapChunks<Map: FeatureMap>: ChunkFeatureSource {
    let featureMap: Map
    let features: Int, headDimension: Int
    /// Multiplies q·k inside the map (see each map).
    let scale: Float
    let querySigns: [Float]?
    let q: UnsafePointer<Float>, k: UnsafePointer<Float>
    let dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>

    func queryFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        featureMap.apply(q + rows.lowerBound * headDimension, rows: rows.count, d: headDimension, scale: scale, into: out)
        if let querySigns { multiplyRows(out, rows: rows.count, by: querySigns) }
    }

    func keyFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        featureMap.apply(k + rows.lowerBound * headDimension, rows: rows.count, d: headDimension, scale: scale, into: out)
    }

    /// The signs are ±1: one more multiply turns the signed features and their gradient into the map's own.
    func queryGradient(_ rows: Range<Int>, features: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
        if let querySigns {
            multiplyRows(features, rows: rows.count, by: querySigns)
            multiplyRows(gradient, rows: rows.count, by: querySigns)
        }
        mapBack(q, rows, features: features, gradient: gradient, into: dq)
    }

    func keyGradient(_ rows: Range<Int>, features: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
        mapBack(k, rows, features: features, gradient: gradient, into: dk)
    }

    private func mapBack(_ x: UnsafePointer<Float>, _ rows: Range<Int>, features: UnsafePointer<Float>,
                         gradient: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let d = headDimension
        featureMap.backward(x + rows.lowerBound * d, features: features, gradFeatures: gradient, rows: rows.count, d: d,
                            scale: scale, into: dx + rows.lowerBound * d)
    }
}

/// Features already computed as φq, φk `[G·N, r]` (Performer's), their gradients copied into dφq, dφk `[G·N, r]`.
struct StoredFeatureChunks: ChunkFeatureSource {
    let features: Int
    let phiQ: UnsafePointer<Float>, phiK: UnsafePointer<Float>
    let gradPhiQ: UnsafeMutablePointer<Float>, gradPhiK: UnsafeMutablePointer<Float>

    func queryFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        out.update(from: phiQ + rows.lowerBound * features, count: rows.count * features)
    }

    func keyFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        out.update(from: phiK + rows.lowerBound * features, count: rows.count * features)
    }

    func queryGradient(_ rows: Range<Int>, features _: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
        (gradPhiQ + rows.lowerBound * features).update(from: gradient, count: rows.count * features)
    }

    func keyGradient(_ rows: Range<Int>, features _: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
        (gradPhiK + rows.lowerBound * features).update(from: gradient, count: rows.count * features)
    }
}
