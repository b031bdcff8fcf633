extension ConnectionThread {
    /// Runs `body` on the connection thread once the connection is open, and returns its result.
    func perform<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (ConnectionCore) throws(AMQPError) -> T
    ) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withUnsafeContinuation { continuation in
            let submitted = submit { core in
                core.whenOpen(
                    operation,
                    run: { core in
                        do throws(AMQPError) {
                            continuation.resume(returning: .success(try body(core)))
                        } catch {
                            continuation.resume(returning: .failure(error))
                        }
                    }, fail: { continuation.resume(returning: .failure($0)) })
            }
            if !submitted {
                continuation.resume(returning: .failure(AMQPError(code: .shutdown, operation: operation, message: "connection is closed")))
            }
        }
        return try result.get()
    }
}
