//! A real Prometheus for the pull tests: counters written as OpenMetrics,
//! backfilled with `promtool tsdb create-blocks-from openmetrics`, served by a
//! `prometheus` of the test's own on a free loopback port, stopped on drop (also
//! when the test fails). Debian's package (2.42), installed by scripts/bootstrap.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Prometheus {
    child: Option<Child>,
    pub port: u16,
    pub tsdb: PathBuf,
    dir: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Backfills `openmetrics` (text ending in `# EOF`) into a new TSDB under `dir`.
pub fn backfill(dir: &Path, openmetrics: &str) -> PathBuf {
    let input = dir.join("counters.om");
    std::fs::write(&input, openmetrics).expect("openmetrics file");
    let tsdb = dir.join("tsdb");
    // Blocks as long as the data: one block instead of one per two hours.
    let out = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics", "--quiet"])
        .arg("--max-block-duration=2000h")
        .arg(&input)
        .arg(&tsdb)
        .output()
        .expect("promtool (scripts/bootstrap installs Debian's prometheus)");
    assert!(
        out.status.success(),
        "promtool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    tsdb
}

impl Prometheus {
    /// Starts Prometheus over `tsdb` and waits for `/-/ready`.
    pub fn start(dir: &Path, tsdb: &Path) -> Prometheus {
        let mut p = Prometheus {
            child: None,
            port: free_port(),
            tsdb: tsdb.to_path_buf(),
            dir: dir.to_path_buf(),
        };
        p.restart();
        p
    }

    /// Starts it again (after `stop`) on the same port and TSDB.
    pub fn restart(&mut self) {
        let config = self.dir.join("prometheus.yml");
        // No scrape targets: the backfilled blocks are all it serves.
        std::fs::write(&config, "global:\n  scrape_interval: 1h\n").expect("config");
        let log = std::fs::File::create(self.dir.join("prometheus.log")).expect("log");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", self.tsdb.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{}", self.port))
            .arg("--storage.tsdb.retention.time=10y")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus (scripts/bootstrap installs Debian's prometheus)");
        self.child = Some(child);
        let ready = format!("{}/-/ready", self.url());
        super::wait_for(60, "Prometheus to be ready", || {
            super::try_get(&ready, None, &[]).is_ok_and(|r| r.status == 200)
        });
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills it (SIGKILL: as abrupt as a crash) and waits for it to be gone.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.stop();
    }
}
