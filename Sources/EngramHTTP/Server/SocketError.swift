import Glibc

/// A failed socket call, with the errno it left.
public struct SocketError: Error, Sendable, CustomStringConvertible {
    /// The system call that failed.
    public let call: String
    /// The errno value.
    public let code: Int32

    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call) failed: \(String(cString: strerror(code))) (errno \(code))" }
}
