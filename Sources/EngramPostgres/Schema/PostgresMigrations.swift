/// The numbered schema migrations, applied in order at open, in one transaction under an advisory lock
/// so instances starting together apply each exactly once. Names follow the SQLite store's numbering
/// (`NNNN_what`); a migration, once released, never changes.
///
/// The embedding column is declared without a dimension here: the dimension is known only when the
/// embedder is, so `PostgresMemoryStore.prepare` fixes it (`vector(n)`) and builds the HNSW index.
enum PostgresMigrations {
    /// Every migration, oldest first.
    static let all: [(name: String, sql: String)] = [
        ("0001_memories_history_entities_settings", memoriesSQL + historySQL + entitiesSQL + settingsSQL),
        ("0002_jobs", jobsSQL),
        ("0006_graph", graphSQL),
        ("0007_apps_categories", appsCategoriesSQL),
        ("0008_webhooks", webhooksSQL),
        ("0009_counters_reindex", countersReindexSQL),
        ("0010_scoped_keyword_index", scopedKeywordIndexSQL),
        ("0011_partition_aware_counters", partitionAwareCountersSQL),
    ]

    /// The key of the advisory lock migrations and `prepare` run under (any fixed 64-bit number).
    static let schemaLockKey: Int64 = 0x656E_6772_616D_0001

    /// The table recording applied migrations.
    static let bookkeepingSQL = """
        CREATE TABLE IF NOT EXISTS engram_migrations (
            identifier text PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """

    /// Memories, with a generated `tsvector` (English stemming, as SQLite's porter tokenizer) under a
    /// GIN index for keyword search, and JSONB metadata.
    private static let memoriesSQL = """
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE memories (
            id text PRIMARY KEY,
            project text NOT NULL,
            text text NOT NULL,
            hash text NOT NULL,
            metadata jsonb,
            user_id text,
            agent_id text,
            run_id text,
            actor_id text,
            role text,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            expiration_date text,
            state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'superseded')),
            embedding vector NOT NULL,
            text_search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED
        );
        CREATE INDEX memories_project_created ON memories (project, created_at DESC, id DESC);
        CREATE INDEX memories_user_created ON memories (project, user_id, created_at DESC, id DESC);
        CREATE INDEX memories_agent_created ON memories (project, agent_id, created_at DESC, id DESC);
        CREATE INDEX memories_run_created ON memories (project, run_id, created_at DESC, id DESC);
        CREATE INDEX memories_text_search ON memories USING gin (text_search);

        """

    /// One row per change, outliving the memory. `seq` orders events of the same microsecond.
    private static let historySQL = """
        CREATE TABLE history (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            memory_id text NOT NULL,
            old_memory text,
            new_memory text,
            event text NOT NULL CHECK (event IN ('ADD', 'UPDATE', 'DELETE')),
            created_at timestamptz NOT NULL,
            is_deleted boolean NOT NULL,
            actor_id text,
            role text,
            user_id text,
            agent_id text,
            run_id text,
            project text NOT NULL
        );
        CREATE INDEX history_memory ON history (memory_id, created_at, seq);
        CREATE INDEX history_project_created ON history (project, created_at DESC, seq DESC);
        CREATE INDEX history_user_created ON history (project, user_id, created_at DESC, seq DESC);
        CREATE INDEX history_agent_created ON history (project, agent_id, created_at DESC, seq DESC);
        CREATE INDEX history_run_created ON history (project, run_id, created_at DESC, seq DESC);

        """

    /// Users, agents and runs with their memory counts (superseded memories included), kept by a trigger
    /// in the same transaction as every memory write: an update releases the old row's entities and
    /// counts the new one's, a count reaching zero removes the entity.
    private static let entitiesSQL = """
        CREATE TABLE entities (
            project text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('user', 'agent', 'run')),
            id text NOT NULL,
            total_memories integer NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (project, kind, id)
        );
        CREATE FUNCTION engram_track_entities() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE entities e SET total_memories = e.total_memories - 1
                    FROM (VALUES ('user', OLD.user_id), ('agent', OLD.agent_id), ('run', OLD.run_id)) AS s (kind, id)
                    WHERE e.project = OLD.project AND e.kind = s.kind AND e.id = s.id;
                DELETE FROM entities e
                    USING (VALUES ('user', OLD.user_id), ('agent', OLD.agent_id), ('run', OLD.run_id)) AS s (kind, id)
                    WHERE e.project = OLD.project AND e.kind = s.kind AND e.id = s.id AND e.total_memories <= 0;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO entities AS e (project, kind, id, total_memories, created_at, updated_at)
                    SELECT NEW.project, s.kind, s.id, 1, NEW.created_at, NEW.updated_at
                    FROM (VALUES ('user', NEW.user_id), ('agent', NEW.agent_id), ('run', NEW.run_id)) AS s (kind, id)
                    WHERE s.id IS NOT NULL
                    ON CONFLICT (project, kind, id) DO UPDATE SET
                        total_memories = e.total_memories + 1, updated_at = greatest(e.updated_at, excluded.updated_at);
            END IF;
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER memories_entities AFTER INSERT OR UPDATE OR DELETE ON memories
            FOR EACH ROW EXECUTE FUNCTION engram_track_entities();

        """

    /// mem0's platform: `app_id`, a fourth scope id, on memories and history (the entity index counts
    /// apps), and each memory's categories (a JSONB array of lowercase names).
    private static let appsCategoriesSQL = """
        ALTER TABLE memories ADD COLUMN app_id text;
        ALTER TABLE memories ADD COLUMN categories jsonb;
        ALTER TABLE history ADD COLUMN app_id text;
        CREATE INDEX memories_app_created ON memories (project, app_id, created_at DESC, id DESC);
        CREATE INDEX history_app_created ON history (project, app_id, created_at DESC, seq DESC);
        CREATE INDEX jobs_project ON jobs (project, seq DESC);
        ALTER TABLE entities DROP CONSTRAINT entities_kind_check;
        ALTER TABLE entities ADD CONSTRAINT entities_kind_check CHECK (kind IN ('user', 'agent', 'run', 'app'));
        CREATE OR REPLACE FUNCTION engram_track_entities() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE entities e SET total_memories = e.total_memories - 1
                    FROM (VALUES ('user', OLD.user_id), ('agent', OLD.agent_id), ('run', OLD.run_id), ('app', OLD.app_id)) AS s (kind, id)
                    WHERE e.project = OLD.project AND e.kind = s.kind AND e.id = s.id;
                DELETE FROM entities e
                    USING (VALUES ('user', OLD.user_id), ('agent', OLD.agent_id), ('run', OLD.run_id), ('app', OLD.app_id)) AS s (kind, id)
                    WHERE e.project = OLD.project AND e.kind = s.kind AND e.id = s.id AND e.total_memories <= 0;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO entities AS e (project, kind, id, total_memories, created_at, updated_at)
                    SELECT NEW.project, s.kind, s.id, 1, NEW.created_at, NEW.updated_at
                    FROM (VALUES ('user', NEW.user_id), ('agent', NEW.agent_id), ('run', NEW.run_id), ('app', NEW.app_id)) AS s (kind, id)
                    WHERE s.id IS NOT NULL
                    ON CONFLICT (project, kind, id) DO UPDATE SET
                        total_memories = e.total_memories + 1, updated_at = greatest(e.updated_at, excluded.updated_at);
            END IF;
            RETURN NULL;
        END
        $$;
        """

    /// Store-wide settings: the embedding model and dimension, runtime configuration overrides.
    private static let settingsSQL = """
        CREATE TABLE settings (
            key text PRIMARY KEY,
            value text NOT NULL
        );

        """

    /// Keyword search within a scope: one GIN index over the scope columns (through btree_gin) and the
    /// tsvector, so a search for a user's memories intersects the user's posting list with the terms'
    /// inside the index and visits only the scope's matches, not the whole project's. It replaces the
    /// tsvector-only index, which whole-project searches now read through the same index's last column.
    /// The project is left out on purpose: its posting list would be every row of a one-project store.
    private static let scopedKeywordIndexSQL = """
        CREATE EXTENSION IF NOT EXISTS btree_gin;
        CREATE INDEX memories_scope_text_search ON memories USING gin (user_id, agent_id, run_id, app_id, text_search);
        DROP INDEX memories_text_search;

        """

    /// Counters kept by triggers in the writing transaction, so `GET /metrics` reads a few rows instead
    /// of counting: memories per project (`memories`, label = project) and jobs per status (`jobs`).
    /// Each label is spread over 16 rows picked by the backend's pid, so concurrent writers of one
    /// project rarely wait on one row; a read sums them. And `engram reindex`'s staging table (see the
    /// SQLite store's 0009).
    private static let countersReindexSQL = """
        CREATE TABLE store_counters (
            name text NOT NULL,
            label text NOT NULL,
            shard smallint NOT NULL,
            value bigint NOT NULL,
            PRIMARY KEY (name, label, shard)
        );
        INSERT INTO store_counters (name, label, shard, value) SELECT 'memories', project, 0, count(*) FROM memories GROUP BY project;
        INSERT INTO store_counters (name, label, shard, value) SELECT 'jobs', status, 0, count(*) FROM jobs GROUP BY status;
        CREATE FUNCTION engram_count(counter text, counter_label text, delta bigint) RETURNS void LANGUAGE sql AS $$
            INSERT INTO store_counters (name, label, shard, value) VALUES (counter, counter_label, pg_backend_pid() % 16, delta)
            ON CONFLICT (name, label, shard) DO UPDATE SET value = store_counters.value + excluded.value;
        $$;
        CREATE FUNCTION engram_track_counters() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'memories' THEN
                IF TG_OP = 'INSERT' THEN
                    PERFORM engram_count('memories', NEW.project, 1);
                ELSIF TG_OP = 'DELETE' THEN
                    PERFORM engram_count('memories', OLD.project, -1);
                ELSIF OLD.project <> NEW.project THEN
                    PERFORM engram_count('memories', OLD.project, -1);
                    PERFORM engram_count('memories', NEW.project, 1);
                END IF;
            ELSE
                IF TG_OP = 'INSERT' THEN
                    PERFORM engram_count('jobs', NEW.status, 1);
                ELSIF TG_OP = 'DELETE' THEN
                    PERFORM engram_count('jobs', OLD.status, -1);
                ELSIF OLD.status <> NEW.status THEN
                    PERFORM engram_count('jobs', OLD.status, -1);
                    PERFORM engram_count('jobs', NEW.status, 1);
                END IF;
            END IF;
            RETURN NULL;
        END;
        $$;
        CREATE TRIGGER memories_counters AFTER INSERT OR DELETE OR UPDATE OF project ON memories
            FOR EACH ROW EXECUTE FUNCTION engram_track_counters();
        CREATE TRIGGER jobs_counters AFTER INSERT OR DELETE OR UPDATE OF status ON jobs
            FOR EACH ROW EXECUTE FUNCTION engram_track_counters();
        CREATE TABLE reindex_vectors (
            memory_id text PRIMARY KEY,
            hash text NOT NULL,
            embedding vector NOT NULL
        );
        """

    /// The counters' trigger told memories from jobs by the table's name, but a row of a partitioned
    /// memories table fires it with its partition's name (`memories_p16_3`): jobs, never partitioned,
    /// are now the named case.
    private static let partitionAwareCountersSQL = """
        CREATE OR REPLACE FUNCTION engram_track_counters() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'jobs' THEN
                IF TG_OP = 'INSERT' THEN
                    PERFORM engram_count('jobs', NEW.status, 1);
                ELSIF TG_OP = 'DELETE' THEN
                    PERFORM engram_count('jobs', OLD.status, -1);
                ELSIF OLD.status <> NEW.status THEN
                    PERFORM engram_count('jobs', OLD.status, -1);
                    PERFORM engram_count('jobs', NEW.status, 1);
                END IF;
            ELSE
                IF TG_OP = 'INSERT' THEN
                    PERFORM engram_count('memories', NEW.project, 1);
                ELSIF TG_OP = 'DELETE' THEN
                    PERFORM engram_count('memories', OLD.project, -1);
                ELSIF OLD.project <> NEW.project THEN
                    PERFORM engram_count('memories', OLD.project, -1);
                    PERFORM engram_count('memories', NEW.project, 1);
                END IF;
            END IF;
            RETURN NULL;
        END;
        $$;
        """

    /// Durable asynchronous adds. `seq` orders claims oldest first.
    private static let jobsSQL = """
        CREATE TABLE jobs (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            project text NOT NULL,
            status text NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
            payload text NOT NULL,
            results text,
            error text,
            attempts integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL,
            started_at timestamptz,
            completed_at timestamptz
        );
        CREATE INDEX jobs_status ON jobs (status, seq);
        """

    /// Graph memory (DESIGN.md "Graph"), as the SQLite store's `0006_graph` (Postgres has no 0003-0005:
    /// those were SQLite-only): entities per scope (`scope_key` is `Scope.lockKey`) with their aliases,
    /// the memories that mention each (`graph_links`), relations with both time axes, and the memories
    /// that state each relation (`graph_sources`). One open relation per (source, relationship, target):
    /// the partial unique index, which concurrent writers meet with `ON CONFLICT … DO NOTHING`. `seq`
    /// orders rows of the same microsecond. Memories gain the time they were observed (null for those
    /// stored before: their `created_at`) and the time they were superseded, which `as_of` reads;
    /// memories superseded before take the time of their DELETE history row.
    private static let graphSQL = """
        CREATE TABLE graph_entities (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            project text NOT NULL,
            scope_key text NOT NULL,
            user_id text,
            agent_id text,
            run_id text,
            key text NOT NULL,
            name text NOT NULL,
            type text NOT NULL,
            mentions integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            UNIQUE (project, scope_key, key)
        );
        CREATE INDEX graph_entities_key ON graph_entities (project, key);
        CREATE TABLE graph_aliases (
            project text NOT NULL,
            scope_key text NOT NULL,
            alias text NOT NULL,
            entity_id text NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            PRIMARY KEY (project, scope_key, alias)
        );
        CREATE INDEX graph_aliases_alias ON graph_aliases (project, alias);
        CREATE INDEX graph_aliases_entity ON graph_aliases (entity_id);
        CREATE TABLE graph_links (
            entity_id text NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            memory_id text NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (entity_id, memory_id)
        );
        CREATE INDEX graph_links_memory ON graph_links (memory_id);
        CREATE INDEX graph_links_entity_created ON graph_links (entity_id, created_at);
        CREATE TABLE graph_relations (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            project text NOT NULL,
            user_id text,
            agent_id text,
            run_id text,
            source_id text NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            relationship text NOT NULL,
            target_id text NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            fact text,
            valid_at timestamptz,
            invalid_at timestamptz,
            created_at timestamptz NOT NULL,
            expired_at timestamptz,
            origin text NOT NULL CHECK (origin IN ('llm', 'heuristic'))
        );
        CREATE UNIQUE INDEX graph_relations_open ON graph_relations (source_id, relationship, target_id) WHERE expired_at IS NULL;
        CREATE INDEX graph_relations_source ON graph_relations (source_id, relationship);
        CREATE INDEX graph_relations_target ON graph_relations (target_id, relationship);
        CREATE INDEX graph_relations_created ON graph_relations (project, created_at DESC, seq DESC);
        CREATE TABLE graph_sources (
            relation_id text NOT NULL REFERENCES graph_relations (id) ON DELETE CASCADE,
            memory_id text NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (relation_id, memory_id)
        );
        CREATE INDEX graph_sources_memory ON graph_sources (memory_id);
        ALTER TABLE memories ADD COLUMN observed_at timestamptz;
        ALTER TABLE memories ADD COLUMN superseded_at timestamptz;
        UPDATE memories SET superseded_at = coalesce(
            (SELECT max(h.created_at) FROM history h WHERE h.memory_id = memories.id AND h.event = 'DELETE'), updated_at)
        WHERE state = 'superseded';
        """
}
