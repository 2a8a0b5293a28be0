import GRDB

/// The numbered schema migrations, applied in order at open and by `engram migrate`. Names are
/// `NNNN_what`; the Postgres store uses the same numbering. A migration, once released, never changes.
enum SchemaMigrations {
    /// How the keyword index tokenises text (`tokenize` of `memories_fts` below), for tokenising query
    /// terms the same way.
    static let searchTokenizer: FTS5TokenizerDescriptor = .porter(wrapping: .unicode61(diacritics: .remove))

    /// The migrator holding every migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_memories_history_entities_settings") { db in
            try db.execute(sql: memoriesSQL)
            try db.execute(sql: searchSQL)
            try db.execute(sql: historySQL)
            try db.execute(sql: entitiesSQL)
            try db.execute(sql: settingsSQL)
        }
        migrator.registerMigration("0002_jobs") { db in
            try db.execute(sql: jobsSQL)
        }
        migrator.registerMigration("0003_scoped_search_index") { db in
            try db.execute(sql: scopedSearchSQL)
        }
        migrator.registerMigration("0004_scope_generations") { db in
            try db.execute(sql: scopeGenerationsSQL)
        }
        migrator.registerMigration("0005_insert_counters") { db in
            try db.execute(sql: insertCountersSQL)
        }
        migrator.registerMigration("0006_graph") { db in
            try db.execute(sql: graphSQL)
        }
        migrator.registerMigration("0007_apps_categories") { db in
            try db.execute(sql: appsCategoriesSQL)
        }
        migrator.registerMigration("0008_webhooks") { db in
            try db.execute(sql: webhooksSQL)
        }
        migrator.registerMigration("0009_counters_reindex") { db in
            try db.execute(sql: countersReindexSQL)
        }
        return migrator
    }

    /// Memories. `seq` is a stable integer key for the FTS index and hydration (an implicit rowid may
    /// be renumbered by VACUUM); `id` is the public key. Times are `StoredTime` text.
    private static let memoriesSQL = """
        CREATE TABLE memories (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            project TEXT NOT NULL,
            text TEXT NOT NULL,
            hash TEXT NOT NULL,
            metadata TEXT,
            user_id TEXT,
            agent_id TEXT,
            run_id TEXT,
            actor_id TEXT,
            role TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            expiration_date TEXT,
            state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'superseded')),
            embedding BLOB NOT NULL
        );
        CREATE INDEX memories_project_created ON memories (project, created_at DESC, id DESC);
        CREATE INDEX memories_user_created ON memories (project, user_id, created_at DESC, id DESC);
        CREATE INDEX memories_agent_created ON memories (project, agent_id, created_at DESC, id DESC);
        CREATE INDEX memories_run_created ON memories (project, run_id, created_at DESC, id DESC);

        -- Bumped by every change to a project's memories, in the changing transaction: a reader that
        -- sees generation G sees exactly the rows of G, which keys the in-memory vector cache.
        CREATE TABLE project_generations (
            project TEXT PRIMARY KEY,
            generation INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TRIGGER memories_generation_insert AFTER INSERT ON memories BEGIN
            INSERT INTO project_generations (project, generation) VALUES (NEW.project, 1)
                ON CONFLICT (project) DO UPDATE SET generation = generation + 1;
        END;
        CREATE TRIGGER memories_generation_update AFTER UPDATE ON memories BEGIN
            INSERT INTO project_generations (project, generation) VALUES (OLD.project, 1), (NEW.project, 1)
                ON CONFLICT (project) DO UPDATE SET generation = generation + 1;
        END;
        CREATE TRIGGER memories_generation_delete AFTER DELETE ON memories BEGIN
            INSERT INTO project_generations (project, generation) VALUES (OLD.project, 1)
                ON CONFLICT (project) DO UPDATE SET generation = generation + 1;
        END;
        """

    /// An external-content FTS5 index over `memories.text`, kept in sync by triggers in the same
    /// transaction as every write.
    private static let searchSQL = """
        CREATE VIRTUAL TABLE memories_fts USING fts5(
            text, content = 'memories', content_rowid = 'seq', tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
            INSERT INTO memories_fts (rowid, text) VALUES (NEW.seq, NEW.text);
        END;
        CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
            INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', OLD.seq, OLD.text);
        END;
        CREATE TRIGGER memories_fts_update AFTER UPDATE OF text ON memories BEGIN
            INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', OLD.seq, OLD.text);
            INSERT INTO memories_fts (rowid, text) VALUES (NEW.seq, NEW.text);
        END;
        """

    /// The FTS5 index again, with a second column `scope` holding each memory's scope tokens
    /// (`ScopeTokens`), so a search pinned to a scope intersects the posting lists of its words with the
    /// scope's before ranking. Ranking reads the `text` column alone (`TextBM25`). The content is a view
    /// over `memories` that computes the tokens, read by `rebuild` (which fills the new index from the
    /// existing memories here); the triggers keep both columns in sync, also when a memory's scope ids
    /// change. GRDB runs the migration in one transaction.
    private static let scopedSearchSQL = """
        DROP TRIGGER memories_fts_insert;
        DROP TRIGGER memories_fts_delete;
        DROP TRIGGER memories_fts_update;
        DROP TABLE memories_fts;
        CREATE VIEW memories_fts_content AS SELECT seq, text, \(scopeTokensSQL(row: "memories")) AS scope FROM memories;
        CREATE VIRTUAL TABLE memories_fts USING fts5(
            text, scope, content = 'memories_fts_content', content_rowid = 'seq',
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
            INSERT INTO memories_fts (rowid, text, scope) VALUES (NEW.seq, NEW.text, \(scopeTokensSQL(row: "NEW")));
        END;
        CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
            INSERT INTO memories_fts (memories_fts, rowid, text, scope)
                VALUES ('delete', OLD.seq, OLD.text, \(scopeTokensSQL(row: "OLD")));
        END;
        CREATE TRIGGER memories_fts_update AFTER UPDATE OF text, project, user_id, agent_id, run_id ON memories BEGIN
            INSERT INTO memories_fts (memories_fts, rowid, text, scope)
                VALUES ('delete', OLD.seq, OLD.text, \(scopeTokensSQL(row: "OLD")));
            INSERT INTO memories_fts (rowid, text, scope) VALUES (NEW.seq, NEW.text, \(scopeTokensSQL(row: "NEW")));
        END;
        INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');
        """

    /// A counter per scope id (keyed by its scope token), bumped in the writing transaction whenever a
    /// memory holding that id is inserted, changed or deleted. A scoped search reads the counters of the
    /// ids its filter pins, in its own snapshot, to key the vector cache: writes in other scopes of the
    /// project then leave its cached vectors valid. Filled from the memories already stored.
    private static let scopeGenerationsSQL = """
        CREATE TABLE scope_generations (
            token TEXT PRIMARY KEY,
            generation INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TRIGGER memories_scope_generation_insert AFTER INSERT ON memories BEGIN
            \(bumpScopeGenerationsSQL(row: "NEW"))
        END;
        CREATE TRIGGER memories_scope_generation_update AFTER UPDATE ON memories BEGIN
            \(bumpScopeGenerationsSQL(row: "OLD"))
            \(bumpScopeGenerationsSQL(row: "NEW"))
        END;
        CREATE TRIGGER memories_scope_generation_delete AFTER DELETE ON memories BEGIN
            \(bumpScopeGenerationsSQL(row: "OLD"))
        END;
        INSERT INTO scope_generations (token, generation)
            SELECT token, 1 FROM (\(scopeTokenRowsSQL(row: "memories", from: "FROM memories")))
            WHERE token IS NOT NULL GROUP BY token;
        """

    /// Beside each generation counter, a count of the inserts among its changes. A reader holding vectors
    /// cached at an earlier generation sees from the two differences whether every change since was an
    /// insert: then it reads only the memories stored after the last one it holds, instead of them all.
    /// (`seq` only grows while the memory holding the largest one is kept, and deleting it is a change
    /// that is not an insert.) Both counts start at 0 for the counters already there.
    private static let insertCountersSQL = """
        ALTER TABLE project_generations ADD COLUMN inserted INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE scope_generations ADD COLUMN inserted INTEGER NOT NULL DEFAULT 0;
        DROP TRIGGER memories_generation_insert;
        CREATE TRIGGER memories_generation_insert AFTER INSERT ON memories BEGIN
            INSERT INTO project_generations (project, generation, inserted) VALUES (NEW.project, 1, 1)
                ON CONFLICT (project) DO UPDATE SET generation = generation + 1, inserted = inserted + 1;
        END;
        DROP TRIGGER memories_scope_generation_insert;
        CREATE TRIGGER memories_scope_generation_insert AFTER INSERT ON memories BEGIN
            INSERT INTO scope_generations (token, generation, inserted)
                SELECT token, 1, 1 FROM (\(scopeTokenRowsSQL(row: "NEW", from: ""))) WHERE token IS NOT NULL
                ON CONFLICT (token) DO UPDATE SET generation = generation + 1, inserted = inserted + 1;
        END;
        """

    /// Graph memory (DESIGN.md "Graph"): entities per scope (`scope_key` is `Scope.lockKey`) with their
    /// aliases, the memories that mention each (`graph_links`), relations with both time axes, and the
    /// memories that state each relation (`graph_sources`). One open relation per (source,
    /// relationship, target): the partial unique index. Memories gain the time they were observed
    /// (null for those stored before: their `created_at`) and the time they were superseded, which
    /// `as_of` reads; memories superseded before take the time of their DELETE history row.
    private static let graphSQL = """
        CREATE TABLE graph_entities (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            project TEXT NOT NULL,
            scope_key TEXT NOT NULL,
            user_id TEXT,
            agent_id TEXT,
            run_id TEXT,
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            mentions INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (project, scope_key, key)
        );
        CREATE INDEX graph_entities_key ON graph_entities (project, key);
        CREATE TABLE graph_aliases (
            project TEXT NOT NULL,
            scope_key TEXT NOT NULL,
            alias TEXT NOT NULL,
            entity_id TEXT NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            PRIMARY KEY (project, scope_key, alias)
        ) WITHOUT ROWID;
        CREATE INDEX graph_aliases_alias ON graph_aliases (project, alias);
        CREATE INDEX graph_aliases_entity ON graph_aliases (entity_id);
        CREATE TABLE graph_links (
            entity_id TEXT NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            memory_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (entity_id, memory_id)
        ) WITHOUT ROWID;
        CREATE INDEX graph_links_memory ON graph_links (memory_id);
        CREATE INDEX graph_links_entity_created ON graph_links (entity_id, created_at);
        CREATE TABLE graph_relations (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            project TEXT NOT NULL,
            user_id TEXT,
            agent_id TEXT,
            run_id TEXT,
            source_id TEXT NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            relationship TEXT NOT NULL,
            target_id TEXT NOT NULL REFERENCES graph_entities (id) ON DELETE CASCADE,
            fact TEXT,
            valid_at TEXT,
            invalid_at TEXT,
            created_at TEXT NOT NULL,
            expired_at TEXT,
            origin TEXT NOT NULL CHECK (origin IN ('llm', 'heuristic'))
        );
        CREATE UNIQUE INDEX graph_relations_open ON graph_relations (source_id, relationship, target_id) WHERE expired_at IS NULL;
        CREATE INDEX graph_relations_source ON graph_relations (source_id, relationship);
        CREATE INDEX graph_relations_target ON graph_relations (target_id, relationship);
        CREATE INDEX graph_relations_created ON graph_relations (project, created_at DESC, seq DESC);
        CREATE TABLE graph_sources (
            relation_id TEXT NOT NULL REFERENCES graph_relations (id) ON DELETE CASCADE,
            memory_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (relation_id, memory_id)
        ) WITHOUT ROWID;
        CREATE INDEX graph_sources_memory ON graph_sources (memory_id);
        ALTER TABLE memories ADD COLUMN observed_at TEXT;
        ALTER TABLE memories ADD COLUMN superseded_at TEXT;
        UPDATE memories SET superseded_at = coalesce(
            (SELECT max(h.created_at) FROM history h WHERE h.memory_id = memories.id AND h.event = 'DELETE'), updated_at)
        WHERE state = 'superseded';
        """

    /// mem0's platform: `app_id`, a fourth scope id, on memories and history (with the entity index
    /// counting apps, rebuilt to allow the kind), and each memory's categories (a JSON array of lowercase
    /// names). App ids get no scope tokens: a search pinned to an app alone filters by its column.
    private static let appsCategoriesSQL = """
        ALTER TABLE memories ADD COLUMN app_id TEXT;
        ALTER TABLE memories ADD COLUMN categories TEXT;
        ALTER TABLE history ADD COLUMN app_id TEXT;
        CREATE INDEX memories_app_created ON memories (project, app_id, created_at DESC, id DESC);
        CREATE INDEX history_app_created ON history (project, app_id, created_at DESC, seq DESC);
        CREATE INDEX jobs_project ON jobs (project, seq DESC);
        DROP TRIGGER memories_entities_insert;
        DROP TRIGGER memories_entities_delete;
        DROP TRIGGER memories_entities_update;
        CREATE TABLE entities_with_apps (
            project TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('user', 'agent', 'run', 'app')),
            id TEXT NOT NULL,
            total_memories INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (project, kind, id)
        ) WITHOUT ROWID;
        INSERT INTO entities_with_apps SELECT project, kind, id, total_memories, created_at, updated_at FROM entities;
        DROP TABLE entities;
        ALTER TABLE entities_with_apps RENAME TO entities;
        \(entityTrigger(name: "memories_entities_insert", event: "INSERT", release: false, count: true, kinds: withApps))
        \(entityTrigger(name: "memories_entities_delete", event: "DELETE", release: true, count: false, kinds: withApps))
        \(entityTrigger(name: "memories_entities_update", event: "UPDATE", release: true, count: true, kinds: withApps))
        """

    /// The scope kinds and their columns the entity index counts, before and after `0007`.
    private static let withoutApps = [("user", "user_id"), ("agent", "agent_id"), ("run", "run_id")]
    private static let withApps = withoutApps + [("app", "app_id")]

    /// Adds one to the counter of each scope id of `row` (`NEW` or `OLD`).
    private static func bumpScopeGenerationsSQL(row: String) -> String {
        """
        INSERT INTO scope_generations (token, generation)
                SELECT token, 1 FROM (\(scopeTokenRowsSQL(row: row, from: ""))) WHERE token IS NOT NULL
                ON CONFLICT (token) DO UPDATE SET generation = generation + 1;
        """
    }

    /// One row per scope-id column of `row`, holding its scope token (NULL where the id is NULL): the
    /// tokens of `ScopeTokens.token`.
    private static func scopeTokenRowsSQL(row: String, from: String) -> String {
        [("u", "user_id"), ("a", "agent_id"), ("r", "run_id")].map { letter, column in
            "SELECT CASE WHEN \(row).\(column) IS NULL THEN NULL "
                + "ELSE '\(letter)' || hex(\(row).project) || 'x' || hex(\(row).\(column)) || '0' END AS token \(from)"
        }.joined(separator: " UNION ALL ")
    }

    /// The scope tokens of `row` (a table or `NEW`/`OLD`) as an SQL expression, space-separated; the same
    /// tokens as `ScopeTokens.token` (`hex()` spells text as uppercase hex of its UTF-8 bytes).
    private static func scopeTokensSQL(row: String) -> String {
        [("u", "user_id"), ("a", "agent_id"), ("r", "run_id")].map { letter, column in
            "CASE WHEN \(row).\(column) IS NULL THEN '' "
                + "ELSE '\(letter)' || hex(\(row).project) || 'x' || hex(\(row).\(column)) || '0 ' END"
        }.joined(separator: " || ")
    }

    /// One row per change, outliving the memory. `seq` orders events of the same microsecond.
    private static let historySQL = """
        CREATE TABLE history (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            memory_id TEXT NOT NULL,
            old_memory TEXT,
            new_memory TEXT,
            event TEXT NOT NULL CHECK (event IN ('ADD', 'UPDATE', 'DELETE')),
            created_at TEXT NOT NULL,
            is_deleted INTEGER NOT NULL,
            actor_id TEXT,
            role TEXT,
            user_id TEXT,
            agent_id TEXT,
            run_id TEXT,
            project TEXT NOT NULL
        );
        CREATE INDEX history_memory ON history (memory_id, created_at, seq);
        CREATE INDEX history_project_created ON history (project, created_at DESC, seq DESC);
        CREATE INDEX history_user_created ON history (project, user_id, created_at DESC, seq DESC);
        CREATE INDEX history_agent_created ON history (project, agent_id, created_at DESC, seq DESC);
        CREATE INDEX history_run_created ON history (project, run_id, created_at DESC, seq DESC);
        """

    /// Users, agents and runs with their memory counts (superseded memories included), maintained by
    /// triggers in the same transaction as the memory writes, so listing entities never scans memories.
    private static let entitiesSQL = """
        CREATE TABLE entities (
            project TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('user', 'agent', 'run')),
            id TEXT NOT NULL,
            total_memories INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (project, kind, id)
        ) WITHOUT ROWID;
        \(entityTrigger(name: "memories_entities_insert", event: "INSERT", release: false, count: true))
        \(entityTrigger(name: "memories_entities_delete", event: "DELETE", release: true, count: false))
        \(entityTrigger(name: "memories_entities_update", event: "UPDATE", release: true, count: true))
        """

    /// A trigger that releases OLD's entities (count - 1, deleted at 0) and/or counts NEW's (count + 1).
    private static func entityTrigger(
        name: String, event: String, release: Bool, count: Bool, kinds: [(String, String)] = withoutApps
    ) -> String {
        var body = ""
        if release {
            for (kind, column) in kinds {
                body += """
                    UPDATE entities SET total_memories = total_memories - 1
                        WHERE project = OLD.project AND kind = '\(kind)' AND id = OLD.\(column);
                    DELETE FROM entities
                        WHERE project = OLD.project AND kind = '\(kind)' AND id = OLD.\(column) AND total_memories <= 0;

                    """
            }
        }
        if count {
            body += """
                INSERT INTO entities (project, kind, id, total_memories, created_at, updated_at)
                    SELECT NEW.project, scope.kind, scope.id, 1, NEW.created_at, NEW.updated_at
                    FROM (\(kinds.enumerated().map { index, pair in
                        index == 0 ? "SELECT '\(pair.0)' AS kind, NEW.\(pair.1) AS id" : "SELECT '\(pair.0)', NEW.\(pair.1)"
                    }.joined(separator: " UNION ALL "))) AS scope
                    WHERE scope.id IS NOT NULL
                    ON CONFLICT (project, kind, id) DO UPDATE SET
                        total_memories = total_memories + 1, updated_at = max(updated_at, excluded.updated_at);

                """
        }
        return "CREATE TRIGGER \(name) AFTER \(event) ON memories BEGIN\n\(body)END;"
    }

    /// Store-wide settings: the embedding model and dimension the vectors were made with.
    private static let settingsSQL = """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// Counters kept by triggers in the writing transaction, so `GET /metrics` reads a few rows instead
    /// of counting: memories per project (`memories`, label = project) and jobs per status (`jobs`).
    /// And `engram reindex`'s staging table: a memory's vector from the new embedder, with the hash of
    /// the text it embedded (a text changed since is embedded again), swapped in when all are done.
    private static let countersReindexSQL = """
        CREATE TABLE store_counters (
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (name, label)
        ) WITHOUT ROWID;
        INSERT INTO store_counters (name, label, value) SELECT 'memories', project, count(*) FROM memories GROUP BY project;
        INSERT INTO store_counters (name, label, value) SELECT 'jobs', status, count(*) FROM jobs GROUP BY status;
        CREATE TRIGGER store_counters_memory_insert AFTER INSERT ON memories BEGIN
            INSERT INTO store_counters (name, label, value) VALUES ('memories', NEW.project, 1)
                ON CONFLICT (name, label) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER store_counters_memory_delete AFTER DELETE ON memories BEGIN
            UPDATE store_counters SET value = value - 1 WHERE name = 'memories' AND label = OLD.project;
        END;
        CREATE TRIGGER store_counters_memory_project AFTER UPDATE OF project ON memories WHEN OLD.project <> NEW.project BEGIN
            UPDATE store_counters SET value = value - 1 WHERE name = 'memories' AND label = OLD.project;
            INSERT INTO store_counters (name, label, value) VALUES ('memories', NEW.project, 1)
                ON CONFLICT (name, label) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER store_counters_job_insert AFTER INSERT ON jobs BEGIN
            INSERT INTO store_counters (name, label, value) VALUES ('jobs', NEW.status, 1)
                ON CONFLICT (name, label) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER store_counters_job_status AFTER UPDATE OF status ON jobs WHEN OLD.status <> NEW.status BEGIN
            UPDATE store_counters SET value = value - 1 WHERE name = 'jobs' AND label = OLD.status;
            INSERT INTO store_counters (name, label, value) VALUES ('jobs', NEW.status, 1)
                ON CONFLICT (name, label) DO UPDATE SET value = value + 1;
        END;
        CREATE TRIGGER store_counters_job_delete AFTER DELETE ON jobs BEGIN
            UPDATE store_counters SET value = value - 1 WHERE name = 'jobs' AND label = OLD.status;
        END;
        CREATE TABLE reindex_vectors (
            memory_id TEXT PRIMARY KEY,
            hash TEXT NOT NULL,
            embedding BLOB NOT NULL
        );
        """

    /// Durable asynchronous adds. `seq` orders claims oldest first.
    private static let jobsSQL = """
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            project TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
            payload TEXT NOT NULL,
            results TEXT,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            started_at TEXT,
            completed_at TEXT
        );
        CREATE INDEX jobs_status ON jobs (status, seq);
        """
}
