//! Accounts, sessions and failed logins as the store keeps them (migration 0007).

use crate::support::TestResult;
use chrono::{Duration, Utc};
use zizhu_domain::access::{Access, Role, Scope};
use zizhu_store::{Db, NewUser};

story!(
    accounts_sessions_and_failures,
    user_names_are_unique_by_constraint,
);

async fn add(db: &Db, name: &str, access: &Access) -> Result<i64, zizhu_store::StoreError> {
    db.add_user(&NewUser {
        username: name,
        display_name: "测试用户",
        access,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
        created_by: "test",
    })
    .await
}

async fn accounts_sessions_and_failures(db: &Db) -> TestResult {
    let town = Access::new(Role::TownshipOfficer, Some("甲镇"), None)?;
    let id = add(db, "town.1", &town).await?;
    let u = db.user_by_name("town.1").await?.expect("stored");
    assert_eq!(
        (u.id, u.access.scope.clone()),
        (id, Scope::Township("甲镇".into()))
    );
    assert!(u.active);
    assert_eq!(db.user_by_name("nobody").await?, None);
    // Adding is audited with what was made.
    let log = db.audit_entries(1).await?;
    assert_eq!(log[0].action, "user_add");
    assert!(log[0].after.as_deref().unwrap_or("").contains("乡镇专干"));

    // A session is found by its token's hash until it expires.
    let now = Utc::now();
    db.create_session(
        "hash-1",
        id,
        "csrf-1",
        "127.0.0.1",
        now + Duration::hours(8),
    )
    .await?;
    let s = db.session("hash-1", now).await?.expect("live");
    assert_eq!(
        (s.csrf_token.as_str(), s.user.username.as_str()),
        ("csrf-1", "town.1")
    );
    assert!(
        db.session("hash-1", now + Duration::hours(9))
            .await?
            .is_none(),
        "expired"
    );
    assert!(db.session("hash-2", now).await?.is_none());
    // A new password ends every session of the user.
    assert!(db.set_password("town.1", "$argon2id$new", "test").await?);
    assert!(db.session("hash-1", now).await?.is_none());
    assert!(!db.set_password("nobody", "$argon2id$new", "test").await?);
    db.create_session("hash-3", id, "csrf-3", "-", now + Duration::hours(8))
        .await?;
    db.end_session("hash-3").await?;
    assert!(db.session("hash-3", now).await?.is_none(), "logged out");

    // Failed logins are counted within a window and forgotten after a success.
    for _ in 0..3 {
        db.record_login_failure("town.1", "10.0.0.9").await?;
    }
    assert_eq!(
        db.login_failures_since("town.1", now - Duration::minutes(15))
            .await?,
        3
    );
    assert_eq!(
        db.login_failures_since("town.1", Utc::now() + Duration::seconds(1))
            .await?,
        0
    );
    assert_eq!(
        db.login_failures_since("other", now - Duration::minutes(15))
            .await?,
        0
    );
    db.clear_login_failures("town.1").await?;
    assert_eq!(
        db.login_failures_since("town.1", now - Duration::minutes(15))
            .await?,
        0
    );
    Ok(())
}

async fn user_names_are_unique_by_constraint(db: &Db) -> TestResult {
    let county = Access::new(Role::CountyAdmin, None, None)?;
    add(db, "admin", &county).await?;
    let again = add(db, "admin", &county).await;
    assert!(
        matches!(&again, Err(e) if e.is_unique_violation()),
        "{again:?}"
    );
    assert_eq!(db.users().await?.len(), 1);
    // The refused account left no audit entry (one transaction).
    let adds = db
        .audit_entries(10)
        .await?
        .iter()
        .filter(|e| e.action == "user_add")
        .count();
    assert_eq!(adds, 1);
    Ok(())
}
