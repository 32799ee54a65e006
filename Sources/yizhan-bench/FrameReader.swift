/// Splits received bytes into server frames in place: unmasked frames are read straight from the worker's read
/// buffer, and only an incomplete frame at the end of a read is copied aside until the rest arrives.
///
/// The project's `FrameDecoder` copies every frame into its own array; at hundreds of thousands of deliveries per
/// second on a 2-CPU machine shared with the server, that copy would be the client's biggest cost.
enum FrameReader {
    static func consume(_ bytes: UnsafeRawBufferPointer, on connection: ClientConnection, worker: ClientWorker) {
        if connection.pending.isEmpty {
            let used = frames(in: bytes, connection, worker)
            if used < bytes.count, connection.state == .open {
                connection.pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...]))
            }
            return
        }
        // Move the buffer out so the handler may touch the connection while frames are read from it.
        var buffered = connection.pending
        connection.pending = []
        buffered.append(contentsOf: bytes)
        let used = buffered.withUnsafeBytes { frames(in: $0, connection, worker) }
        guard connection.state == .open else { return }
        buffered.removeFirst(used)
        connection.pending = buffered
    }

    /// Hands every complete frame in `bytes` to the worker; returns how many bytes they took.
    private static func frames(
        in bytes: UnsafeRawBufferPointer,
        _ connection: ClientConnection,
        _ worker: ClientWorker
    ) -> Int {
        var offset = 0
        let total = bytes.count
        while connection.state == .open {
            let available = total - offset
            guard available >= 2 else { break }
            let first = bytes[offset]
            let second = bytes[offset + 1]
            if second & 0x80 != 0 {
                worker.protocolError(connection)
                break
            }
            var header = 2
            var length = Int(second & 0x7F)
            if length == 126 {
                guard available >= 4 else { break }
                length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                header = 4
            } else if length == 127 {
                guard available >= 10 else { break }
                length = 0
                for index in 2..<10 { length = length << 8 | Int(bytes[offset + index]) }
                header = 10
            }
            guard available >= header + length else { break }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + header)..<(offset + header + length)])
            offset += header + length
            let opcode = first & 0x0F
            let fin = first & 0x80 != 0
            if opcode == 0x0 || !fin {
                // Fragments: collect, deliver the whole message on the final one.
                if opcode != 0x0 { connection.fragmentOpcode = opcode }
                connection.fragments.append(contentsOf: payload)
                if fin {
                    let message = connection.fragments
                    connection.fragments = []
                    message.withUnsafeBytes {
                        worker.frame(connection, opcode: connection.fragmentOpcode, payload: $0)
                    }
                }
            } else {
                worker.frame(connection, opcode: opcode, payload: payload)
            }
        }
        return offset
    }
}
