//! Telling an outage (the database is down, busy, locked or damaged: try
//! again later, 503) from a bug (500).

use sqlx::Error;

/// SQLite result codes that mean "not now" or "this file is damaged".
const SQLITE_UNAVAILABLE: [&str; 6] = [
    "5",  // SQLITE_BUSY
    "6",  // SQLITE_LOCKED
    "10", // SQLITE_IOERR
    "11", // SQLITE_CORRUPT
    "14", // SQLITE_CANTOPEN
    "26", // SQLITE_NOTADB
];

/// Whether `e` means the storage cannot serve right now, rather than a bug.
pub fn is_outage(e: &Error) -> bool {
    match e {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(db) => match db.code() {
            // PostgreSQL: connection exceptions (08…), shutdowns and
            // cancellations (57…), out of resources (53…).
            Some(code) if code.len() == 5 => ["08", "57", "53"]
                .iter()
                .any(|class| code.starts_with(class)),
            Some(code) => {
                let primary = code
                    .parse::<u32>()
                    .map(|c| (c & 0xff).to_string())
                    .unwrap_or_default();
                SQLITE_UNAVAILABLE.contains(&primary.as_str())
            }
            None => false,
        },
        _ => false,
    }
}
