/// Pending ends of individual mutes, soonest first (a binary min-heap), so the timer finds what expired without
/// scanning members.
struct MuteExpiries {
    private var heap: [(until: Timestamp, group: GroupID, user: UserID)] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func insert(_ until: Timestamp, _ group: GroupID, _ user: UserID) {
        heap.append((until, group, user))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].until < heap[parent].until else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns every entry due at `now`.
    mutating func popDue(_ now: Timestamp) -> [(until: Timestamp, group: GroupID, user: UserID)] {
        var due: [(until: Timestamp, group: GroupID, user: UserID)] = []
        while let first = heap.first, first.until <= now {
            due.append(first)
            let last = heap.removeLast()
            guard !heap.isEmpty else { break }
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].until < heap[smallest].until { smallest = left }
                if right < heap.count, heap[right].until < heap[smallest].until { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}
