//! The knowledge base: articles and their versions, votes and deflection records, and
//! the change feed the search index reads (timeline events, article versions, people).
//!
//! An article write is read-modify-write on the article row (locked on PostgreSQL)
//! plus one new version row; the version row's id is the feed position.

use crate::sql::convert::page_by_id;
use crate::sql::convert::{from_json, get, get_time, json, micros, stored};
use crate::sql::error::{self, Ref};
use crate::sql::fetch;
use crate::sql::tickets::{self, EVENT_COLUMNS_SELECT, event_from_row, get_tickets};
use crate::{Db, DbConn, DbRow};
use ferrodesk_domain::{
    Article, ArticleContent, ArticleId, ArticleKind, ArticleStatus, ArticleVersion, CategoryId,
    Event, EventId, ServiceId, TicketId, UserId, Visibility,
};
use ferrodesk_store::Conflict;
use ferrodesk_store::{
    ArticleFilter, ArticleUpdate, Created, DeflectionCounts, EventAppend, MAX_PAGE_SIZE,
    NewArticle, Page, PageRequest, StoreError, StoreResult, TicketSource,
};
use jiff::Timestamp;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;

macro_rules! article_select {
    () => {
        "select id, title, body, kind, status, visibility, language, category_id, service_ids, \
         version, author_id, helpful_votes, unhelpful_votes, created_at, updated_at \
         from kb_articles"
    };
}

macro_rules! version_select {
    () => {
        "select id, article_id, version, title, body, kind, status, visibility, language, \
         category_id, service_ids, actor_id, changed_fields, created_at from kb_article_versions"
    };
}

fn content_from_row(row: &DbRow) -> StoreResult<ArticleContent> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let visibility: String = get(row, "visibility")?;
    let services: String = get(row, "service_ids")?;
    Ok(ArticleContent {
        title: get(row, "title")?,
        body: get(row, "body")?,
        kind: stored(ArticleKind::parse(&kind))?,
        status: stored(ArticleStatus::parse(&status))?,
        visibility: stored(Visibility::parse(&visibility))?,
        language: get(row, "language")?,
        category_id: get::<Option<i64>>(row, "category_id")?.map(CategoryId),
        service_ids: from_json::<Vec<i64>>(&services)?
            .into_iter()
            .map(ServiceId)
            .collect(),
    })
}

fn article_from_row(row: &DbRow) -> StoreResult<Article> {
    Ok(Article {
        id: ArticleId(get(row, "id")?),
        content: content_from_row(row)?,
        version: get(row, "version")?,
        author_id: get::<Option<i64>>(row, "author_id")?.map(UserId),
        helpful_votes: get(row, "helpful_votes")?,
        unhelpful_votes: get(row, "unhelpful_votes")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn version_from_row(row: &DbRow) -> StoreResult<ArticleVersion> {
    let changed: String = get(row, "changed_fields")?;
    Ok(ArticleVersion {
        id: get(row, "id")?,
        article_id: ArticleId(get(row, "article_id")?),
        version: get(row, "version")?,
        content: content_from_row(row)?,
        actor_id: get::<Option<i64>>(row, "actor_id")?.map(UserId),
        changed_fields: from_json(&changed)?,
        created_at: get_time(row, "created_at")?,
    })
}

fn service_json(content: &ArticleContent) -> StoreResult<String> {
    json(
        &content
            .service_ids
            .iter()
            .map(|s| s.get())
            .collect::<Vec<_>>(),
    )
}

fn article_refs(content: &ArticleContent, actor: Option<UserId>) -> Vec<Ref> {
    [
        Ref::opt(
            "kb_articles_category_id_fkey",
            content.category_id.map(CategoryId::get),
        ),
        Ref::opt("kb_articles_author_id_fkey", actor.map(UserId::get)),
        Ref::opt("kb_article_versions_actor_id_fkey", actor.map(UserId::get)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

async fn insert_version(
    conn: &mut DbConn,
    id: ArticleId,
    version: i64,
    content: &ArticleContent,
    actor: Option<UserId>,
    changed: &[String],
    now: Timestamp,
) -> StoreResult<()> {
    let query = sqlx::query(
        "insert into kb_article_versions (article_id, version, title, body, kind, status, \
         visibility, language, category_id, service_ids, actor_id, changed_fields, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(id.get())
    .bind(version)
    .bind(&content.title)
    .bind(&content.body)
    .bind(content.kind.as_str())
    .bind(content.status.as_str())
    .bind(content.visibility.as_str())
    .bind(&content.language)
    .bind(content.category_id.map(CategoryId::get))
    .bind(service_json(content)?)
    .bind(actor.map(UserId::get))
    .bind(json(&changed)?)
    .bind(micros(now));
    fetch::write(conn, query, &article_refs(content, actor)).await?;
    Ok(())
}

/// Creates an article and its first version.
pub(crate) async fn create_article(conn: &mut DbConn, new: &NewArticle) -> StoreResult<Article> {
    let c = &new.content;
    let inserted = sqlx::query(
        "insert into kb_articles (title, body, kind, status, visibility, language, category_id, \
         service_ids, version, author_id, helpful_votes, unhelpful_votes, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, 0, 0, $10, $10) returning id",
    )
    .bind(&c.title)
    .bind(&c.body)
    .bind(c.kind.as_str())
    .bind(c.status.as_str())
    .bind(c.visibility.as_str())
    .bind(&c.language)
    .bind(c.category_id.map(CategoryId::get))
    .bind(service_json(c)?)
    .bind(new.actor_id.map(UserId::get))
    .bind(micros(new.now))
    .fetch_one(&mut *conn)
    .await;
    let id = match inserted {
        Ok(row) => ArticleId(get(&row, "id")?),
        Err(e) => return Err(error::write(conn, e, &article_refs(c, new.actor_id)).await),
    };
    let every_field: Vec<String> = c
        .changed_fields(&ArticleContent {
            title: String::new(),
            body: String::from("\u{0}"),
            kind: c.kind,
            status: c.status,
            visibility: c.visibility,
            language: String::new(),
            category_id: None,
            service_ids: Vec::new(),
        })
        .into_iter()
        .map(str::to_owned)
        .collect();
    insert_version(conn, id, 1, c, new.actor_id, &every_field, new.now).await?;
    get_article(conn, id).await
}

/// Creates many articles in the caller's transaction.
pub(crate) async fn bulk_create_articles(
    conn: &mut DbConn,
    articles: &[NewArticle],
) -> StoreResult<Vec<ArticleId>> {
    let mut ids = Vec::with_capacity(articles.len());
    for article in articles {
        ids.push(create_article(conn, article).await?.id);
    }
    Ok(ids)
}

/// Reads an article.
pub(crate) async fn get_article(conn: &mut DbConn, id: ArticleId) -> StoreResult<Article> {
    let query = sqlx::query(concat!(article_select!(), " where id = $1")).bind(id.get());
    fetch::one(conn, query, article_from_row, "article", id).await
}

/// Saves a new version when the article is still at the expected version.
pub(crate) async fn update_article(
    conn: &mut DbConn,
    update: &ArticleUpdate,
) -> StoreResult<Article> {
    let current: Option<i64> = sqlx::query_scalar(concat!(
        "select version from kb_articles where id = $1 ",
        for_update!()
    ))
    .bind(update.id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(current) = current else {
        return Err(fetch::not_found("article", update.id));
    };
    if current != update.expected_version {
        return Err(StoreError::conflict(
            Conflict::Stale,
            format!(
                "article {} is at version {current}, not {}",
                update.id, update.expected_version
            ),
        ));
    }
    let c = &update.content;
    let version = current + 1;
    let query = sqlx::query(
        "update kb_articles set title = $2, body = $3, kind = $4, status = $5, visibility = $6, \
         language = $7, category_id = $8, service_ids = $9, version = $10, updated_at = $11 \
         where id = $1",
    )
    .bind(update.id.get())
    .bind(&c.title)
    .bind(&c.body)
    .bind(c.kind.as_str())
    .bind(c.status.as_str())
    .bind(c.visibility.as_str())
    .bind(&c.language)
    .bind(c.category_id.map(CategoryId::get))
    .bind(service_json(c)?)
    .bind(version)
    .bind(micros(update.now));
    fetch::write(conn, query, &article_refs(c, update.actor_id)).await?;
    insert_version(
        conn,
        update.id,
        version,
        c,
        update.actor_id,
        &update.changed_fields,
        update.now,
    )
    .await?;
    get_article(conn, update.id).await
}

/// One page of articles, newest first.
pub(crate) async fn list_articles(
    conn: &mut DbConn,
    filter: &ArticleFilter,
    page: &PageRequest,
) -> StoreResult<Page<Article>> {
    let limit = page.limit.clamp(1, MAX_PAGE_SIZE);
    let mut query = QueryBuilder::<Db>::new(article_select!());
    query.push(" where id < ");
    query.push_bind(page.cursor.as_ref().map_or(i64::MAX, |c| c.id));
    if let Some(status) = filter.status {
        query.push(" and status = ").push_bind(status.as_str());
    }
    if let Some(visibility) = filter.visibility {
        query
            .push(" and visibility = ")
            .push_bind(visibility.as_str());
    }
    if let Some(kind) = filter.kind {
        query.push(" and kind = ").push_bind(kind.as_str());
    }
    if let Some(category) = filter.category_id {
        query.push(" and category_id = ").push_bind(category.get());
    }
    if let Some(language) = &filter.language {
        query.push(" and language = ").push_bind(language.clone());
    }
    query.push(" order by id desc limit ").push_bind(limit + 1);
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let articles = rows
        .iter()
        .map(article_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page_by_id(articles, limit, |a| a.id.get()))
}

/// Every version of an article, newest first.
pub(crate) async fn list_article_versions(
    conn: &mut DbConn,
    id: ArticleId,
) -> StoreResult<Vec<ArticleVersion>> {
    get_article(conn, id).await?;
    let query = sqlx::query(concat!(
        version_select!(),
        " where article_id = $1 order by version desc"
    ))
    .bind(id.get());
    fetch::all(conn, query, version_from_row).await
}

/// Records or replaces a vote and keeps the counts on the article row.
pub(crate) async fn vote_article(
    conn: &mut DbConn,
    id: ArticleId,
    user: UserId,
    is_helpful: bool,
    now: Timestamp,
) -> StoreResult<Article> {
    // Locks the article row on PostgreSQL, so two votes of one person serialize.
    let exists: Option<i64> = sqlx::query_scalar(concat!(
        "select id from kb_articles where id = $1 ",
        for_update!()
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    if exists.is_none() {
        return Err(fetch::not_found("article", id));
    }
    let before: Option<bool> = sqlx::query_scalar(
        "select is_helpful from kb_votes where article_id = $1 and user_id = $2",
    )
    .bind(id.get())
    .bind(user.get())
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    if before == Some(is_helpful) {
        return get_article(conn, id).await;
    }
    let refs = [
        Ref::new("kb_votes_user_id_fkey", user.get()),
        Ref::new("kb_votes_article_id_fkey", id.get()),
    ];
    let written = if before.is_some() {
        sqlx::query(
            "update kb_votes set is_helpful = $3, updated_at = $4 where article_id = $1 and user_id = $2",
        )
    } else {
        sqlx::query(
            "insert into kb_votes (article_id, user_id, is_helpful, created_at, updated_at) \
             values ($1, $2, $3, $4, $4)",
        )
    }
    .bind(id.get())
    .bind(user.get())
    .bind(is_helpful)
    .bind(micros(now))
    .execute(&mut *conn)
    .await;
    if let Err(e) = written {
        return Err(error::write(conn, e, &refs).await);
    }
    let (helpful, unhelpful) = match (before, is_helpful) {
        (None, true) => (1, 0),
        (None, false) => (0, 1),
        (Some(_), true) => (1, -1),
        (Some(_), false) => (-1, 1),
    };
    // Votes are not content: the article's version and updated_at stay.
    let query = sqlx::query(
        "update kb_articles set helpful_votes = helpful_votes + $2, \
         unhelpful_votes = unhelpful_votes + $3 where id = $1",
    )
    .bind(id.get())
    .bind(helpful)
    .bind(unhelpful);
    fetch::execute(conn, query).await?;
    get_article(conn, id).await
}

/// Records that a customer opened a suggested article.
pub(crate) async fn record_deflection(
    conn: &mut DbConn,
    user: UserId,
    article: ArticleId,
    query: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let insert = sqlx::query(
        "insert into kb_deflections (user_id, article_id, query, ticket_id, created_at, updated_at) \
         values ($1, $2, $3, null, $4, $4)",
    )
    .bind(user.get())
    .bind(article.get())
    .bind(query)
    .bind(micros(now));
    let refs = [
        Ref::new("kb_deflections_user_id_fkey", user.get()),
        Ref::new("kb_deflections_article_id_fkey", article.get()),
    ];
    fetch::write(conn, insert, &refs).await?;
    Ok(())
}

/// Marks a customer's open deflection records since `since` as followed by a request.
pub(crate) async fn close_deflections(
    conn: &mut DbConn,
    user: UserId,
    ticket: TicketId,
    since: Timestamp,
) -> StoreResult<()> {
    let query = sqlx::query(
        "update kb_deflections set ticket_id = $2, updated_at = $3 \
         where user_id = $1 and created_at >= $3 and ticket_id is null",
    )
    .bind(user.get())
    .bind(ticket.get())
    .bind(micros(since));
    fetch::execute(conn, query).await?;
    Ok(())
}

/// Links an article to a ticket once (see `KbStore::link_article`). The link row is
/// written first: a second call, or one racing this (PostgreSQL makes it wait for this
/// transaction), finds the row and answers with the event that made the link.
pub(crate) async fn link_article(
    conn: &mut DbConn,
    article: ArticleId,
    append: &EventAppend,
) -> StoreResult<Created<Event>> {
    let ticket = append.ticket_id;
    let query = sqlx::query(
        "insert into ticket_articles (ticket_id, article_id, created_at, updated_at) \
         values ($1, $2, $3, $3) on conflict (ticket_id, article_id) do nothing",
    )
    .bind(ticket.get())
    .bind(article.get())
    .bind(micros(append.event.created_at));
    if fetch::execute(conn, query).await? == 0 {
        let event: Option<i64> = sqlx::query_scalar(
            "select event_id from ticket_articles where ticket_id = $1 and article_id = $2",
        )
        .bind(ticket.get())
        .bind(article.get())
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)?;
        let event = event.ok_or_else(|| {
            StoreError::conflict(
                Conflict::State,
                format!("article {article} is linked to ticket {ticket} without its event"),
            )
        })?;
        return Ok(Created::Replayed(
            tickets::get_event(conn, EventId(event)).await?,
        ));
    }
    let created = tickets::append_event(conn, append).await?;
    let (Created::New(event) | Created::Replayed(event)) = &created;
    let query = sqlx::query(
        "update ticket_articles set event_id = $3 where ticket_id = $1 and article_id = $2",
    )
    .bind(ticket.get())
    .bind(article.get())
    .bind(event.id.get());
    fetch::execute(conn, query).await?;
    Ok(created)
}

/// The articles linked to a ticket, in the order they were linked.
pub(crate) async fn linked_articles(
    conn: &mut DbConn,
    ticket: TicketId,
) -> StoreResult<Vec<ArticleId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "select article_id from ticket_articles where ticket_id = $1 \
         order by created_at, article_id",
    )
    .bind(ticket.get())
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(ids.into_iter().map(ArticleId).collect())
}

/// Deflection records since `since`: opened, and not followed by a request.
pub(crate) async fn deflection_counts(
    conn: &mut DbConn,
    since: Timestamp,
) -> StoreResult<DeflectionCounts> {
    let row = sqlx::query(
        "select count(*) as opened, \
         coalesce(sum(case when ticket_id is null then 1 else 0 end), 0) as deflected \
         from kb_deflections where created_at >= $1",
    )
    .bind(micros(since))
    .fetch_one(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(DeflectionCounts {
        opened: get(&row, "opened")?,
        deflected: get(&row, "deflected")?,
    })
}

// --- the search feed --------------------------------------------------------------------

/// `(event, ticket)` after `after`, by id.
pub(crate) async fn events_after(
    conn: &mut DbConn,
    after: Option<EventId>,
    limit: i64,
) -> StoreResult<Vec<(EventId, TicketId)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "select id, ticket_id from ticket_events where id > $1 order by id limit $2",
    )
    .bind(after.map_or(0, EventId::get))
    .bind(limit.clamp(1, 100_000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(rows
        .into_iter()
        .map(|(e, t)| (EventId(e), TicketId(t)))
        .collect())
}

/// The newest event id.
pub(crate) async fn latest_event_id(conn: &mut DbConn) -> StoreResult<Option<EventId>> {
    let id: Option<i64> = sqlx::query_scalar("select max(id) from ticket_events")
        .fetch_one(&mut *conn)
        .await
        .map_err(error::plain)?;
    Ok(id.map(EventId))
}

/// `(version id, article)` after `after`, by id.
pub(crate) async fn article_versions_after(
    conn: &mut DbConn,
    after: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<(i64, ArticleId)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "select id, article_id from kb_article_versions where id > $1 order by id limit $2",
    )
    .bind(after.unwrap_or(0))
    .bind(limit.clamp(1, 100_000))
    .fetch_all(&mut *conn)
    .await
    .map_err(error::plain)?;
    Ok(rows.into_iter().map(|(v, a)| (v, ArticleId(a))).collect())
}

/// Ticket ids after `after`, in order.
pub(crate) async fn ticket_ids_after(
    conn: &mut DbConn,
    after: Option<TicketId>,
    limit: i64,
) -> StoreResult<Vec<TicketId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("select id from tickets where id > $1 order by id limit $2")
            .bind(after.map_or(0, TicketId::get))
            .bind(limit.clamp(1, 100_000))
            .fetch_all(&mut *conn)
            .await
            .map_err(error::plain)?;
    Ok(ids.into_iter().map(TicketId).collect())
}

/// Tickets with their timelines and their requesters' locales.
pub(crate) async fn ticket_sources(
    conn: &mut DbConn,
    ids: &[TicketId],
) -> StoreResult<Vec<TicketSource>> {
    let tickets = get_tickets(conn, ids).await?;
    let ticket_ids: Vec<i64> = tickets.iter().map(|t| t.id.get()).collect();
    let head = format!("{EVENT_COLUMNS_SELECT} where ticket_id in (");
    let mut events: BTreeMap<i64, Vec<ferrodesk_domain::Event>> = BTreeMap::new();
    for event in fetch::by_ids(conn, &head, &ticket_ids, ") order by id", event_from_row).await? {
        events.entry(event.ticket_id.get()).or_default().push(event);
    }
    let requester_ids: Vec<i64> = tickets.iter().map(|t| t.requester_id.get()).collect();
    let locales: BTreeMap<i64, Option<String>> = fetch::by_ids(
        conn,
        "select id, locale from users where id in (",
        &requester_ids,
        ")",
        |row| Ok((get(row, "id")?, get(row, "locale")?)),
    )
    .await?
    .into_iter()
    .collect();
    Ok(tickets
        .into_iter()
        .map(|ticket| TicketSource {
            events: events.remove(&ticket.id.get()).unwrap_or_default(),
            requester_locale: locales.get(&ticket.requester_id.get()).cloned().flatten(),
            ticket,
        })
        .collect())
}
