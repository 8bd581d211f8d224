//! Sessions as files: one directory per namespace (tenant, or the shared
//! one), one JSON file per session named by its stored id, written
//! atomically and owner-only, expiry checked on every read. Bounded: a new
//! session now and then sweeps out expired files, and a directory at its
//! cap makes room by dropping the sessions closest to expiring.

use std::{io::ErrorKind, path::PathBuf};

use tower_sessions::session_store;

use super::{
    memory::make_room,
    stored::{decode, encode, StoredId, StoredRecord},
};
use crate::{clock::Clock, files};

/// One new session in this many sweeps the directory of expired files.
const SWEEP_ODDS: u32 = 64;

#[derive(Debug, Clone)]
pub struct FileSessionStore {
    dir: PathBuf,
    cap: usize,
    clock: Clock,
}

fn io(e: std::io::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl FileSessionStore {
    pub fn new(dir: PathBuf, cap: usize, clock: Clock) -> Self {
        Self {
            dir,
            cap: cap.max(1),
            clock,
        }
    }

    /// Stored ids are URL-safe base64, so they are safe file names.
    fn path(&self, id: &StoredId) -> PathBuf {
        self.dir.join(format!("{}.json", id.as_str()))
    }

    async fn write(&self, id: &StoredId, record: &StoredRecord) -> session_store::Result<()> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || files::private_dir(&dir))
            .await
            .map_err(|e| io(std::io::Error::other(e)))?
            .map_err(io)?;
        files::write_private(&self.path(id), encode(record)?.as_bytes())
            .await
            .map_err(io)
    }

    /// Every session file's stored id.
    async fn ids(&self) -> session_store::Result<Vec<StoredId>> {
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(e)),
        };
        let mut ids = Vec::new();
        while let Some(entry) = entries.next_entry().await.map_err(io)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".json").and_then(StoredId::from_stored) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Reads a file as it is: `None` when gone, unreadable files removed.
    async fn read(&self, id: &StoredId) -> session_store::Result<Option<StoredRecord>> {
        let bytes = match tokio::fs::read(self.path(id)).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        match decode(&bytes) {
            Ok(record) => Ok(Some(record)),
            Err(e) => {
                // It can never become valid; remove it rather than keep tripping on it.
                tracing::warn!(error = %e, "unreadable session file; removing it");
                self.remove(id).await?;
                Ok(None)
            }
        }
    }

    pub async fn list(&self) -> session_store::Result<Vec<(StoredId, StoredRecord)>> {
        let mut records = Vec::new();
        for id in self.ids().await? {
            if let Some(record) = self.get(&id).await? {
                records.push((id, record));
            }
        }
        Ok(records)
    }

    /// Sweeps expired files, and at the cap the ones closest to expiring.
    async fn make_room(&self) -> session_store::Result<()> {
        let mut expiries = Vec::new();
        for id in self.ids().await? {
            if let Some(record) = self.read(&id).await? {
                expiries.push((id, record.expiry_date));
            }
        }
        for gone in make_room(&mut expiries, self.cap, self.clock.now()) {
            self.remove(&gone).await?;
        }
        Ok(())
    }

    pub async fn insert(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        if tokio::fs::try_exists(self.path(id)).await.map_err(io)? {
            return Ok(false);
        }
        let sweep = rand::Rng::gen_ratio(&mut rand::thread_rng(), 1, SWEEP_ODDS);
        if sweep || self.ids().await?.len() >= self.cap {
            self.make_room().await?;
        }
        self.write(id, record).await?;
        Ok(true)
    }

    /// Rewrites a session that still exists; false when it is gone.
    pub async fn update(
        &self,
        id: &StoredId,
        record: &StoredRecord,
    ) -> session_store::Result<bool> {
        files::replace_private(&self.path(id), encode(record)?.as_bytes())
            .await
            .map_err(io)
    }

    /// Removes the files of the records for which `doomed` says yes, and
    /// the directory once it is empty.
    pub async fn purge(
        &self,
        doomed: impl Fn(&StoredRecord) -> bool,
    ) -> session_store::Result<usize> {
        let mut purged = 0;
        for id in self.ids().await? {
            if self.read(&id).await?.is_some_and(|record| doomed(&record)) {
                self.remove(&id).await?;
                purged += 1;
            }
        }
        // Only an empty directory goes: a shared one keeps the others' files.
        let _ = tokio::fs::remove_dir(&self.dir).await;
        Ok(purged)
    }

    pub async fn get(&self, id: &StoredId) -> session_store::Result<Option<StoredRecord>> {
        match self.read(id).await? {
            Some(record) if record.is_live(self.clock.now()) => Ok(Some(record)),
            Some(_) => {
                self.remove(id).await?;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    pub async fn remove(&self, id: &StoredId) -> session_store::Result<()> {
        match tokio::fs::remove_file(self.path(id)).await {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::HashMap, os::unix::fs::PermissionsExt};

    use super::*;
    use crate::sessions::stores::IdHasher;

    /// The clock the store under test reads: it stands still.
    fn clock() -> Clock {
        Clock::from(crate::clock::ManualClock::starting_at(
            time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000),
        ))
    }

    fn record(expires_in_secs: i64) -> StoredRecord {
        StoredRecord {
            data: HashMap::new(),
            expiry_date: clock().now() + time::Duration::seconds(expires_in_secs),
        }
    }

    #[tokio::test]
    async fn the_directory_never_grows_past_its_cap_and_files_are_private() {
        let dir = tempfile::tempdir().expect("dir");
        let store = FileSessionStore::new(dir.path().join("tenant-1"), 20, clock());
        let ids = IdHasher::new([5; 32]);
        for i in 0..60 {
            store
                .insert(
                    &ids.stored(&tower_sessions::session::Id::default()),
                    &record(60 + i),
                )
                .await
                .expect("insert");
        }
        let files: Vec<_> = std::fs::read_dir(dir.path().join("tenant-1"))
            .expect("dir")
            .flatten()
            .collect();
        assert!(files.len() <= 20, "{} files", files.len());
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("tenant-1")), 0o700);
        assert!(files.iter().all(|f| mode(&f.path()) == 0o600));
    }

    #[tokio::test]
    async fn expired_files_are_swept_and_never_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let store = FileSessionStore::new(dir.path().to_owned(), 5, clock());
        let ids = IdHasher::new([6; 32]);
        let stale = ids.stored(&tower_sessions::session::Id::default());
        store.write(&stale, &record(-5)).await.expect("write");
        assert!(store.get(&stale).await.expect("get").is_none());
        for _ in 0..4 {
            store
                .write(
                    &ids.stored(&tower_sessions::session::Id::default()),
                    &record(-5),
                )
                .await
                .expect("write");
        }
        store
            .insert(
                &ids.stored(&tower_sessions::session::Id::default()),
                &record(60),
            )
            .await
            .expect("insert");
        assert_eq!(store.list().await.expect("list").len(), 1);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "the expired files are gone"
        );
    }
}
