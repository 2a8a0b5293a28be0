import Dispatch
import Foundation

/// Turns SIGINT/SIGTERM into a callback on a private queue instead of the default "die now".
/// A second signal while stopping exits at once with status 130.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "engram.signals")
        let received = ManagedCounter()
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if received.increment() > 1 { exit(130) }
                handler(number)
            }
            source.resume()
            return source
        }
    }

    /// Stops listening for the signals.
    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// A counter touched only on the signal queue; `@unchecked Sendable` because that queue serialises it.
private final class ManagedCounter: @unchecked Sendable {
    private var value = 0

    func increment() -> Int {
        value += 1
        return value
    }
}
