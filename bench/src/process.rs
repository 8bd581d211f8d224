//! The servers under test: child processes pinned to a core, each logging
//! to a file, killed when dropped.

use std::{
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use tokio::process::{Child, Command};

/// The core servers run on; the benchmark itself runs on another (see scripts/bench.sh).
pub const SERVER_CORE: &str = "0";

pub struct Server {
    child: Child,
}

/// A free loopback port (bound, then released for the child to take).
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

impl Server {
    /// Starts `program args` on `SERVER_CORE` and waits until `addr` accepts connections.
    pub async fn start(
        program: &Path,
        args: &[String],
        env: &[(String, String)],
        addr: SocketAddr,
        log: &Path,
    ) -> anyhow::Result<Self> {
        let log_file =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new("taskset")
            .arg("-c")
            .arg(SERVER_CORE)
            .arg(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} (is taskset installed?)", program.display()))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return Ok(Self { child });
            }
            if let Some(status) = child.try_wait()? {
                bail!(
                    "{} exited ({status}) before listening; see {}",
                    program.display(),
                    log.display()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "{} did not listen on {addr} within 60 s; see {}",
                    program.display(),
                    log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Resident memory now and at its peak, in MiB (from /proc).
    pub fn memory(&self) -> Memory {
        let status = self
            .child
            .id()
            .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok());
        let field = |name: &str| {
            status
                .as_deref()
                .and_then(|s| s.lines().find(|l| l.starts_with(name)))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
                .map_or(0.0, |kib| kib / 1024.0)
        };
        Memory {
            rss_mib: field("VmRSS:"),
            peak_mib: field("VmHWM:"),
        }
    }

    /// CPU time and context switches the process has used so far, summed
    /// over its threads (from /proc).
    pub fn cpu(&self) -> CpuUse {
        let Some(pid) = self.child.id() else {
            return CpuUse::default();
        };
        let mut used = CpuUse::default();
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return used;
        };
        for task in tasks.flatten() {
            let path = task.path();
            // schedstat: nanoseconds on the CPU, first field.
            if let Some(ns) = std::fs::read_to_string(path.join("schedstat"))
                .ok()
                .and_then(|s| {
                    s.split_whitespace()
                        .next()
                        .and_then(|n| n.parse::<u64>().ok())
                })
            {
                used.cpu_ns += ns;
            }
            if let Ok(status) = std::fs::read_to_string(path.join("status")) {
                used.switches += status
                    .lines()
                    .filter(|l| {
                        l.starts_with("voluntary_ctxt_switches:")
                            || l.starts_with("nonvoluntary_ctxt_switches:")
                    })
                    .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                    .sum::<u64>();
            }
        }
        used
    }

    /// Stops the server and waits for it to go.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A process's CPU use so far (threads that ended are not counted).
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    pub cpu_ns: u64,
    pub switches: u64,
}

impl CpuUse {
    /// What was used between `earlier` and this.
    pub fn since(self, earlier: CpuUse) -> CpuUse {
        CpuUse {
            cpu_ns: self.cpu_ns.saturating_sub(earlier.cpu_ns),
            switches: self.switches.saturating_sub(earlier.switches),
        }
    }

    pub fn add(&mut self, other: CpuUse) {
        self.cpu_ns += other.cpu_ns;
        self.switches += other.switches;
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss_mib: f64,
    pub peak_mib: f64,
}

/// Where the built binaries are.
pub fn release_binary(name: &str) -> PathBuf {
    PathBuf::from("target/release").join(name)
}
