//! Files and directories that hold keys, sessions or tenant data: readable
//! by the server's own user only (directories 0700, files 0600).

use std::{
    io,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::Path,
};

/// Creates the directory (and its parents) and makes it owner-only.
pub fn private_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
}

/// Makes an existing file owner-only.
pub fn make_private(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

/// A SQLite database file (and its WAL and shared-memory files, which SQLite
/// makes with the database file's permissions) as owner-only, creating the
/// database file empty if it does not exist yet.
pub fn private_database(path: &Path) -> io::Result<()> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        Err(_) => {}
    }
    make_private(path)?;
    for suffix in ["-wal", "-shm"] {
        let companion = path.with_file_name(format!(
            "{}{suffix}",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        match make_private(&companion) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Writes a file atomically (a temporary file, then rename) as owner-only
/// from its first byte: a reader sees the old or the new file, never half.
pub async fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    through_temporary(path, bytes, |temporary, target| {
        std::fs::rename(temporary, target)
    })
    .await
}

/// Rewrites a file only if it still exists, atomically: the new contents
/// are swapped in (Linux `renameat2` with `RENAME_EXCHANGE`, which fails when
/// either side is missing), so a file removed meanwhile stays removed —
/// never brought back by a write that began before the removal. False when
/// it was gone.
pub async fn replace_private(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let swapped = through_temporary(path, bytes, |temporary, target| {
        rustix::fs::renameat_with(
            rustix::fs::CWD,
            temporary,
            rustix::fs::CWD,
            target,
            rustix::fs::RenameFlags::EXCHANGE,
        )?;
        // The temporary name now holds the old contents.
        std::fs::remove_file(temporary)
    })
    .await;
    match swapped {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to a new owner-only temporary file beside `path`, then
/// lets `install` put it in place; the temporary file never outlives a failure.
async fn through_temporary(
    path: &Path,
    bytes: &[u8],
    install: impl FnOnce(&Path, &Path) -> io::Result<()> + Send + 'static,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", rand::random::<u64>()));
    let (bytes, target) = (bytes.to_vec(), path.to_owned());
    tokio::task::spawn_blocking(move || {
        let written = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temporary)?;
            io::Write::write_all(&mut file, &bytes)?;
            file.sync_data()?;
            install(&temporary, &target)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_replace_never_brings_back_a_removed_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("session.json");
        assert!(!replace_private(&path, b"new").await.expect("replace"));
        assert!(!path.exists(), "nothing was made");
        write_private(&path, b"old").await.expect("write");
        assert!(replace_private(&path, b"new").await.expect("replace"));
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temporary file is left"
        );
    }
}
