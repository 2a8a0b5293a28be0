#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The process metrics Prometheus clients conventionally export (`process_*`), read from `/proc` at
/// scrape time: resident memory, CPU seconds, open descriptors, threads and start time. On a system
/// without `/proc` the gauges are left out.
public enum ProcessMetrics {
    public static let residentMemory = Metrics.Family("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.")
    public static let cpuSeconds = Metrics.Family("process_cpu_seconds_total", .counter, "User and system CPU time spent, in seconds.")
    public static let openDescriptors = Metrics.Family("process_open_fds", .gauge, "Open file descriptors.")
    public static let maxDescriptors = Metrics.Family("process_max_fds", .gauge, "The open file descriptor limit.")
    public static let threads = Metrics.Family("process_threads", .gauge, "Operating system threads of the process.")
    public static let startTime = Metrics.Family("process_start_time_seconds", .gauge, "Start time of the process since the Unix epoch, in seconds.")

    /// The process gauges now.
    public static func gauges() -> [Metrics.Gauge] {
        var gauges: [Metrics.Gauge] = []
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name, which may hold spaces and parentheses: state is field 3.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let page = Double(sysconf(Int32(_SC_PAGESIZE)))
            if let user = field(14), let system = field(15), ticks > 0 {
                gauges.append(Metrics.Gauge(cpuSeconds, [([], (user + system) / ticks)]))
            }
            if let rss = field(24) { gauges.append(Metrics.Gauge(residentMemory, [([], rss * page)])) }
            if let count = field(20) { gauges.append(Metrics.Gauge(threads, [([], count)])) }
            if let started = field(22), ticks > 0, let boot = bootTime() {
                gauges.append(Metrics.Gauge(startTime, [([], boot + started / ticks)]))
            }
        }
        if let open = openDescriptorCount() { gauges.append(Metrics.Gauge(openDescriptors, [([], Double(open))])) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            gauges.append(Metrics.Gauge(maxDescriptors, [([], Double(limit.rlim_cur))]))
        }
        #endif
        return gauges
    }

    #if os(Linux)
    /// The entries of `/proc/self/fd` (the directory's own descriptor excluded).
    private static func openDescriptorCount() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
    }

    /// The boot time (`btime` of `/proc/stat`), read once.
    private static func bootTime() -> Double? { cachedBootTime }

    private static let cachedBootTime: Double? = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }()
    #endif
}
