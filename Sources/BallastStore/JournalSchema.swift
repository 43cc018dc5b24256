import Foundation
import GRDB

/// The journal's tables, created and upgraded by GRDB's migrator. A file whose migrations
/// this build does not know was written by a newer Ballast and is refused, not guessed at.
enum JournalSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE strategies (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
                CREATE TABLE snapshots (hash TEXT PRIMARY KEY, taken_at REAL NOT NULL, body BLOB NOT NULL);
                CREATE TABLE cycles (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at REAL NOT NULL,
                    mode TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    strategy_hash TEXT NOT NULL REFERENCES strategies(hash),
                    snapshot_hash TEXT NOT NULL REFERENCES snapshots(hash),
                    opportunities BLOB NOT NULL,
                    plan BLOB NOT NULL
                );
                CREATE INDEX cycles_started ON cycles(started_at);
                CREATE TABLE actions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    cycle INTEGER NOT NULL REFERENCES cycles(seq),
                    token TEXT NOT NULL,
                    leg INTEGER NOT NULL,
                    from_chain TEXT NOT NULL,
                    to_chain TEXT NOT NULL,
                    bridge TEXT NOT NULL,
                    amount TEXT NOT NULL,
                    expected_received TEXT NOT NULL,
                    fee_usd REAL NOT NULL,
                    amount_usd REAL NOT NULL,
                    fee_bps REAL NOT NULL,
                    fee_fixed TEXT NOT NULL,
                    eta_seconds INTEGER NOT NULL,
                    depends_on TEXT,
                    status TEXT NOT NULL,
                    body BLOB,
                    valid_until REAL,
                    reference TEXT,
                    received TEXT,
                    delivered_at REAL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    first_sent_at REAL,
                    source_balance TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX actions_status ON actions(status, id);
                CREATE INDEX actions_cycle ON actions(cycle);
                CREATE INDEX actions_token ON actions(token, id);
                CREATE INDEX actions_created ON actions(created_at);
                CREATE TABLE action_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    idempotency_key TEXT NOT NULL,
                    status TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    note TEXT,
                    at REAL NOT NULL
                );
                CREATE INDEX action_history_key ON action_history(idempotency_key, id);
                """)
            let id = String(format: "%08x", UInt32.random(in: .min ... .max))
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('journal_id', ?)", arguments: [id])
        }
        // Opportunities each tick of the service saw (the best of each tick, kept until pruned).
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE opportunities (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    seen_at REAL NOT NULL,
                    token TEXT NOT NULL,
                    buy_chain TEXT NOT NULL,
                    sell_chain TEXT NOT NULL,
                    bridge TEXT NOT NULL,
                    amount TEXT NOT NULL,
                    profit_usd REAL NOT NULL,
                    roi_bps REAL NOT NULL
                );
                CREATE INDEX opportunities_seen ON opportunities(seen_at);
                """)
        }
        return migrator
    }
}
