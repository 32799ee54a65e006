/// CPU and memory around a measured phase: the server's CPU time (user + system from /proc/PID/stat), the bench's
/// own CPU time (getrusage), and the whole machine's busy and steal time, so that what neither process used shows
/// up as background load.
struct Measurement {
    let pid: Int32
    let startTime: UInt64
    let server: ProcessSample
    let clientCPU: Double
    let machine: MachineCPU

    init(serverPID pid: Int32) {
        self.pid = pid
        machine = ProcessSampler.machineCPU()
        server = ProcessSampler.sample(pid: pid) ?? ProcessSample(cpuSeconds: 0, rssBytes: 0, threads: 0)
        clientCPU = ProcessSampler.ownCPUSeconds()
        startTime = Clock.now()
    }

    /// Ends the phase.
    func finish() -> Window {
        let end = Clock.now()
        let serverEnd = ProcessSampler.sample(pid: pid) ?? server
        let clientEnd = ProcessSampler.ownCPUSeconds()
        let machineEnd = ProcessSampler.machineCPU()
        let serverCPU = serverEnd.cpuSeconds - server.cpuSeconds
        let clientCPU = clientEnd - self.clientCPU
        let busy = machineEnd.busySeconds - machine.busySeconds
        return Window(
            wallSeconds: Clock.seconds(from: startTime, to: end),
            serverCPUSeconds: serverCPU,
            clientCPUSeconds: clientCPU,
            backgroundCPUSeconds: max(0, busy - serverCPU - clientCPU),
            stealSeconds: machineEnd.stealSeconds - machine.stealSeconds,
            serverRSSStart: server.rssBytes,
            serverRSSEnd: serverEnd.rssBytes,
            serverAnonymousStart: server.anonymousBytes,
            serverAnonymousEnd: serverEnd.anonymousBytes
        )
    }

    /// What a phase cost.
    struct Window {
        var wallSeconds: Double
        var serverCPUSeconds: Double
        var clientCPUSeconds: Double
        /// Busy CPU time of everything else on the machine (other tenants' work shows as steal instead).
        var backgroundCPUSeconds: Double
        var stealSeconds: Double
        var serverRSSStart: Int
        var serverRSSEnd: Int
        /// The anonymous part of the server's RSS (see `ProcessSample.anonymousBytes`).
        var serverAnonymousStart = 0
        var serverAnonymousEnd = 0

        func cores(_ seconds: Double) -> Double { wallSeconds > 0 ? seconds / wallSeconds : 0 }

        /// Two phases as one: times and CPU added, memory from the first start to the last end.
        func adding(_ other: Window) -> Window {
            Window(
                wallSeconds: wallSeconds + other.wallSeconds,
                serverCPUSeconds: serverCPUSeconds + other.serverCPUSeconds,
                clientCPUSeconds: clientCPUSeconds + other.clientCPUSeconds,
                backgroundCPUSeconds: backgroundCPUSeconds + other.backgroundCPUSeconds,
                stealSeconds: stealSeconds + other.stealSeconds,
                serverRSSStart: serverRSSStart,
                serverRSSEnd: other.serverRSSEnd,
                serverAnonymousStart: serverAnonymousStart,
                serverAnonymousEnd: other.serverAnonymousEnd
            )
        }
    }
}
