import CLibPQ

/// Facts about the libpq library Engram is linked against.
public enum PostgresLibrary {
    /// The runtime libpq version, e.g. `15.18`.
    public static var version: String {
        let number = Int(PQlibVersion())
        return "\(number / 10_000).\(number % 10_000)"
    }
}
