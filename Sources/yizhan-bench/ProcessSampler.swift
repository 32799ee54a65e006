import Glibc

/// A reading of one process: CPU time used so far (user + system, all threads, exited ones included) and memory.
struct ProcessSample {
    var cpuSeconds: Double
    var rssBytes: Int
    /// The anonymous part of the RSS (heap, stacks): what grows with the process's data; the rest is mapped
    /// files (the binary, libraries, SQLite's shared memory).
    var anonymousBytes: Int = 0
    var threads: Int
}

/// CPU time of the whole machine since boot, from the first line of /proc/stat.
struct MachineCPU {
    /// Seconds every CPU spent doing anything but idling or waiting for I/O.
    var busySeconds: Double
    /// Seconds the hypervisor ran someone else while a CPU of ours wanted to run (noise on shared machines).
    var stealSeconds: Double
}

/// Reads /proc and getrusage: the primary metrics (server CPU per unit of work, RSS) and the noise around them.
enum ProcessSampler {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// CPU and RSS of `pid`, or nil if the process is gone.
    static func sample(pid: Int32) -> ProcessSample? {
        guard let stat = readFile("/proc/\(pid)/stat"), let status = readFile("/proc/\(pid)/status"),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is 0, utime 11, stime 12, num_threads 17.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 17, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return ProcessSample(
            cpuSeconds: cpuClock(pid: pid) ?? (user + system) / ticksPerSecond,
            rssBytes: (statusField(status, "VmRSS:") ?? 0) * 1024,
            anonymousBytes: (statusField(status, "RssAnon:") ?? 0) * 1024,
            threads: Int(fields[17]) ?? 0
        )
    }

    /// The process's CPU clock (user + system of all its threads, exited ones included) in nanosecond
    /// resolution; /proc/PID/stat counts in 10 ms ticks, too coarse for phases of a fraction of a second.
    static func cpuClock(pid: Int32) -> Double? {
        var clock = clockid_t()
        var time = timespec()
        guard clock_getcpuclockid(pid, &clock) == 0, clock_gettime(clock, &time) == 0 else { return nil }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Peak resident memory of `pid` in bytes (VmHWM).
    static func peakRSS(pid: Int32) -> Int {
        (readFile("/proc/\(pid)/status").flatMap { statusField($0, "VmHWM:") } ?? 0) * 1024
    }

    /// User plus system CPU seconds of this process (every thread).
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() -> [Double] {
        guard let text = readFile("/proc/loadavg") else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    static func machineCPU() -> MachineCPU {
        guard let text = readFile("/proc/stat"), let line = text.split(separator: "\n").first else {
            return MachineCPU(busySeconds: 0, stealSeconds: 0)
        }
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard values.count >= 8 else { return MachineCPU(busySeconds: 0, stealSeconds: 0) }
        let busy = values[0] + values[1] + values[2] + values[5] + values[6]
        return MachineCPU(busySeconds: busy / ticksPerSecond, stealSeconds: values[7] / ticksPerSecond)
    }

    static var cpuCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// The open-file limit (soft, hard) of `pid` from /proc/PID/limits.
    static func openFileLimit(pid: Int32) -> (soft: Int, hard: Int)? {
        guard let text = readFile("/proc/\(pid)/limits"),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return nil }
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        return (numbers[0], numbers[1])
    }

    /// Raises this process's soft open-file limit to the hard one; returns the new soft limit.
    static func raiseOwnFileLimit() -> Int {
        var limit = rlimit()
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        getrlimit(resource, &limit)
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(resource, &limit)
            getrlimit(resource, &limit)
        }
        return Int(limit.rlim_cur)
    }

    /// Descriptors `pid` has open now.
    static func openDescriptors(pid: Int32) -> Int {
        guard let directory = opendir("/proc/\(pid)/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }

    /// A small file's text (files under /proc report size 0, so read until EOF).
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The number in kB after `key` in a /proc status file.
    private static func statusField(_ status: String, _ key: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().compactMap { Int($0) }.first
    }
}
