/// The smallest multiple of `multiple` that is at least `value` (both non-negative, `multiple` > 0):
/// the padded extent of a dimension cut into whole tiles.
@inlinable @inline(__always)
public func roundUp(_ value: Int, _ multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}
