//! Test support, built only with the `testkit` feature (which this crate's own
//! dev-dependency turns on for its tests and bench, and a release build never has):
//! a throwaway PostgreSQL cluster. `initdb` into a temp directory (as the `postgres`
//! user when running as root, since initdb refuses root), its own port and socket
//! directory, stopped with `-m immediate` and removed when the last handle drops,
//! also when a test panics.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

pub struct PgCluster {
    /// Owned by the cluster's user: the data directory, the socket, the log.
    pub dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
    as_postgres: bool,
}

/// The newest `/usr/lib/postgresql/N/bin` (Debian's layout), or `SLA_PG_BIN`.
fn bin_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SLA_PG_BIN") {
        return PathBuf::from(d);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = e.path().join("bin");
                    bin.join("initdb").exists().then_some((v, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: run scripts/bootstrap \
             (it installs Debian's postgresql), or set SLA_PG_BIN"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn unique() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl PgCluster {
    /// A new cluster of its own (for tests that stop and restart it).
    pub fn start() -> PgCluster {
        let bin = bin_dir();
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("sla-pg-{}", unique()));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let mut c = PgCluster {
            dir,
            port: 0,
            bin,
            as_postgres,
        };
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&c.dir)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown postgres {}", c.dir.display());
        }
        let out = c.run(
            "initdb",
            &[
                "-D",
                c.data().to_str().expect("utf-8 path"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
            ],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A port picked now could be taken before the server binds it: retry.
        let mut last = String::new();
        for _ in 0..5 {
            c.port = free_port();
            match c.pg_ctl_start() {
                Ok(()) => return c,
                Err(e) => last = e,
            }
        }
        panic!("PostgreSQL did not start: {last}");
    }

    /// The cluster shared by the tests of one test binary, started on first use
    /// and stopped when the last test holding it ends.
    pub fn shared() -> Arc<PgCluster> {
        static SHARED: Mutex<Weak<PgCluster>> = Mutex::new(Weak::new());
        let mut w = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = w.upgrade() {
            return c;
        }
        let c = Arc::new(PgCluster::start());
        *w = Arc::downgrade(&c);
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn tool(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }

    /// Runs a server tool as the cluster's user.
    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.tool(tool));
            c
        } else {
            Command::new(self.tool(tool))
        };
        cmd.args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"))
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200 \
             -c shared_buffers=32MB -c fsync=on -c synchronous_commit=on",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("postgres.log");
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().expect("utf-8 path"),
                "-o",
                &opts,
                "-l",
                log.to_str().expect("utf-8 path"),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}\n{}",
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&log).unwrap_or_default()
            ))
        }
    }

    /// Stops the server at once (what a crash looks like to its clients).
    pub fn stop(&self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().expect("utf-8 path"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// Starts it again on the same port.
    pub fn restart(&self) {
        if let Err(e) = self.pg_ctl_start() {
            panic!("PostgreSQL did not restart: {e}");
        }
    }

    /// A fresh database; returns its TCP URL.
    pub fn create_db(&self) -> String {
        let name = format!("t_{}", unique());
        let out = self.run(
            "createdb",
            &[
                "-h",
                self.dir.to_str().expect("utf-8 path"),
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                &name,
            ],
        );
        assert!(
            out.status.success(),
            "createdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(&name)
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// The same database through the Unix socket (`?host=/socket/dir`).
    pub fn socket_url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@/{db}?host={}&port={}",
            self.dir.display(),
            self.port
        )
    }

    /// One SQL statement through psql; its rows, unaligned, `|`-separated.
    pub fn sql(&self, url: &str, query: &str) -> String {
        let out = self.run(
            "psql",
            &[
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                url,
                "-c",
                query,
            ],
        );
        assert!(
            out.status.success(),
            "psql {query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// The database name at the end of a URL made by `create_db`.
pub fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A `sla-server serve` child of a bench; killed when dropped, also on a panic.
pub struct Running {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`, from the server's "listening on" line.
    pub base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `BIN serve` on a free loopback port with the rate limit off (a bench is one client
/// machine posing as many) and `args` after that, and waits for its address.
pub fn serve<S: AsRef<std::ffi::OsStr>>(bin: &str, args: impl IntoIterator<Item = S>) -> Running {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--rate-limit", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sla-server");
    let mut line = String::new();
    let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
    let base = line
        .trim()
        .strip_prefix("sla-server listening on ")
        .unwrap_or_else(|| panic!("no listening line from sla-server: {line:?}"))
        .to_string();
    Running { child, base }
}
