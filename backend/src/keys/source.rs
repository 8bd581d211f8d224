//! Where the keys come from, and the process's view of them.
//!
//! - `TESSERA_SECRET_KEYS`: a list in the environment; nothing on disk or in
//!   the database holds a key. Changed by editing the variable.
//! - `TESSERA_KEY_FILE`: a file (0600) with one `<number>:<key>` per line;
//!   `tessera keys rotate` / `retire` edit it.
//! - neither: the central database's `keys` table, made on first start.
//!
//! The file and the database are read again at most once a second, so a key
//! rotated or retired by the CLI reaches running processes within a second.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};

use super::{parse_list, KeyError, KeyId, KeyRing, Secret};
use crate::{
    clock::Clock,
    db::{schema::Keys as KeysTable, CentralDb},
};

/// How stale a process's key ring may be.
const RELOAD_AFTER: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub enum KeySource {
    Environment(Vec<(KeyId, Secret)>),
    File(PathBuf),
    Database,
}

impl KeySource {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, KeyError> {
        let listed = lookup("TESSERA_SECRET_KEYS").filter(|v| !v.trim().is_empty());
        let file = lookup("TESSERA_KEY_FILE").filter(|v| !v.trim().is_empty());
        match (listed, file) {
            (Some(_), Some(_)) => Err(KeyError::Malformed(
                "set TESSERA_SECRET_KEYS or TESSERA_KEY_FILE, not both".into(),
            )),
            (Some(list), None) => {
                let keys = parse_list(&list)
                    .map_err(|e| KeyError::Malformed(format!("TESSERA_SECRET_KEYS: {e}")))?;
                KeyRing::new(keys.clone())?;
                Ok(Self::Environment(keys))
            }
            (None, Some(path)) => Ok(Self::File(PathBuf::from(path))),
            (None, None) => Ok(Self::Database),
        }
    }
}

/// A key as `tessera keys list` shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: KeyId,
    pub primary: bool,
}

pub struct Keys {
    source: KeySource,
    central: CentralDb,
    current: RwLock<(Arc<KeyRing>, Instant)>,
    clock: Clock,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::File {
        path: path.display().to_string(),
        source,
    }
}

async fn read_file(path: &Path) -> Result<Vec<(KeyId, Secret)>, KeyError> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(file_error(path))?;
    parse_list(&text).map_err(|e| KeyError::Malformed(format!("{}: {e}", path.display())))
}

async fn write_file(path: &Path, keys: &[(KeyId, Secret)]) -> Result<(), KeyError> {
    let mut text = String::from("# Tessera's keys: <number>:<key>, the highest number is the primary. Keep this file secret.\n");
    for (id, secret) in keys {
        text.push_str(&format!("{id}:{}\n", secret.encode()));
    }
    crate::files::write_private(path, text.as_bytes())
        .await
        .map_err(file_error(path))
}

async fn read_database(central: &CentralDb) -> Result<Vec<(KeyId, Secret)>, KeyError> {
    let db = central.scope();
    let query = Query::select()
        .columns([KeysTable::Id, KeysTable::Secret])
        .from(db.table(KeysTable::Table))
        .order_by(KeysTable::Id, Order::Asc)
        .to_owned();
    let rows: Vec<(i64, Vec<u8>)> = db.fetch_all(&query).await?;
    rows.into_iter()
        .map(|(id, secret)| {
            let id = u32::try_from(id)
                .map_err(|_| KeyError::Malformed("a key number out of range".into()))?;
            Ok((KeyId::new(id), Secret::from_bytes(&secret)?))
        })
        .collect()
}

/// Adds key `id` to the database unless a key of that number exists (two
/// processes making the first key at once agree on one).
async fn insert_database(
    central: &CentralDb,
    id: KeyId,
    secret: &Secret,
    at: i64,
) -> Result<(), KeyError> {
    let db = central.scope();
    let insert = Query::insert()
        .into_table(db.table(KeysTable::Table))
        .columns([KeysTable::Id, KeysTable::Secret, KeysTable::CreatedAt])
        .values_panic([
            i64::from(id.get()).into(),
            secret.as_bytes().to_vec().into(),
            at.into(),
        ])
        .on_conflict(OnConflict::column(KeysTable::Id).do_nothing().to_owned())
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

impl Keys {
    /// Loads the ring, making the first key if the file or database has none.
    pub async fn open(
        source: KeySource,
        central: CentralDb,
        clock: Clock,
    ) -> Result<Self, KeyError> {
        let keys = Self {
            source,
            central,
            current: RwLock::new((
                Arc::new(KeyRing::new([(KeyId::new(1), Secret::generate())])?),
                clock.instant(),
            )),
            clock,
        };
        if keys.load().await?.is_empty() {
            keys.add(KeyId::new(1)).await?;
        }
        let ring = Arc::new(KeyRing::new(keys.load().await?)?);
        *keys.current.write().unwrap_or_else(|p| p.into_inner()) = (ring, keys.clock.instant());
        Ok(keys)
    }

    async fn load(&self) -> Result<Vec<(KeyId, Secret)>, KeyError> {
        match &self.source {
            KeySource::Environment(keys) => Ok(keys.clone()),
            KeySource::File(path) => match read_file(path).await {
                Err(KeyError::File { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    Ok(Vec::new())
                }
                other => other,
            },
            KeySource::Database => read_database(&self.central).await,
        }
    }

    async fn add(&self, id: KeyId) -> Result<(), KeyError> {
        let secret = Secret::generate();
        match &self.source {
            KeySource::Environment(_) => Err(KeyError::FromEnvironment),
            KeySource::File(path) => {
                let mut keys = self.load().await?;
                keys.push((id, secret));
                write_file(path, &keys).await
            }
            KeySource::Database => {
                insert_database(&self.central, id, &secret, self.clock.unix()).await
            }
        }
    }

    /// The ring in force: at most a second old for the file and database.
    pub async fn ring(&self) -> Arc<KeyRing> {
        let (ring, loaded) = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if matches!(self.source, KeySource::Environment(_))
            || self.clock.instant().saturating_duration_since(loaded) < RELOAD_AFTER
        {
            return ring;
        }
        let fresh = match self.load().await.and_then(KeyRing::new) {
            Ok(fresh) => Arc::new(fresh),
            Err(e) => {
                // Keep serving with the keys we have; the next request tries again.
                tracing::error!(error = %e, "could not reload the key ring");
                return ring;
            }
        };
        *self.current.write().unwrap_or_else(|p| p.into_inner()) =
            (Arc::clone(&fresh), self.clock.instant());
        fresh
    }

    pub async fn list(&self) -> Result<Vec<KeyInfo>, KeyError> {
        let ring = KeyRing::new(self.load().await?)?;
        Ok(ring
            .ids()
            .map(|id| KeyInfo {
                id,
                primary: id == ring.primary(),
            })
            .collect())
    }

    /// Adds a new primary key; the old ones keep verifying.
    pub async fn rotate(&self) -> Result<KeyId, KeyError> {
        let ring = KeyRing::new(self.load().await?)?;
        let id = ring.primary().next();
        self.add(id).await?;
        Ok(id)
    }

    /// Removes a key for good: whatever it sealed stops working.
    pub async fn retire(&self, id: KeyId) -> Result<(), KeyError> {
        let keys = self.load().await?;
        let ring = KeyRing::new(keys.clone())?;
        if ring.get(id).is_none() {
            return Err(KeyError::NoSuchKey(id));
        }
        if ring.primary() == id {
            return Err(KeyError::RetiringPrimary(id));
        }
        match &self.source {
            KeySource::Environment(_) => Err(KeyError::FromEnvironment),
            KeySource::File(path) => {
                write_file(
                    path,
                    &keys
                        .into_iter()
                        .filter(|(k, _)| *k != id)
                        .collect::<Vec<_>>(),
                )
                .await
            }
            KeySource::Database => {
                let db = self.central.scope();
                let delete = Query::delete()
                    .from_table(db.table(KeysTable::Table))
                    .and_where(Expr::col(KeysTable::Id).eq(i64::from(id.get())))
                    .to_owned();
                db.execute(&delete).await?;
                Ok(())
            }
        }
    }
}
