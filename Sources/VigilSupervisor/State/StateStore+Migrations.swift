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
        migrator.registerMigration("v2-rollouts") { db in
            // Blue-green services (VigilDeploy's RolloutStore). `revision` keeps the manifest spec a
            // revision was made from (JSON) so a restarted Vigil runs exactly what was deployed;
            // `deployment` is what each service serves now; `rollout` is rewritten at every step,
            // before the step takes effect. Times are milliseconds since 1970 (UTC).
            try db.execute(sql: """
                CREATE TABLE revision (
                    service TEXT NOT NULL,
                    id TEXT NOT NULL,
                    version TEXT,
                    release TEXT,
                    env TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    createdAt INTEGER NOT NULL,
                    PRIMARY KEY (service, id)
                );
                CREATE TABLE deployment (
                    service TEXT PRIMARY KEY,
                    activeColor TEXT NOT NULL,
                    activeRevision TEXT NOT NULL,
                    previousRevision TEXT,
                    rolloutId TEXT,
                    updatedAt INTEGER NOT NULL
                );
                CREATE TABLE rollout (
                    id TEXT PRIMARY KEY,
                    service TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    revision TEXT NOT NULL,
                    previousRevision TEXT NOT NULL,
                    fromColor TEXT NOT NULL,
                    toColor TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    weights TEXT NOT NULL,
                    fast INTEGER NOT NULL,
                    promoteRequested INTEGER NOT NULL,
                    startedAt INTEGER NOT NULL,
                    updatedAt INTEGER NOT NULL,
                    finishedAt INTEGER,
                    result TEXT,
                    reason TEXT
                );
                CREATE INDEX rollout_service_started ON rollout(service, startedAt);
                """)
        }
        migrator.registerMigration("v3-instance-marker") { db in
            // The InstanceMarker each instance was started with; NULL for rows written before.
            try db.execute(sql: "ALTER TABLE instance ADD COLUMN marker TEXT")
        }
        migrator.registerMigration("v4-control") { db in
            // Every control API call that changes something (StateStore+Audit). Append-only: the
            // triggers refuse UPDATE and DELETE, so not even Vigil rewrites what was recorded.
            // webhook_delivery: the X-GitHub-Delivery ids whose deploy was accepted, so a replay
            // is refused and a redelivery of a failed one is not.
            try db.execute(sql: """
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time INTEGER NOT NULL,
                    uid INTEGER,
                    user TEXT,
                    service TEXT,
                    pid INTEGER,
                    token TEXT,
                    webhook TEXT,
                    role TEXT,
                    method TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    arguments TEXT,
                    status INTEGER NOT NULL,
                    outcome TEXT NOT NULL
                );
                CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TABLE webhook_delivery (
                    webhook TEXT NOT NULL,
                    id TEXT NOT NULL,
                    acceptedAt INTEGER NOT NULL,
                    PRIMARY KEY (webhook, id)
                );
                """)
        }
        return migrator
    }
}
