import Glibc

/// Nanoseconds on the monotonic clock: cheap to read and compare, immune to wall-clock changes.
typealias Nanoseconds = UInt64

enum MonotonicTime {
    /// The current monotonic time.
    static func now() -> Nanoseconds {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Nanoseconds(spec.tv_sec) * 1_000_000_000 + Nanoseconds(spec.tv_nsec)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped at zero.
    var nanoseconds: Nanoseconds {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return Nanoseconds(seconds) * 1_000_000_000 + Nanoseconds(attoseconds / 1_000_000_000)
    }
}
