//! The size of what a browser downloads to hydrate its islands: the release
//! wasm and its JavaScript glue, gzipped.

use std::{path::Path, process::Command};

use anyhow::{bail, Context};

use crate::budget::Budget;

const PKG_DIR: &str = "target/site/pkg";

pub fn measure(budgets: &mut Vec<Budget>) -> anyhow::Result<()> {
    println!("\n## Release wasm and its JavaScript");
    let mut total_raw = 0;
    let mut total_gzip = 0;
    for entry in std::fs::read_dir(PKG_DIR)
        .with_context(|| format!("reading {PKG_DIR} (run cargo leptos build --release)"))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm" || e == "js") {
            let raw = std::fs::metadata(&path)?.len();
            let gzip = gzipped_size(&path)?;
            println!(
                "{}: {:.1} KB, {:.1} KB gzip -9",
                path.display(),
                raw as f64 / 1000.0,
                gzip as f64 / 1000.0
            );
            total_raw += raw;
            total_gzip += gzip;
        }
    }
    if total_raw == 0 {
        bail!("no .wasm or .js in {PKG_DIR}");
    }
    budgets.push(Budget::at_most(
        "release wasm and JS, gzip",
        total_gzip as f64 / 1000.0,
        150.0,
        "KB",
    ));
    Ok(())
}

/// `gzip -9` of a file, counted; what a server would send with gzip on.
fn gzipped_size(path: &Path) -> anyhow::Result<u64> {
    let output = Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .arg(path)
        .output()
        .context("running gzip")?;
    if !output.status.success() {
        bail!("gzip failed on {}", path.display());
    }
    Ok(output.stdout.len() as u64)
}
