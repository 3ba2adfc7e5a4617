import GRDB

extension StateStore {
    /// The schema, one named migration per change. Never edit a migration that has shipped;
    /// append a new one (`v2-rollouts`, ...).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // `time` is milliseconds since 1970 (UTC).
            try db.execute(sql: """
                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time INTEGER NOT NULL,
                    service TEXT NOT NULL,
                    color TEXT,
                    kind TEXT NOT NULL,
                    reason TEXT,
                    message TEXT NOT NULL,
                    pid INTEGER
                );
                CREATE INDEX event_service_id ON event(service, id);
                CREATE INDEX event_time ON event(time);
                CREATE TABLE instance (
                    service TEXT NOT NULL,
                    color TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    pgid INTEGER NOT NULL,
                    startTime INTEGER NOT NULL,
                    spawnedAt INTEGER NOT NULL,
                    PRIMARY KEY (service, color)
                );
                """)
        }
        return migrator
    }
}
