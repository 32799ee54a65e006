import Hub
import Store
import Testing

@Suite struct ReadMessagesTests {
    /// A store with group 1 holding messages 1...10 and an empty group 2.
    private func withTenMessages(_ body: (SQLiteStore) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            try await store.committed([.upsertGroup(Fixture.group(1)), .upsertGroup(Fixture.group(2))])
            try await store.committed(Fixture.texts(1, count: 10))
            try await body(store)
        }
    }

    @Test func after() async throws {
        try await withTenMessages { store async throws in
            let group = GroupID(1)
            #expect(seqs(try await store.read(MessageQuery(group: group, after: 0, limit: 3))) == [1, 2, 3])
            #expect(seqs(try await store.read(MessageQuery(group: group, after: 7, limit: 100))) == [8, 9, 10])
            #expect(try await store.read(MessageQuery(group: group, after: 10, limit: 5)) == [])
            #expect(try await store.read(MessageQuery(group: group, after: 3, limit: 0)) == [])
            #expect(seqs(try await store.read(MessageQuery(group: group, after: -5, limit: 2))) == [1, 2])
        }
    }

    @Test func before() async throws {
        try await withTenMessages { store async throws in
            let group = GroupID(1)
            #expect(seqs(try await store.read(MessageQuery(group: group, before: 8, limit: 3))) == [5, 6, 7])
            #expect(seqs(try await store.read(MessageQuery(group: group, before: 3, limit: 10))) == [1, 2])
            #expect(try await store.read(MessageQuery(group: group, before: 1, limit: 10)) == [])
            #expect(seqs(try await store.read(MessageQuery(group: group, before: 1000, limit: 2))) == [9, 10])
        }
    }

    @Test func newest() async throws {
        try await withTenMessages { store async throws in
            #expect(seqs(try await store.read(MessageQuery(group: GroupID(1), limit: 4))) == [7, 8, 9, 10])
            #expect(seqs(try await store.read(MessageQuery(group: GroupID(1), limit: 50))) == Array(1...10))
            #expect(try await store.read(MessageQuery(group: GroupID(1), limit: -1)) == [])
            #expect(try await store.read(MessageQuery(group: GroupID(2), limit: 10)) == [])
            #expect(try await store.read(MessageQuery(group: GroupID(99), limit: 10)) == [])
        }
    }

    @Test func afterAndBeforeTogetherAreARange() async throws {
        try await withTenMessages { store async throws in
            #expect(
                seqs(try await store.read(MessageQuery(group: GroupID(1), after: 2, before: 6, limit: 10))) == [
                    3, 4, 5,
                ]
            )
            #expect(
                seqs(try await store.read(MessageQuery(group: GroupID(1), after: 2, before: 9, limit: 2))) == [3, 4]
            )
        }
    }

    @Test func severalQueriesAnswerInOrder() async throws {
        try await withTenMessages { store async throws in
            let results = try await store.read([
                MessageQuery(group: GroupID(1), after: 8, limit: 10), MessageQuery(group: GroupID(2), limit: 10),
                MessageQuery(group: GroupID(1), before: 2, limit: 10),
            ])
            #expect(results.map(seqs) == [[9, 10], [], [1]])
            #expect(try await store.read([]) == [])
        }
    }

    @Test func everyFieldRoundTrips() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let group = GroupID(1)
            let full = NewMessage(
                group: group,
                sender: "20230001",
                clientMsgID: "6f1c2a9e-客户端-\u{1F600}",
                kind: .image,
                body: Array("{\"object\":\"obj/1\",\"name\":\"照片.png\",\"size\":12}".utf8) + [0, 0xFF, 0x80],
                replyTo: 1,
                mentions: ["T0042", "quote\"and\\slash", "", "\u{1}ctl", "新同学"],
                mentionAll: true,
                createdAt: 1_700_000_123_456
            )
            let system = NewMessage(
                group: group,
                sender: nil,
                clientMsgID: nil,
                kind: .system,
                body: Array("{\"event\":\"joined\"}".utf8),
                createdAt: -1
            )
            let empty = NewMessage(group: group, sender: "S", clientMsgID: "", kind: .file, body: [], createdAt: 0)
            try await store.committed([
                .upsertGroup(Fixture.group(1)), .appendMessage(Fixture.text(1)), .appendMessage(full),
                .appendMessage(system), .appendMessage(empty),
                .appendMessage(Fixture.text(1, from: "S", id: "v")),
            ])
            let expected = [
                StoredMessage(seq: 2, message: full), StoredMessage(seq: 3, message: system),
                StoredMessage(seq: 4, message: empty),
            ]
            #expect(try await store.read(MessageQuery(group: group, after: 1, before: 5, limit: 10)) == expected)
            #expect(Array(try store.loadSnapshot(recentPerGroup: 5).groups[0].recent[1...3]) == expected)
        }
    }

    @Test func everyKindRoundTrips() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(directory: directory)
            defer { store.close() }
            let messages = MessageKind.allCases.map { kind in
                NewMessage(group: GroupID(1), sender: "S", clientMsgID: nil, kind: kind, body: [1], createdAt: 1)
            }
            try await store.committed([.upsertGroup(Fixture.group(1))] + messages.map { .appendMessage($0) })
            #expect(try await store.read(MessageQuery(group: GroupID(1), limit: 10)).map(\.message) == messages)
        }
    }

    @Test func recalledMessagesKeepTheirPlaceWithoutBody() async throws {
        try await withTenMessages { store async throws in
            let group = GroupID(1)
            let original = try await store.read(MessageQuery(group: group, after: 3, limit: 1))[0]
            try await store.committed([.recallMessage(group, seq: 4), .recallMessage(group, seq: 99)])
            let messages = try await store.read(MessageQuery(group: group, after: 2, limit: 3))
            #expect(seqs(messages) == [3, 4, 5])
            #expect(messages.map(\.recalled) == [false, true, false])
            var expected = original
            expected.recalled = true
            expected.message.body = Array("{}".utf8)
            #expect(messages[1] == expected)
            #expect(try store.loadSnapshot(recentPerGroup: 10).groups[0].recent[3] == expected)
        }
    }
}
