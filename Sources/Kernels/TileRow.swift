// One row of the GEMM micro-tile: NR = `GEMMTile.columns` floats as 4 (AVX-512) or 2 (AVX2, 128-bit)
// native registers. The micro-kernel keeps 6 of them as accumulators; the flash kernels keep one value
// per query (or key) of a block in one of them. Only `init`, `map`, `zip`, `zip3` and `anyLane` know how
// many registers there are; every other operation is written once on top of them. Memory layout: the
// registers back to back, so a row of NR floats loads and stores as one `TileRow`.

#if ATTNLAB_AVX512
/// NR = 64 floats as four zmm registers.
public struct TileRow {
    public var v0, v1, v2, v3: FloatVector

    @inlinable @inline(__always)
    public init(_ v0: FloatVector, _ v1: FloatVector, _ v2: FloatVector, _ v3: FloatVector) {
        (self.v0, self.v1, self.v2, self.v3) = (v0, v1, v2, v3)
    }

    /// Every lane `x`.
    @inlinable @inline(__always)
    public init(repeating x: Float) {
        let v = FloatVector(repeating: x)
        self.init(v, v, v, v)
    }

    /// `f` applied to each register.
    @inlinable @inline(__always)
    public func map(_ f: (FloatVector) -> FloatVector) -> TileRow { TileRow(f(v0), f(v1), f(v2), f(v3)) }

    /// `f` applied to matching registers of `a` and `b`.
    @inlinable @inline(__always)
    public static func zip(_ a: TileRow, _ b: TileRow, _ f: (FloatVector, FloatVector) -> FloatVector) -> TileRow {
        TileRow(f(a.v0, b.v0), f(a.v1, b.v1), f(a.v2, b.v2), f(a.v3, b.v3))
    }

    /// `f` applied to matching registers of `a`, `b` and `c`.
    @inlinable @inline(__always)
    public static func zip3(
        _ a: TileRow, _ b: TileRow, _ c: TileRow, _ f: (FloatVector, FloatVector, FloatVector) -> FloatVector
    ) -> TileRow {
        TileRow(f(a.v0, b.v0, c.v0), f(a.v1, b.v1, c.v1), f(a.v2, b.v2, c.v2), f(a.v3, b.v3, c.v3))
    }

    /// Whether `test` holds in any lane of matching registers of `a` and `b`.
    @inlinable @inline(__always)
    public static func anyLane(
        _ a: TileRow, _ b: TileRow, _ test: (FloatVector, FloatVector) -> SIMDMask<IntVector>
    ) -> Bool {
        any(test(a.v0, b.v0) .| test(a.v1, b.v1) .| test(a.v2, b.v2) .| test(a.v3, b.v3))
    }
}
#else
/// NR = 2 × `FloatVector` floats (16 as two ymm registers, or 8 as two xmm/NEON registers).
public struct TileRow {
    public var v0, v1: FloatVector

    @inlinable @inline(__always)
    public init(_ v0: FloatVector, _ v1: FloatVector) {
        (self.v0, self.v1) = (v0, v1)
    }

    /// Every lane `x`.
    @inlinable @inline(__always)
    public init(repeating x: Float) {
        let v = FloatVector(repeating: x)
        self.init(v, v)
    }

    /// `f` applied to each register.
    @inlinable @inline(__always)
    public func map(_ f: (FloatVector) -> FloatVector) -> TileRow { TileRow(f(v0), f(v1)) }

    /// `f` applied to matching registers of `a` and `b`.
    @inlinable @inline(__always)
    public static func zip(_ a: TileRow, _ b: TileRow, _ f: (FloatVector, FloatVector) -> FloatVector) -> TileRow {
        TileRow(f(a.v0, b.v0), f(a.v1, b.v1))
    }

    /// `f` applied to matching registers of `a`, `b` and `c`.
    @inlinable @inline(__always)
    public static func zip3(
        _ a: TileRow, _ b: TileRow, _ c: TileRow, _ f: (FloatVector, FloatVector, FloatVector) -> FloatVector
    ) -> TileRow {
        TileRow(f(a.v0, b.v0, c.v0), f(a.v1, b.v1, c.v1))
    }

    /// Whether `test` holds in any lane of matching registers of `a` and `b`.
    @inlinable @inline(__always)
    public static func anyLane(
        _ a: TileRow, _ b: TileRow, _ test: (FloatVector, FloatVector) -> SIMDMask<IntVector>
    ) -> Bool {
        any(test(a.v0, b.v0) .| test(a.v1, b.v1))
    }
}
#endif

extension TileRow {
    /// All lanes zero.
    @inlinable @inline(__always)
    public init() { self.init(repeating: 0) }

    @inlinable @inline(__always)
    public static func + (a: TileRow, b: TileRow) -> TileRow { zip(a, b) { $0 + $1 } }

    @inlinable @inline(__always)
    public static func - (a: TileRow, b: TileRow) -> TileRow { zip(a, b) { $0 - $1 } }

    @inlinable @inline(__always)
    public static func * (a: TileRow, b: TileRow) -> TileRow { zip(a, b) { $0 * $1 } }

    @inlinable @inline(__always)
    public static func += (a: inout TileRow, b: TileRow) { a = a + b }

    @inlinable @inline(__always)
    public static func *= (a: inout TileRow, b: TileRow) { a = a * b }
}

/// `c + a·b` lane-wise, fused where the CPU has FMA.
@inlinable @inline(__always)
public func multiplyAdd(_ a: TileRow, _ b: TileRow, _ c: TileRow) -> TileRow {
    TileRow.zip3(a, b, c) { multiplyAdd($0, $1, $2) }
}

/// Lane-wise `b > a ? b : a`.
@inlinable @inline(__always)
public func lanewiseMax(_ a: TileRow, _ b: TileRow) -> TileRow {
    TileRow.zip(a, b) { lanewiseMax($0, $1) }
}
