/// The schema, as forward-only migrations. Never edit a released migration: add the next version.
///
/// Conventions: booleans are INTEGER 0/1, timestamps INTEGER milliseconds since 1970 (UTC), enums their raw
/// value as TEXT, lists of user ids a JSON array of strings as TEXT (NULL when empty). Message bodies are the
/// hub's canonical JSON bytes as a BLOB (`CAST(body AS TEXT)` to read them).
enum Schema {
    /// Every migration, in version order, from 1 without gaps.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: version1),
        Migration(version: 2, name: "group services: files, cards, tasks, jobs", sql: version2),
        Migration(version: 3, name: "student-data protection: audit log, retention", sql: version3),
        Migration(version: 4, name: "news center: columns, articles, search, reads", sql: version4),
        Migration(version: 5, name: "community services: requests and settings", sql: version5),
    ]

    private static let version5: StaticString = """
        -- Community-services documents loaded at start-up: requests (their fields and workflow history) and each
        -- service's settings, as the hub's canonical JSON.
        CREATE TABLE community_docs (
            kind        TEXT NOT NULL,
            id          TEXT NOT NULL,
            body        BLOB NOT NULL,
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID;

        -- Lendable items: how many there are and how many requests hold. The CHECK is the store's own guarantee that
        -- stock never goes negative, whatever the hub does.
        CREATE TABLE community_stock (
            item_id     TEXT PRIMARY KEY,
            stock       INTEGER NOT NULL,
            held        INTEGER NOT NULL DEFAULT 0,
            CHECK (held >= 0 AND held <= stock)
        ) WITHOUT ROWID;

        -- Slots held by pending and approved bookings. Two held slots of one venue never overlap: the trigger is the
        -- store's own guarantee, whatever the hub does.
        CREATE TABLE community_slots (
            venue_id    TEXT NOT NULL,
            booking_id  INTEGER NOT NULL,
            starts_at   INTEGER NOT NULL,
            ends_at     INTEGER NOT NULL,
            PRIMARY KEY (venue_id, booking_id)
        ) WITHOUT ROWID;
        CREATE INDEX community_slots_by_time ON community_slots (venue_id, starts_at);
        CREATE TRIGGER community_slots_no_overlap BEFORE INSERT ON community_slots
        WHEN EXISTS (
            SELECT 1 FROM community_slots
            WHERE venue_id = NEW.venue_id AND booking_id != NEW.booking_id
              AND starts_at < NEW.ends_at AND NEW.starts_at < ends_at
        )
        BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;
        """

    private static let version4: StaticString = """
        -- News-center documents kept whole and loaded at start-up (columns, column preferences, feed-import state,
        -- must-read recipient lists, dead webhook deliveries) as the hub's canonical JSON.
        CREATE TABLE news_docs (
            kind        TEXT NOT NULL,
            id          TEXT NOT NULL,
            body        BLOB NOT NULL,
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID;

        -- Articles: `meta` (everything but the body) is loaded at start-up; bodies are read when opened.
        CREATE TABLE news_articles (
            id          INTEGER PRIMARY KEY,
            column_id   TEXT NOT NULL,
            external_id TEXT UNIQUE,
            title       TEXT NOT NULL,
            meta        BLOB NOT NULL,
            html        TEXT NOT NULL DEFAULT '',
            text        TEXT NOT NULL DEFAULT ''
        );

        -- Full-text search over titles and bodies; trigrams match Chinese, which has no spaces between words.
        CREATE VIRTUAL TABLE news_search USING fts5 (title, text, tokenize = 'trigram');

        -- Uploaded objects an article shows (cover, attachments): the retention purge keeps them.
        CREATE TABLE news_object_refs (
            object_id   TEXT NOT NULL,
            article_id  INTEGER NOT NULL,
            PRIMARY KEY (object_id, article_id)
        ) WITHOUT ROWID;

        -- One row per reader and article, written when they open or mark it (fan-out on read: never one per
        -- subscriber). `views` is 0 for "mark read" without opening.
        CREATE TABLE news_reads (
            article_id  INTEGER NOT NULL,
            user_id     TEXT NOT NULL,
            first_at    INTEGER NOT NULL,
            last_at     INTEGER NOT NULL,
            views       INTEGER NOT NULL,
            PRIMARY KEY (article_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX news_reads_by_user ON news_reads (user_id, article_id);

        -- The highest id ever given to a job: job ids are never reused once their row is deleted (news webhook
        -- deliveries are known to receivers by them).
        CREATE TABLE counters (
            name        TEXT PRIMARY KEY,
            value       INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO counters (name, value) SELECT 'job', ifnull(max(id), 0) FROM jobs;
        """

    private static let version3: StaticString = """
        -- Privileged reads and actions, append-only and tamper-evident: each row's hash covers its fields and the
        -- previous row's hash (`yizhan audit verify` walks the chain). The triggers stop accidental edits; the
        -- chain shows deliberate ones.
        CREATE TABLE audit_log (
            seq         INTEGER PRIMARY KEY,
            at          INTEGER NOT NULL,
            actor       TEXT,                   -- user id; NULL for the system (jobs, command line)
            action      TEXT NOT NULL,
            target      TEXT,
            detail      TEXT NOT NULL,          -- JSON object
            prev_hash   TEXT NOT NULL,          -- hex SHA-256 of the previous row, 64 zeros for the first
            hash        TEXT NOT NULL
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

        -- Retention: messages.recalled is 2 for a message whose content expired (body '{}', no sender), so every
        -- seq still exists and resumes stay gap-free. The daily purge walks live messages by time; expired ones
        -- leave this index, so each run reads only what it may expire.
        CREATE INDEX messages_by_time ON messages (created_at) WHERE recalled != 2;
        """

    private static let version2: StaticString = """
        ALTER TABLE groups ADD COLUMN allow_member_cards INTEGER NOT NULL DEFAULT 0;

        -- Roster order matters for teachers: the first one owns the course group.
        ALTER TABLE course_members ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

        -- Uploaded files. The bytes live on disk under objects/ by sha256; identical uploads share them.
        CREATE TABLE objects (
            id          TEXT PRIMARY KEY,
            sha256      TEXT NOT NULL,
            size        INTEGER NOT NULL,
            mime        TEXT NOT NULL,
            name        TEXT NOT NULL,
            owner       TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX objects_by_sha256 ON objects (sha256);

        -- Groups an object was shared in: their members may download it.
        CREATE TABLE object_shares (
            object_id   TEXT NOT NULL REFERENCES objects (id),
            group_id    INTEGER NOT NULL REFERENCES groups (id),
            PRIMARY KEY (object_id, group_id)
        ) WITHOUT ROWID;

        -- Group-service documents (cards, tasks, library files) as the hub's canonical JSON.
        CREATE TABLE records (
            kind        TEXT NOT NULL,
            id          INTEGER NOT NULL,
            group_id    INTEGER NOT NULL REFERENCES groups (id),
            body        BLOB NOT NULL,
            created_at  INTEGER NOT NULL,
            closed_at   INTEGER,
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID;
        CREATE INDEX records_by_group ON records (group_id, kind);
        CREATE INDEX records_by_closed ON records (closed_at);

        -- One member's entry in a record: a card response, a task status.
        CREATE TABLE record_entries (
            kind        TEXT NOT NULL,
            record_id   INTEGER NOT NULL,
            user_id     TEXT NOT NULL,
            body        BLOB NOT NULL,
            updated_at  INTEGER NOT NULL,
            PRIMARY KEY (kind, record_id, user_id)
        ) WITHOUT ROWID;

        -- Scheduled work; a job row is deleted in the transaction that does its work.
        CREATE TABLE jobs (
            id          INTEGER PRIMARY KEY,
            due_at      INTEGER NOT NULL,
            kind        TEXT NOT NULL,
            body        BLOB NOT NULL
        );
        """

    private static let version1: StaticString = """
        CREATE TABLE users (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            roles       TEXT NOT NULL,          -- comma list of SchoolRole raw values, sorted
            class_id    TEXT,
            org_unit_id TEXT,
            active      INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE org_units (
            id          TEXT PRIMARY KEY,
            kind        TEXT NOT NULL,
            name        TEXT NOT NULL,
            parent_id   TEXT,
            counselors  TEXT                    -- JSON array of user ids, NULL when none
        ) WITHOUT ROWID;

        CREATE TABLE courses (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL
        ) WITHOUT ROWID;

        -- A course's roster; an upsert of the course replaces all of its rows.
        CREATE TABLE course_members (
            course_id   TEXT NOT NULL REFERENCES courses (id),
            role        TEXT NOT NULL,          -- 'teacher' or 'student'
            user_id     TEXT NOT NULL,
            PRIMARY KEY (course_id, role, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX course_members_by_user ON course_members (user_id);

        CREATE TABLE groups (
            id           INTEGER PRIMARY KEY,
            kind         TEXT NOT NULL,
            name         TEXT NOT NULL,
            external_key TEXT UNIQUE,           -- class:<id> or course:<id>; NULL for office groups
            owner        TEXT,
            mute_all     INTEGER NOT NULL,
            frozen       INTEGER NOT NULL,
            dissolved    INTEGER NOT NULL,
            created_at   INTEGER NOT NULL,
            last_seq     INTEGER NOT NULL DEFAULT 0   -- the newest message's seq, advanced in the same transaction
        );

        CREATE TABLE members (
            group_id    INTEGER NOT NULL REFERENCES groups (id),
            user_id     TEXT NOT NULL,
            role        TEXT NOT NULL,
            source      TEXT NOT NULL,
            joined_seq  INTEGER NOT NULL,
            muted_until INTEGER,
            read_seq    INTEGER NOT NULL,
            PRIMARY KEY (group_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX members_by_user ON members (user_id);

        CREATE TABLE messages (
            group_id      INTEGER NOT NULL REFERENCES groups (id),
            seq           INTEGER NOT NULL,
            sender        TEXT,                 -- NULL for system messages
            client_msg_id TEXT,
            kind          TEXT NOT NULL,
            body          BLOB NOT NULL,        -- canonical JSON; '{}' once recalled
            reply_to      INTEGER,
            mentions      TEXT,                 -- JSON array of user ids, NULL when none
            mention_all   INTEGER NOT NULL,
            created_at    INTEGER NOT NULL,
            recalled      INTEGER NOT NULL,
            PRIMARY KEY (group_id, seq)
        ) WITHOUT ROWID;
        -- Idempotent sends: a retried (sender, client_msg_id) finds the original. The client id comes first so
        -- that time-ordered ids (UUIDv7, ULID) insert at the index's right edge instead of at random pages.
        CREATE UNIQUE INDEX messages_by_client_id ON messages (client_msg_id, sender)
            WHERE client_msg_id IS NOT NULL;
        """
}

/// One schema change, applied in its own transaction and recorded in `schema_migrations`.
struct Migration: Sendable {
    var version: Int
    var name: String
    var sql: StaticString
}
