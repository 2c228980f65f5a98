//! Roster approval as stored (migration 0008): steps are appended only when nobody moved first
//! and only on the term's latest run; one lock a term; a locked term is not recomputed.

use crate::compute::run_meta;
use crate::support::*;
use zizhu_domain::approval::SignoffStep;
use zizhu_store::{Db, RunSummary, StoreError};

story!(
    signoffs_locks_and_recompute,
    first_confirmation_stays_the_first
);

async fn computed(db: &Db) -> Result<i64, StoreError> {
    let tx = db.begin_compute(&run_meta(autumn(2023), "v1")).await?;
    let id = tx.run_id();
    tx.commit(RunSummary::default()).await?;
    Ok(id)
}

async fn signoffs_locks_and_recompute(db: &Db) -> TestResult {
    let t = autumn(2023);
    let first = computed(db).await?;
    db.signoff(t, "S1", SignoffStep::Confirm, first, None, "s1", "-", "")
        .await?;
    // Checked against a step that is no longer the latest: refused, nothing written.
    let stale = db
        .signoff(t, "S1", SignoffStep::Confirm, first, None, "s1", "-", "")
        .await;
    assert!(matches!(stale, Err(StoreError::Invalid(_))), "{stale:?}");
    let latest = db.signoffs(t).await?;
    assert_eq!(latest.len(), 1);
    assert_eq!(
        (latest[0].step, latest[0].run_id),
        (SignoffStep::Confirm, first)
    );
    // A recompute makes a new run: a step on the old run is refused.
    let second = computed(db).await?;
    let old = db
        .signoff(
            t,
            "S1",
            SignoffStep::Review,
            first,
            Some((SignoffStep::Confirm, first)),
            "t",
            "-",
            "",
        )
        .await;
    assert!(matches!(old, Err(StoreError::Invalid(_))));
    db.lock_term(t, second, "chief", "-", "同意").await?;
    let lock = db.term_lock(t).await?.ok_or("locked")?;
    assert_eq!((lock.run_id, lock.actor.as_str()), (second, "chief"));
    // Locked: not twice, no more steps, no recompute.
    assert!(matches!(
        db.lock_term(t, second, "chief", "-", "").await,
        Err(StoreError::Invalid(_))
    ));
    let after = db
        .signoff(
            t,
            "S1",
            SignoffStep::Confirm,
            second,
            Some((SignoffStep::Confirm, first)),
            "s1",
            "-",
            "",
        )
        .await;
    assert!(matches!(after, Err(StoreError::Invalid(_))));
    let again = db.begin_compute(&run_meta(t, "v2")).await;
    assert!(matches!(&again, Err(StoreError::Invalid(m)) if m.contains("审批锁定")));
    // Another term is not locked.
    computed_other(db).await?;
    Ok(())
}

async fn computed_other(db: &Db) -> Result<(), StoreError> {
    let tx = db.begin_compute(&run_meta(spring(2023), "v1")).await?;
    tx.commit(RunSummary::default()).await?;
    Ok(())
}

/// The school evaluation's "confirmed on time" (学校工作考评) looks at a school's first
/// confirmation of the term: a roster sent back and confirmed again keeps its first day.
async fn first_confirmation_stays_the_first(db: &Db) -> TestResult {
    let t = autumn(2023);
    let run = computed(db).await?;
    db.signoff(t, "S1", SignoffStep::Confirm, run, None, "s1", "-", "")
        .await?;
    let first_at = db.signoffs(t).await?[0].at;
    let back = Some((SignoffStep::Confirm, run));
    db.signoff(t, "S1", SignoffStep::Return, run, back, "town", "-", "补充")
        .await?;
    let again = Some((SignoffStep::Return, run));
    db.signoff(t, "S1", SignoffStep::Confirm, run, again, "s1", "-", "")
        .await?;
    assert!(db.signoffs(t).await?[0].at >= first_at);
    assert_eq!(
        db.first_confirmations(t).await?,
        vec![("S1".to_string(), first_at)]
    );
    assert!(db.first_confirmations(spring(2023)).await?.is_empty());
    Ok(())
}
