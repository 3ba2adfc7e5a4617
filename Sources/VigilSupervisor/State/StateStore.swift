import Foundation
import GRDB

/// Vigil's durable state in `stateDir/vigil.db`: the event log and the running instances.
///
/// A GRDB `DatabasePool` in WAL mode, so readers (`vigil events`, the control API) never wait for
/// the writer. The schema is built by named migrations (``StateStore/migrator``); later features
/// register theirs after `v1`. Methods are synchronous and may be called from any thread; the
/// respawn path should go through ``EventLog`` instead, which batches writes off that path.
public final class StateStore: Sendable {
    /// Where the database lives.
    public let path: String
    /// The pool, for code that keeps its own tables in `vigil.db` (rollouts, revisions, audit).
    public let database: DatabasePool

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// Creates missing parent directories.
    /// - Throws: ``StateStoreError`` naming the file and the fix when it is not a database, is
    ///   locked, or cannot be created.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StateStoreError("cannot create the state directory \(directory): \(error.localizedDescription); check its permissions or set a different stateDir")
        }
        var configuration = Configuration()
        configuration.label = "vigil.state"
        configuration.busyMode = .timeout(5)
        // WAL with synchronous=NORMAL: a commit is durable across a crash or `kill -9` of Vigil
        // (it is in the WAL, in the page cache); only a power loss of the host can undo the last
        // commits. FULL would fsync every event and instance record on the respawn path.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw StateStoreError.wrap(error, doing: "open", path: path)
        }
    }

    /// Runs `body` in a write transaction, turning failures into a ``StateStoreError``.
    public func write<T>(_ doing: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch {
            throw StateStoreError.wrap(error, doing: doing, path: path)
        }
    }

    /// Runs `body` on a read snapshot, turning failures into a ``StateStoreError``.
    public func read<T>(_ doing: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch {
            throw StateStoreError.wrap(error, doing: doing, path: path)
        }
    }
}
