import Glibc
import Hub

/// The few file-system and clock calls the store needs.
enum FileSystem {
    /// Creates `path` and its missing parents (`mkdir -p`, mode 0700: the database holds private messages).
    static func createDirectory(_ path: String) throws(StoreError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                let code = errno
                throw StoreError(
                    .unavailable,
                    "cannot create the data directory \(path): \(String(cString: strerror(code)))"
                )
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw StoreError(.unavailable, "the data directory \(path) is not a directory")
        }
    }

    /// Whether a file exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The wall clock in milliseconds since 1970.
    static func now() -> Timestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(time.tv_sec) * 1000 + Timestamp(time.tv_nsec) / 1_000_000
    }
}
