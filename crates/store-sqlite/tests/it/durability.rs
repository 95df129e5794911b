//! What is acknowledged stays: reopening the file finds every committed write.

use ferrodesk_domain::{Role, Tier};
use ferrodesk_store::{NewUser, PeopleStore};
use ferrodesk_store_sqlite::SqliteStore;

fn person(i: usize) -> NewUser {
    NewUser {
        email: ferrodesk_domain::EmailAddress::parse(&format!("person{i}@example.com")).unwrap(),
        name: format!("Person {i}"),
        role: Role::Agent,
        organization_id: None,
        phone: None,
        location: None,
        employee_id: None,
        locale: "en".into(),
        time_zone: "UTC".into(),
        tier: Some(Tier::FIRST),
        group_ids: vec![],
        password_hash: None,
        now: jiff::Timestamp::UNIX_EPOCH,
    }
}

#[tokio::test]
async fn acknowledged_writes_are_found_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("desk.db");
    {
        let store = SqliteStore::open(&path).await.unwrap();
        for i in 0..20 {
            store.create_user(person(i)).await.unwrap();
        }
    }
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 20);
    let err = store.create_user(person(3)).await.unwrap_err();
    assert!(matches!(err, ferrodesk_store::StoreError::Conflict { .. }));
}
