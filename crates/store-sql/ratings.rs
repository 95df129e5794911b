//! Satisfaction ratings, one per resolution of a ticket, with their event;
//! [`RatingStore`] for the backend.

use crate::sql::convert::{get, get_time, micros};
use crate::sql::error;
use crate::sql::fetch;
use crate::sql::tickets::append;
use crate::{Backend, DbConn, DbRow};
use async_trait::async_trait;
use ferrodesk_domain::{GroupId, TicketId, UserId};
use ferrodesk_store::{
    Conflict, NewRating, Rating, RatingGrouping, RatingStore, RatingSummary, StoreError,
    StoreResult,
};
use jiff::Timestamp;

fn rating_from_row(row: &DbRow) -> StoreResult<Rating> {
    Ok(Rating {
        id: get(row, "id")?,
        ticket_id: TicketId(get(row, "ticket_id")?),
        resolved_at: get_time(row, "resolved_at")?,
        requester_id: UserId(get(row, "requester_id")?),
        score: get(row, "score")?,
        comment: get(row, "comment")?,
        group_id: get::<Option<i64>>(row, "group_id")?.map(GroupId),
        agent_id: get::<Option<i64>>(row, "agent_id")?.map(UserId),
        created_at: get_time(row, "created_at")?,
    })
}

async fn create_rating(conn: &mut DbConn, new: &NewRating) -> StoreResult<Rating> {
    let now = new.event.created_at;
    let id: Option<i64> = sqlx::query_scalar(
        "insert into ticket_ratings (ticket_id, resolved_at, requester_id, score, comment, \
         group_id, agent_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         on conflict do nothing returning id",
    )
    .bind(new.ticket_id.get())
    .bind(micros(new.resolved_at))
    .bind(new.requester_id.get())
    .bind(new.score)
    .bind(&new.comment)
    .bind(new.group_id.map(GroupId::get))
    .bind(new.agent_id.map(UserId::get))
    .bind(micros(now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(error::plain)?;
    let Some(id) = id else {
        return Err(StoreError::conflict(
            Conflict::State,
            "this resolution of the ticket was already rated",
        ));
    };
    append(conn, new.ticket_id, &new.event).await?;
    Ok(Rating {
        id,
        ticket_id: new.ticket_id,
        resolved_at: new.resolved_at,
        requester_id: new.requester_id,
        score: new.score,
        comment: new.comment.clone(),
        group_id: new.group_id,
        agent_id: new.agent_id,
        created_at: now,
    })
}

async fn find_rating(
    conn: &mut DbConn,
    ticket: TicketId,
    resolved_at: Timestamp,
) -> StoreResult<Option<Rating>> {
    let query = sqlx::query(
        "select id, ticket_id, resolved_at, requester_id, score, comment, group_id, agent_id, \
         created_at from ticket_ratings where ticket_id = $1 and resolved_at = $2",
    )
    .bind(ticket.get())
    .bind(micros(resolved_at));
    fetch::optional(conn, query, rating_from_row).await
}

async fn rating_summary(
    conn: &mut DbConn,
    from: Timestamp,
    to: Timestamp,
    grouping: RatingGrouping,
) -> StoreResult<Vec<RatingSummary>> {
    macro_rules! summary {
        ($key:literal) => {
            concat!(
                "select ",
                $key,
                " as group_key, count(*) as ratings, \
                 avg(cast(score as double precision)) as average from ticket_ratings \
                 where created_at >= $1 and created_at < $2 group by ",
                $key,
                " order by ",
                $key
            )
        };
    }
    let sql = match grouping {
        RatingGrouping::Desk => {
            "select cast(null as bigint) as group_key, count(*) as ratings, \
             avg(cast(score as double precision)) as average from ticket_ratings \
             where created_at >= $1 and created_at < $2"
        }
        RatingGrouping::Group => summary!("group_id"),
        RatingGrouping::Agent => summary!("agent_id"),
    };
    let rows = sqlx::query(sql)
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(&mut *conn)
        .await
        .map_err(error::plain)?;
    let mut summary = Vec::with_capacity(rows.len());
    for row in &rows {
        let count: i64 = get(row, "ratings")?;
        if count == 0 {
            continue;
        }
        summary.push(RatingSummary {
            key: get(row, "group_key")?,
            count,
            average: get::<Option<f64>>(row, "average")?.unwrap_or(0.0),
        });
    }
    Ok(summary)
}

#[async_trait]
impl RatingStore for Backend {
    async fn create_rating(&self, rating: NewRating) -> StoreResult<Rating> {
        self.write(rating, |c, rating| Box::pin(create_rating(c, rating)))
            .await
    }

    async fn find_rating(
        &self,
        ticket_id: TicketId,
        resolved_at: Timestamp,
    ) -> StoreResult<Option<Rating>> {
        find_rating(&mut *self.reader().await?, ticket_id, resolved_at).await
    }

    async fn rating_summary(
        &self,
        from: Timestamp,
        to: Timestamp,
        grouping: RatingGrouping,
    ) -> StoreResult<Vec<RatingSummary>> {
        rating_summary(&mut *self.reader().await?, from, to, grouping).await
    }
}
