import Foundation

/// Serialises writes per scope: two adds for the same user never interleave, so they cannot both
/// add the same fact. Striped: scopes hash onto a fixed set of locks.
final class ScopeLocks: Sendable {
    private let locks: [NSLock] = (0..<64).map { _ in NSLock() }

    func withLock<T>(_ scope: Scope, _ body: () throws -> T) rethrows -> T {
        var hasher = Hasher()
        hasher.combine(scope)
        let lock = locks[Int(UInt(bitPattern: hasher.finalize()) % UInt(locks.count))]
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
