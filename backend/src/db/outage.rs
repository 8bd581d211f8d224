//! Telling an outage (the database is down, busy, locked or damaged: try
//! again later, 503) from a bug (500).

use sqlx::{postgres::PgDatabaseError, sqlite::SqliteError, Error};

/// SQLite result codes that mean "not now" or "this file is damaged".
const SQLITE_UNAVAILABLE: [&str; 6] = [
    "5",  // SQLITE_BUSY
    "6",  // SQLITE_LOCKED
    "10", // SQLITE_IOERR
    "11", // SQLITE_CORRUPT
    "14", // SQLITE_CANTOPEN
    "26", // SQLITE_NOTADB
];

/// PostgreSQL SQLSTATE classes that mean the server or connection is not
/// there right now: 08 connection exceptions, 53 insufficient resources,
/// 57 operator intervention (shutdown, cancelled).
const POSTGRES_UNAVAILABLE: [&str; 3] = ["08", "53", "57"];

/// Whether a storage error means "unavailable right now" rather than a bug.
/// The error's type says which backend spoke: PostgreSQL errors by their
/// SQLSTATE class, SQLite errors by their primary result code.
pub fn is_outage(e: &Error) -> bool {
    match e {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
                return POSTGRES_UNAVAILABLE
                    .iter()
                    .any(|class| pg.code().starts_with(class));
            }
            if db.try_downcast_ref::<SqliteError>().is_some() {
                // The extended code; its low byte is the primary one.
                let primary = db
                    .code()
                    .and_then(|c| c.parse::<u32>().ok())
                    .map(|c| (c & 0xff).to_string());
                return primary.is_some_and(|p| SQLITE_UNAVAILABLE.contains(&p.as_str()));
            }
            false
        }
        _ => false,
    }
}
