//! Group commit for SQLite: one writer thread takes every claim queued while the
//! previous batch was being synced and writes the lot in one transaction, so many
//! claims share one fsync. Each caller hears back only after its batch committed.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Mutex;
use std::thread::JoinHandle;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use super::rows::{err, insert_rows, refusal};
use crate::store::{Event, NewClaim, RowError, StoreError};

/// The most claims one transaction takes. A batch is whatever queued during the
/// previous commit; the cap only bounds how long the first claim of a huge burst
/// waits for the last one's rows.
pub const MAX_BATCH: usize = 256;

struct Job {
    claim: NewClaim,
    filed: Event,
    // A oneshot: the writer thread answers without blocking, the caller awaits.
    reply: oneshot::Sender<Result<(), RowError>>,
}

pub struct GroupWriter {
    // `None` once dropped: the writer thread ends when its queue closes.
    queue: Mutex<Option<Sender<Job>>>,
    thread: Option<JoinHandle<()>>,
}

impl GroupWriter {
    /// Starts the writer on its own connection (which has the store's pragmas).
    pub fn start(conn: Connection) -> Result<GroupWriter, StoreError> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sqlite-group-commit".into())
            .spawn(move || run(conn, rx))
            .map_err(|e| StoreError::new(format!("group commit writer: {e}")))?;
        Ok(GroupWriter {
            queue: Mutex::new(Some(tx)),
            thread: Some(thread),
        })
    }

    /// Queues the claim and waits until its batch committed (or failed).
    pub async fn insert(&self, claim: &NewClaim, filed: &Event) -> Result<(), RowError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            claim: claim.clone(),
            filed: filed.clone(),
            reply,
        };
        let sent = match self.queue.lock() {
            Ok(q) => q.as_ref().is_some_and(|q| q.send(job).is_ok()),
            Err(_) => false,
        };
        if !sent {
            return Err(stopped().into());
        }
        // A writer that died mid-batch drops the reply sender: no answer, no 201.
        answer.await.unwrap_or_else(|_| Err(stopped().into()))
    }

    /// Whether the writer thread still runs (for `/readyz`).
    pub fn alive(&self) -> Result<(), StoreError> {
        match &self.thread {
            Some(t) if !t.is_finished() => Ok(()),
            _ => Err(stopped()),
        }
    }
}

fn stopped() -> StoreError {
    StoreError::unavailable("the group commit writer is not running")
}

impl Drop for GroupWriter {
    fn drop(&mut self) {
        if let Ok(mut q) = self.queue.lock() {
            q.take();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(mut conn: Connection, rx: Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        crate::metrics::observe_batch(batch.len());
        let results = write_batch(&mut conn, &batch);
        for (job, r) in batch.into_iter().zip(results) {
            // The caller may have given up (its request timed out); the claim
            // is filed all the same and a retry answers it.
            let _ = job.reply.send(r);
        }
    }
}

/// One transaction for the batch, one savepoint per claim: a claim that hits a
/// UNIQUE key rolls back only its own rows. If the commit fails, every claim of the batch fails, conflicts
/// included (they may have lost to a claim that is now rolled back too).
fn write_batch(conn: &mut Connection, batch: &[Job]) -> Vec<Result<(), RowError>> {
    let fail_all = |e: StoreError| batch.iter().map(|_| Err(e.clone().into())).collect();
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return fail_all(err(e)),
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let sp = match tx.savepoint() {
            Ok(sp) => sp,
            Err(e) => {
                results.push(Err(RowError::Store(err(e))));
                continue;
            }
        };
        let r = match insert_rows(&sp, &job.claim, &job.filed) {
            Ok(()) => sp.commit().map_err(|e| RowError::Store(err(e))),
            Err(r) => {
                // Dropping the savepoint rolls it back before the held periods are read.
                drop(sp);
                Err(refusal(&tx, &job.claim, r))
            }
        };
        results.push(r);
    }
    match tx.commit() {
        Ok(()) => results,
        Err(e) => fail_all(err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::{SqliteStore, WriteMode};
    use crate::store::Store;

    fn claim(id: &str, periods: &[&str]) -> NewClaim {
        NewClaim {
            claim_id: id.into(),
            client_id: "acme".into(),
            contract_id: "K".into(),
            periods: periods.iter().map(|s| s.to_string()).collect(),
            request: "{}".into(),
            granted: "{}".into(),
            at: "2026-11-29T00:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn one_batch_files_the_winners_and_tells_each_loser_why() {
        let dir = std::env::temp_dir().join(format!(
            "sla-server-batch-{}-{}",
            std::process::id(),
            crate::clock::unix_nanos()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("claims.db");
        // The store migrates the file; the batch is written on a second connection.
        let store = SqliteStore::open_with(&path, WriteMode::Naive)
            .await
            .expect("open");
        let mut conn = Connection::open(&path).expect("conn");
        let claims = [
            claim("a", &["2026-01"]),
            claim("b", &["2026-02", "2026-01"]), // January is a's, in this same batch
            claim("a", &["2026-03"]),            // a's claim_id again
            claim("c", &["2026-02"]),            // February is free: b rolled back
        ];
        let batch: Vec<Job> = claims
            .iter()
            .map(|claim| Job {
                claim: claim.clone(),
                filed: crate::store::filed_event(claim),
                reply: oneshot::channel().0,
            })
            .collect();
        let results = write_batch(&mut conn, &batch);
        assert_eq!(
            results,
            vec![
                Ok(()),
                // Read inside the batch: a held January, c had not filed February yet.
                Err(RowError::Periods(vec!["2026-01".into()])),
                Err(RowError::ClaimId),
                Ok(()),
            ]
        );
        assert_eq!(
            crate::store::refusal(&claims[1], results[1].clone().unwrap_err()),
            crate::store::InsertError::PeriodsTaken(vec!["2026-01".into()])
        );
        // Committed: another connection sees a and c with their periods, b not at all.
        assert_eq!(
            store.claimed_periods("acme", "K").await.expect("periods"),
            vec!["2026-01".to_string(), "2026-02".to_string()]
        );
        assert_eq!(store.get_claim("b").await.expect("get"), None);
        assert_eq!(store.events("c").await.expect("events").len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
