/// The time and size limits of one transfer.
struct TransferLimits {
    var connectTimeoutMilliseconds: Int
    var timeoutMilliseconds: Int
    var maxResponseBytes: Int
}
