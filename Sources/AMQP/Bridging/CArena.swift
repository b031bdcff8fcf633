import CRabbitMQ

/// Scratch memory for building C structures handed to librabbitmq.
///
/// Swift strings and arrays can't be pointed at beyond the closure that exposes them,
/// so everything a C call needs is copied into this pool and freed in one go afterwards.
package final class CArena {
    private let pool: UnsafeMutablePointer<amqp_pool_t>

    package init(pageSize: Int = 4096) {
        pool = .allocate(capacity: 1)
        init_amqp_pool(pool, pageSize)
    }

    deinit {
        empty_amqp_pool(pool)
        pool.deallocate()
    }

    /// Frees everything allocated so far but keeps the pages for reuse.
    package func reset() { recycle_amqp_pool(pool) }

    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        guard count > 0 else { return UnsafeMutablePointer<T>(bitPattern: MemoryLayout<T>.alignment)! }
        let raw = amqp_pool_alloc(pool, MemoryLayout<T>.stride * count)!
        return raw.bindMemory(to: T.self, capacity: count)
    }

    func bytes<C: Collection>(_ source: C) -> amqp_bytes_t where C.Element == UInt8 {
        let count = source.count
        let buffer = allocate(UInt8.self, count: count)
        _ = UnsafeMutableBufferPointer(start: buffer, count: count).initialize(from: source)
        return amqp_bytes_t(len: count, bytes: UnsafeMutableRawPointer(buffer))
    }

    func bytes(_ string: String) -> amqp_bytes_t { bytes(string.utf8) }
}

extension amqp_bytes_t {
    static var empty: amqp_bytes_t { amqp_bytes_t(len: 0, bytes: nil) }

    /// Copies the bytes out; the source may be freed right after.
    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }

    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }
}
