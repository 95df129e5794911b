//! Upserts, deletes, the checkpoint, and rebuilding.

use ferrodesk_domain::EventId;
use ferrodesk_search::{Batch, DocKey, Document, SearchIndex};

use crate::support::{admin, article, found, index_with, search, t, ticket};

#[test]
fn an_upsert_replaces_the_document_with_the_same_kind_and_id() {
    let index = index_with([Document::from(ticket(10001, "printer offline", ""))]);
    let mut batch = Batch::new();
    batch.upsert(ticket(10001, "scanner offline", ""));
    index.apply(batch).expect("apply");
    assert_eq!(index.num_docs(), 1);
    assert!(found(&index, &admin(), "printer").is_empty());
    assert_eq!(found(&index, &admin(), "scanner"), vec![t(10001)]);
}

#[test]
fn upserting_twice_in_one_batch_keeps_the_last_version() {
    let index = SearchIndex::in_memory().expect("index");
    let mut batch = Batch::new();
    batch
        .upsert(ticket(10001, "first", ""))
        .upsert(ticket(10001, "second", ""));
    index.apply(batch).expect("apply");
    assert_eq!(index.num_docs(), 1);
    assert_eq!(found(&index, &admin(), "second"), vec![t(10001)]);
}

#[test]
fn a_ticket_and_an_article_with_the_same_id_are_different_documents() {
    let index = index_with([
        Document::from(ticket(10001, "printer", "")),
        article(10001, "printer", "").into(),
    ]);
    assert_eq!(index.num_docs(), 2);
    let mut batch = Batch::new();
    batch.delete(DocKey::article(10001));
    index.apply(batch).expect("apply");
    assert_eq!(found(&index, &admin(), "printer"), vec![t(10001)]);
}

#[test]
fn a_batch_without_a_checkpoint_keeps_the_last_one() {
    let index = SearchIndex::in_memory().expect("index");
    assert_eq!(index.last_event_id(), None);
    let mut batch = Batch::new();
    batch.upsert(ticket(10001, "printer", "")).up_to(EventId(7));
    index.apply(batch).expect("apply");
    let mut batch = Batch::new();
    batch.upsert(ticket(10002, "printer", ""));
    index.apply(batch).expect("apply");
    assert_eq!(index.last_event_id(), Some(EventId(7)));
}

#[test]
fn the_checkpoint_and_documents_survive_reopening_the_index() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("search");
    {
        let index = SearchIndex::open(&path).expect("open");
        assert_eq!(index.last_event_id(), None);
        let mut batch = Batch::new();
        batch
            .upsert(ticket(10001, "printer offline", ""))
            .up_to(EventId(42));
        index.apply(batch).expect("apply");
    }
    let index = SearchIndex::open(&path).expect("reopen");
    assert_eq!(index.last_event_id(), Some(EventId(42)));
    assert_eq!(found(&index, &admin(), "printer"), vec![t(10001)]);
}

#[test]
fn an_index_closed_merged_keeps_its_documents_and_checkpoint_in_fewer_segments_and_takes_no_more_writes()
 {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("search");
    let batches = 12_u32;
    {
        let index = SearchIndex::open(&path).expect("open");
        for n in 0..batches {
            let mut batch = Batch::new();
            batch
                .upsert(ticket(10001 + i64::from(n), "printer offline", ""))
                .up_to(EventId(i64::from(n) + 1));
            index.apply(batch).expect("apply");
        }
        index.close_merged().expect("close merged");
        let mut late = Batch::new();
        late.upsert(ticket(20001, "too late", ""))
            .up_to(EventId(99));
        assert!(index.apply(late).is_err(), "a closed index takes no writes");
        assert_eq!(found(&index, &admin(), "printer").len(), batches as usize);
    }
    let segments = tantivy::Index::open_in_dir(&path)
        .expect("the index opens")
        .searchable_segment_ids()
        .expect("segments")
        .len();
    assert!(
        segments < usize::try_from(batches).expect("a small count"),
        "{batches} commits left {segments} segments"
    );
    let index = SearchIndex::open(&path).expect("reopen");
    assert_eq!(index.last_event_id(), Some(EventId(i64::from(batches))));
    assert_eq!(index.num_docs(), u64::from(batches));
    assert_eq!(found(&index, &admin(), "printer").len(), batches as usize);
}

#[test]
fn a_second_writer_on_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let _first = SearchIndex::open(dir.path()).expect("open");
    assert!(SearchIndex::open(dir.path()).is_err());
}

#[test]
fn an_index_with_another_schema_is_replaced_by_an_empty_one_to_rebuild() {
    use tantivy::schema::{STORED, Schema, TEXT};
    let dir = tempfile::tempdir().expect("a temporary directory");
    {
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT | STORED);
        let old = tantivy::Index::create_in_dir(dir.path(), builder.build()).expect("old index");
        let mut writer: tantivy::IndexWriter =
            old.writer_with_num_threads(1, 15_000_000).expect("writer");
        writer
            .add_document(tantivy::doc!(body => "printer"))
            .expect("add");
        let mut commit = writer.prepare_commit().expect("prepare");
        commit.set_payload("{\"whatever\": 1}");
        commit.commit().expect("commit");
    }
    let index = SearchIndex::open(dir.path()).expect("open replaces the old index");
    assert_eq!(index.last_event_id(), None);
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn clearing_and_adding_everything_again_gives_the_same_results() {
    let docs: Vec<Document> = vec![
        ticket(10001, "printer offline", "paper jam in tray two").into(),
        ticket(10002, "printers in room 4", "all of them").into(),
        article(1, "Clearing a paper jam", "open tray two").into(),
    ];
    let index = index_with(docs.clone());
    let mut batch = Batch::new();
    batch.up_to(EventId(9));
    index.apply(batch).expect("checkpoint");
    let queries = ["printer", "paper jam", "\"tray two\"", "pritner", "jam*"];
    let before: Vec<_> = queries
        .iter()
        .map(|q| search(&index, &admin(), q))
        .collect();

    index.clear().expect("clear");
    assert_eq!(index.num_docs(), 0);
    assert_eq!(index.last_event_id(), None);
    assert_eq!(search(&index, &admin(), "printer").total, 0);

    let mut batch = Batch::new();
    for doc in docs {
        batch.upsert(doc);
    }
    batch.up_to(EventId(9));
    index.apply(batch).expect("re-add");
    let after: Vec<_> = queries
        .iter()
        .map(|q| search(&index, &admin(), q))
        .collect();
    assert_eq!(after, before);
    assert_eq!(index.last_event_id(), Some(EventId(9)));
}
