import Kernels

/// The per-query arithmetic of MoDA depth slots, shared by the flash forward and backward: one query
/// against its own `[S, D]` slot keys and values. Vectorised along D (`FloatVector`, scalar tail); each
/// slot row is read once, so these run at memory bandwidth, not at the micro-kernel's FLOP rate.
enum DepthSlotMath {
    /// `scores[s] = scale·⟨query, keys[s]⟩` for s < S, then −∞ up to the next whole `TileRow`
    /// (`scores` holds `paddedCount(slots)` floats). keys `[S, D]`. Cost 2·S·D FLOPs.
    @inline(__always)
    static func scores(
        query: UnsafePointer<Float>, keys: UnsafePointer<Float>, slots: Int, headDimension d: Int, scale: Float,
        into scores: UnsafeMutablePointer<Float>
    ) {
        for s in 0..<slots { scores[s] = scale * dot(query, keys + s * d, count: d) }
        for s in slots..<paddedCount(slots) { scores[s] = -.infinity }
    }

    /// `scores[s] = exp(scores[s] − reference)` over the padded row (padding becomes 0); returns Σ_s.
    /// Whole `TileRow`s at a time, the form of `softmaxExp` the flash tiles use (a `FloatVector` call per
    /// vector profiled ≈ 100× slower per element).
    @inline(__always)
    static func exponentiate(_ scores: UnsafeMutablePointer<Float>, slots: Int, reference: Float) -> Float {
        let raw = UnsafeMutableRawPointer(scores)
        let shift = TileRow(repeating: reference)
        var sum = TileRow()
        for t in 0..<paddedCount(slots) / FlashTile.columns {
            let offset = t * MemoryLayout<TileRow>.size
            let p = softmaxExp(raw.loadUnaligned(fromByteOffset: offset, as: TileRow.self) - shift)
            raw.storeBytes(of: p, toByteOffset: offset, as: TileRow.self)
            sum += p
        }
        return withUnsafeBytes(of: sum) { lanes in
            (0..<FlashTile.columns).reduce(0) { $0 + lanes.load(fromByteOffset: $1 * 4, as: Float.self) }
        }
    }

    /// `target[c] += Σ_s weights[s]·rows[s, c]` for c < D; rows `[S, D]`. Cost 2·S·D FLOPs.
    @inline(__always)
    static func addWeightedRows(
        weights: UnsafePointer<Float>, rows: UnsafePointer<Float>, slots: Int, headDimension d: Int,
        into target: UnsafeMutablePointer<Float>
    ) {
        for s in 0..<slots { addScaled(rows + s * d, by: weights[s], count: d, into: target) }
    }

    /// One query's slot gradients, one pass over its slots: `gradValues[s] = P_s·dO`,
    /// `gradKeys[s] = dS_s·q` (rows `[S, D]`, written over) and `gradQuery += Σ_s dS_s·keys[s]`, with
    /// `gradScores` already scale·dS. Cost 6·S·D FLOPs; reads S·D floats of keys, writes 2·S·D.
    @inline(__always)
    static func writeSlotGradients(
        probabilities: UnsafePointer<Float>, gradScores: UnsafePointer<Float>, query: UnsafePointer<Float>,
        gradOutput: UnsafePointer<Float>, keys: UnsafePointer<Float>, slots: Int, headDimension d: Int,
        gradKeys: UnsafeMutablePointer<Float>, gradValues: UnsafeMutablePointer<Float>, gradQuery: UnsafeMutablePointer<Float>
    ) {
        for s in 0..<slots {
            let p = probabilities[s], g = gradScores[s]
            let pv = FloatVector(repeating: p), gv = FloatVector(repeating: g)
            let key = keys + s * d, gradKey = gradKeys + s * d, gradValue = gradValues + s * d
            var c = 0
            while c + vectorLanes <= d {
                let dO = UnsafeRawPointer(gradOutput + c).loadUnaligned(as: FloatVector.self)
                let q = UnsafeRawPointer(query + c).loadUnaligned(as: FloatVector.self)
                let k = UnsafeRawPointer(key + c).loadUnaligned(as: FloatVector.self)
                let dQ = UnsafeMutableRawPointer(gradQuery + c)
                UnsafeMutableRawPointer(gradValue + c).storeBytes(of: pv * dO, as: FloatVector.self)
                UnsafeMutableRawPointer(gradKey + c).storeBytes(of: gv * q, as: FloatVector.self)
                dQ.storeBytes(of: multiplyAdd(gv, k, dQ.loadUnaligned(as: FloatVector.self)), as: FloatVector.self)
                c += vectorLanes
            }
            while c < d {
                gradValue[c] = p * gradOutput[c]
                gradKey[c] = g * query[c]
                gradQuery[c] = multiplyAdd(g, key[c], gradQuery[c])
                c += 1
            }
        }
    }

    /// Floats in a score row of S slots: S rounded up to whole `TileRow`s.
    @inline(__always) static func paddedCount(_ slots: Int) -> Int { roundUp(slots, FlashTile.columns) }

    /// Floats per native register.
    @inline(__always) static var vectorLanes: Int { InstructionSet.vectorLanes }

    /// `target[c] += w·row[c]` for c < count.
    @inline(__always)
    private static func addScaled(_ row: UnsafePointer<Float>, by w: Float, count: Int, into target: UnsafeMutablePointer<Float>) {
        let wv = FloatVector(repeating: w)
        var c = 0
        while c + vectorLanes <= count {
            let out = UnsafeMutableRawPointer(target + c)
            let sum = multiplyAdd(wv, UnsafeRawPointer(row + c).loadUnaligned(as: FloatVector.self),
                                  out.loadUnaligned(as: FloatVector.self))
            out.storeBytes(of: sum, as: FloatVector.self)
            c += vectorLanes
        }
        while c < count { target[c] = multiplyAdd(w, row[c], target[c]); c += 1 }
    }
}
