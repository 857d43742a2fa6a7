import Synchronization

/// Random draws a mixer reuses from call to call (Performer's projection per head dimension, Linformer's
/// projections per length), made once per key. Thread-safe; the draws are deterministic, so caching
/// changes the time of a call, never its result.
final class DrawCache<Value: Sendable>: Sendable {
    private let table = Mutex<[Int: Value]>([:])

    /// The value stored under `key`, made by `make` the first time.
    func value(_ key: Int, _ make: () -> Value) -> Value {
        if let found = table.withLock({ $0[key] }) { return found }
        let made = make()
        table.withLock { $0[key] = made }
        return made
    }
}
