import Foundation
import Synchronization

/// Serialises inference adds per scope: two adds for the same user never interleave, so they cannot
/// both add the same fact. One lock per scope in use (an inference add may hold it for the length of
/// an LLM call, so unrelated scopes must never share one); entries are dropped when nobody holds or
/// waits for them.
final class ScopeLocks: Sendable {
    private final class Entry: Sendable {
        let lock = NSLock()
    }

    private let entries = Mutex<[String: (entry: Entry, users: Int)]>([:])

    func withLock<T>(_ key: String, _ body: () throws -> T) rethrows -> T {
        let entry = entries.withLock { table in
            let entry = table[key]?.entry ?? Entry()
            table[key] = (entry, (table[key]?.users ?? 0) + 1)
            return entry
        }
        entry.lock.lock()
        defer {
            entry.lock.unlock()
            entries.withLock { table in
                guard let current = table[key] else { return }
                if current.users <= 1 { table.removeValue(forKey: key) } else { table[key] = (current.entry, current.users - 1) }
            }
        }
        return try body()
    }
}

extension Scope {
    /// A stable text key for the scope, e.g. `agent_id=a1&user_id=alice` (ids escaped), for locks.
    public var lockKey: String {
        fields.map { field, value in
            let escaped = value.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "&", with: "%26")
                .replacingOccurrences(of: "=", with: "%3D")
            return "\(field.rawValue)=\(escaped)"
        }.sorted().joined(separator: "&")
    }
}
