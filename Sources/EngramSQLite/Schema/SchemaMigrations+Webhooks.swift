extension SchemaMigrations {
    /// Webhooks and their durable outbox (`0008_webhooks`). A delivery row is written in the memory
    /// change's transaction; `next_attempt_at` is when it is due (a running one's lease end), and once
    /// it is DELIVERED or FAILED, when it finished. Deleting a webhook deletes its deliveries.
    static let webhooksSQL = """
        CREATE TABLE webhooks (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            project TEXT NOT NULL,
            name TEXT NOT NULL,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            owner TEXT NOT NULL,
            event_types TEXT NOT NULL,
            is_active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX webhooks_project ON webhooks (project, seq);
        CREATE TABLE webhook_deliveries (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
            project TEXT NOT NULL,
            event_type TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'DELIVERED', 'FAILED')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            delivered_at TEXT
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, seq)
            WHERE status IN ('PENDING', 'RUNNING');
        CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (next_attempt_at)
            WHERE status IN ('DELIVERED', 'FAILED');
        CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, seq);
        CREATE INDEX webhook_deliveries_running ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'RUNNING';
        """
}
