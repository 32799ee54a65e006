import Glibc

/// epoll and eventfd for the client loops.
///
/// Swift's Glibc module does not import `<sys/epoll.h>` or `<sys/eventfd.h>`, and the bench may not add a C
/// target, so the four libc functions are looked up once with `dlsym` and called through C function pointers.
enum Epoll {
    static let input: UInt32 = 0x001
    static let output: UInt32 = 0x004
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010
    static let readHangUp: UInt32 = 0x2000

    static let add: Int32 = 1
    static let remove: Int32 = 2
    static let modify: Int32 = 3

    #if arch(x86_64)
    // struct epoll_event is packed on x86-64: 4 bytes of events, then the 8-byte data union.
    static let eventSize = 12
    static let dataOffset = 4
    #else
    static let eventSize = 16
    static let dataOffset = 8
    #endif

    private typealias CreateFunction = @convention(c) (Int32) -> Int32
    private typealias ControlFunction = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias WaitFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    private typealias EventFDFunction = @convention(c) (UInt32, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T {
        guard let library = dlopen(nil, RTLD_NOW), let address = dlsym(library, name) else {
            fatalError("libc has no \(name)")
        }
        return unsafeBitCast(address, to: type)
    }

    nonisolated(unsafe) private static let createFunction = symbol("epoll_create1", as: CreateFunction.self)
    nonisolated(unsafe) private static let controlFunction = symbol("epoll_ctl", as: ControlFunction.self)
    nonisolated(unsafe) private static let waitFunction = symbol("epoll_wait", as: WaitFunction.self)
    nonisolated(unsafe) private static let eventFDFunction = symbol("eventfd", as: EventFDFunction.self)

    /// A new epoll set (close-on-exec), or -1.
    static func create() -> Int32 {
        createFunction(Int32(O_CLOEXEC))
    }

    /// `epoll_ctl`: registers, changes or removes `fd` with `events` and the 64-bit `data` the events return.
    @discardableResult
    static func control(_ epoll: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, data: UInt64) -> Int32 {
        withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { buffer in
            buffer.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: data, toByteOffset: dataOffset, as: UInt64.self)
            return controlFunction(epoll, operation, fd, buffer.baseAddress)
        }
    }

    /// `epoll_wait` into `events` (room for `capacity` events of ``eventSize`` bytes).
    static func wait(
        _ epoll: Int32,
        _ events: UnsafeMutableRawPointer,
        capacity: Int,
        timeoutMilliseconds: Int32
    ) -> Int {
        Int(waitFunction(epoll, events, Int32(capacity), timeoutMilliseconds))
    }

    /// The event mask and data of event `index` in a buffer filled by ``wait(_:_:capacity:timeoutMilliseconds:)``.
    static func event(_ index: Int, in events: UnsafeMutableRawPointer) -> (events: UInt32, data: UInt64) {
        let base = events + index * eventSize
        return (base.loadUnaligned(as: UInt32.self), base.loadUnaligned(fromByteOffset: dataOffset, as: UInt64.self))
    }

    /// A non-blocking, close-on-exec eventfd (used to wake a loop), or -1.
    static func makeEventFD() -> Int32 {
        eventFDFunction(0, Int32(O_NONBLOCK | O_CLOEXEC))
    }
}
