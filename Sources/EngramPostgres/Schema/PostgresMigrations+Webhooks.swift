extension PostgresMigrations {
    /// Webhooks and their durable outbox, as the SQLite store's `0008_webhooks`. A delivery row is
    /// written in the memory change's transaction; `next_attempt_at` is when it is due (a running one's
    /// lease end), and once it is DELIVERED or FAILED, when it finished. Deleting a webhook deletes its
    /// deliveries.
    static let webhooksSQL = """
        CREATE TABLE webhooks (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            project text NOT NULL,
            name text NOT NULL,
            url text NOT NULL,
            secret text NOT NULL,
            owner text NOT NULL,
            event_types jsonb NOT NULL,
            is_active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE INDEX webhooks_project ON webhooks (project, seq);
        CREATE TABLE webhook_deliveries (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
            project text NOT NULL,
            event_type text NOT NULL,
            body text NOT NULL,
            status text NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'DELIVERED', 'FAILED')),
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL,
            last_error text,
            created_at timestamptz NOT NULL,
            delivered_at timestamptz
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, seq)
            WHERE status IN ('PENDING', 'RUNNING');
        CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (next_attempt_at)
            WHERE status IN ('DELIVERED', 'FAILED');
        CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, seq);
        CREATE INDEX webhook_deliveries_running ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'RUNNING';
        """
}
