/// Keeps a computed value observable so the optimiser cannot delete the loop that produced it.
@inline(never) public func blackHole(_ value: Float) {
    if value.bitPattern == 0x7FC0_DEAD { print(value) }
}
