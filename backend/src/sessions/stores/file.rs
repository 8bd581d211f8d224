//! Sessions as files: one directory per namespace (tenant, or the shared
//! one), one JSON file per session, written atomically (temporary file +
//! rename), expiry checked on every read.

use std::{io::ErrorKind, path::PathBuf};

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store, SessionStore,
};

#[derive(Debug, Clone)]
pub struct FileSessionStore {
    dir: PathBuf,
}

fn io(e: std::io::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl FileSessionStore {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Session ids print as URL-safe base64, so they are safe file names.
    fn path(&self, id: &Id) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    async fn write(&self, record: &Record) -> session_store::Result<()> {
        let bytes =
            serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        tokio::fs::create_dir_all(&self.dir).await.map_err(io)?;
        let temporary = self
            .dir
            .join(format!(".{}.{}.tmp", record.id, rand::random::<u64>()));
        tokio::fs::write(&temporary, bytes).await.map_err(io)?;
        // rename() replaces atomically: a reader sees the old or the new file, never half of one.
        if let Err(e) = tokio::fs::rename(&temporary, self.path(&record.id)).await {
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(io(e));
        }
        Ok(())
    }

    pub async fn list(&self) -> Result<Vec<Record>, session_store::Error> {
        let Ok(mut entries) = tokio::fs::read_dir(&self.dir).await else {
            return Ok(Vec::new());
        };
        let mut records = Vec::new();
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name
                .strip_suffix(".json")
                .and_then(|id| id.parse::<Id>().ok())
            else {
                continue;
            };
            if let Some(record) = self.load(&id).await? {
                records.push(record);
            }
        }
        Ok(records)
    }

    pub async fn count(&self) -> u64 {
        let Ok(mut entries) = tokio::fs::read_dir(&self.dir).await else {
            return 0;
        };
        let mut count = 0;
        while let Ok(Some(entry)) = entries.next_entry().await {
            if entry.file_name().to_string_lossy().ends_with(".json") {
                count += 1;
            }
        }
        count
    }
}

#[async_trait]
impl SessionStore for FileSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while tokio::fs::try_exists(self.path(&record.id))
            .await
            .map_err(io)?
        {
            record.id = Id::default();
        }
        self.write(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let bytes = match tokio::fs::read(self.path(id)).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let record: Record = match serde_json::from_slice(&bytes) {
            Ok(record) => record,
            Err(e) => {
                // It can never become valid; remove it rather than keep tripping on it.
                tracing::warn!(error = %e, "unreadable session file; removing it");
                self.delete(id).await?;
                return Ok(None);
            }
        };
        if record.expiry_date <= OffsetDateTime::now_utc() {
            self.delete(id).await?;
            return Ok(None);
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match tokio::fs::remove_file(self.path(id)).await {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }
}
