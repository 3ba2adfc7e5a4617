import GRDB

/// `vigil.db` could not be opened, read or written; the text says which file and what to do.
public struct StateStoreError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// Words for a failure while `doing` something with the database at `path` (public for the
    /// modules that keep their own tables in `vigil.db`).
    public static func wrap(_ error: any Error, doing: String, path: String) -> StateStoreError {
        if let error = error as? StateStoreError { return error }
        guard let db = error as? DatabaseError else {
            return StateStoreError("cannot \(doing) \(path): \(error)")
        }
        let sqlite = db.message ?? "\(db.resultCode)"
        switch db.resultCode.primaryResultCode {
        case .SQLITE_NOTADB:
            return StateStoreError("\(path) is not a Vigil state database (SQLite: \(sqlite)); move it away or set a different stateDir")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StateStoreError("\(path) is locked by another process (SQLite: \(sqlite)); is another Vigil using this stateDir?")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
            return StateStoreError("cannot \(doing) \(path) (SQLite: \(sqlite)); check that the directory exists and is writable by this user")
        case .SQLITE_FULL:
            return StateStoreError("cannot \(doing) \(path): the disk is full")
        default:
            return StateStoreError("cannot \(doing) \(path) (SQLite: \(sqlite))")
        }
    }
}
