/// Things that fall due at a time, soonest first (a binary min-heap), so a timer finds what is due without
/// scanning everything: the ends of individual mutes, scheduled jobs.
struct DueQueue<Element> {
    private var heap: [(due: Timestamp, element: Element)] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    /// Everything queued, in no particular order.
    var elements: [Element] { heap.map(\.element) }

    mutating func insert(_ element: Element, due: Timestamp) {
        heap.append((due, element))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns every element due at `now`, soonest first.
    mutating func popDue(_ now: Timestamp) -> [Element] {
        var due: [Element] = []
        while let first = heap.first, first.due <= now {
            due.append(first.element)
            let last = heap.removeLast()
            guard !heap.isEmpty else { break }
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
                if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}

extension DueQueue where Element == (until: Timestamp, group: GroupID, user: UserID) {
    /// A mute of `user` in `group` that ends at `until`.
    mutating func insert(_ until: Timestamp, _ group: GroupID, _ user: UserID) {
        insert((until, group, user), due: until)
    }
}

extension DueQueue where Element == JobRecord {
    /// A scheduled job (mirrored in the store's `jobs` table), due at its `dueAt`.
    mutating func insert(_ job: JobRecord) {
        insert(job, due: job.dueAt)
    }
}
