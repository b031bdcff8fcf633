import Foundation
import TributaryStore

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps a second orchestrator off a SQLite database: two would take the same results and
/// send the same tasks from one outbox. The lock is the kernel's (`flock` on `<path>.lock`),
/// so a killed orchestrator never leaves it behind and its successor starts at once.
package final class DatabaseLock: Sendable {
    private let descriptor: Int32
    package let path: String

    /// Takes the lock, or throws ``ExperimentStoreError/Code/inUse`` naming the holder's pid.
    package init(database: String) throws(ExperimentStoreError) {
        path = database + ".lock"
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ExperimentStoreError(.inUse, path: database, "cannot open the lock file '\(path)': \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var holder = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &holder, holder.count, 0)
            let pid = count > 0 ? String(decoding: holder[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            Glibc.close(descriptor)
            throw ExperimentStoreError(
                .inUse, path: database,
                "another orchestrator (pid \(pid)) is using this database; SQLite serves one orchestrator at a time, so stop that one first")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
        self.descriptor = descriptor
    }

    deinit { Glibc.close(descriptor) }
}
