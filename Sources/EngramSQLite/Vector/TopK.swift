/// The `capacity` highest scores seen, in a bounded min-heap: O(n log k) over n offers.
struct TopK {
    /// One kept entry: its score, the row it came from, and the key that orders equal scores.
    struct Entry {
        var score: Float
        var index: Int
        var order: Int64
    }

    private let capacity: Int
    private var heap: [Entry] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    /// Keeps `score` if it is among the best so far. Of equal scores, the smaller `order` (by default
    /// the row) ranks first.
    mutating func offer(score: Float, index: Int, order: Int64? = nil) {
        let entry = Entry(score: score, index: index, order: order ?? Int64(index))
        if heap.count < capacity {
            heap.append(entry)
            siftUp(heap.count - 1)
        } else if let worst = heap.first, Self.isWorse(worst, than: entry) {
            heap[0] = entry
            siftDown(0)
        }
    }

    /// The lowest kept score once `capacity` entries are kept (the score an entry must beat), else nil.
    var lowest: Float? {
        heap.count == capacity ? heap.first?.score : nil
    }

    /// The kept entries, best first.
    func sortedDescending() -> [Entry] {
        heap.sorted { Self.isWorse($1, than: $0) }
    }

    /// Lower score, or the same score with a larger order.
    private static func isWorse(_ a: Entry, than b: Entry) -> Bool {
        a.score < b.score || (a.score == b.score && a.order > b.order)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.isWorse(heap[child], than: heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var worst = parent
            if left < heap.count, Self.isWorse(heap[left], than: heap[worst]) { worst = left }
            if right < heap.count, Self.isWorse(heap[right], than: heap[worst]) { worst = right }
            guard worst != parent else { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
