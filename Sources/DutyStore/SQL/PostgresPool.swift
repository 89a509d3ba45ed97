import Foundation
import NIOCore
import PostgresNIO

extension PostgresEngine {
    // MARK: Connection pool

    /// Up to `limit` connections, shared: a call takes one for its transaction and gives it back; a
    /// broken one is closed and made anew on the next call. A call that finds none free waits (at
    /// most the statement bound).
    final class Pool: @unchecked Sendable {
        private let condition = NSCondition()
        private var idle: [PostgresConnection] = []
        private var opened = 0
        private var closed = false
        let limit: Int
        private let connect: () throws(StoreError) -> PostgresConnection

        init(limit: Int, connect: @escaping () throws(StoreError) -> PostgresConnection) {
            self.limit = limit
            self.connect = connect
        }

        func take() throws -> PostgresConnection {
            let deadline = Date() + TimeInterval(statementBound.nanoseconds / 1_000_000_000)
            condition.lock()
            while true {
                if closed {
                    condition.unlock()
                    throw StoreError(.unavailable, "internal error: the store was used after it was closed")
                }
                if let c = idle.popLast() {
                    if c.isClosed {
                        opened -= 1
                        continue
                    }
                    condition.unlock()
                    return c
                }
                if opened < limit {
                    opened += 1
                    condition.unlock()
                    do {
                        return try connect()
                    } catch {
                        condition.lock()
                        opened -= 1
                        condition.signal()
                        condition.unlock()
                        throw error
                    }
                }
                if !condition.wait(until: deadline) {
                    condition.unlock()
                    throw StoreError(.unavailable, "every connection to PostgreSQL stayed busy for \(statementBound)")
                }
            }
        }

        func give(_ c: PostgresConnection, healthy: Bool) {
            condition.lock()
            if healthy && !c.isClosed && !closed {
                idle.append(c)
            } else {
                opened -= 1
                PostgresEngine.drop(c)
            }
            condition.signal()
            condition.unlock()
        }

        /// Closes the idle connections (without waiting); later calls are refused.
        func closeAll() {
            condition.lock()
            closed = true
            let all = idle
            idle = []
            opened -= all.count
            condition.broadcast()
            condition.unlock()
            for c in all { PostgresEngine.drop(c) }
        }
    }
}
