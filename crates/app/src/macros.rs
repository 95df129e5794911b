//! Canned responses (macros): staff pick a saved reply, its placeholders are filled
//! for the ticket, and its actions change the ticket in the same write.
//!
//! Access: staff only. Everyone uses their own macros and those shared with one of
//! their groups or the whole desk (supervisors and admins: every shared one). A person
//! creates, edits and deletes their own; supervisors and admins manage the shared ones.
//! Someone else's personal macro, or a shared one the actor may not use, reads as not
//! found; a shared one the actor may use but not edit is forbidden.

use crate::directory::require_staff;
use crate::input::required;
use crate::ticket::{IdempotencyKey, InteractionChanges, InteractionInput, MAX_BODY_CHARS};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::macros::{MAX_NAME_CHARS, check_placeholders, render};
use ferrodesk_domain::{
    Actor, Event, GroupId, Macro, MacroActions, MacroFields, MacroId, MacroScope,
    PlaceholderValues, Ticket, TicketId,
};
use ferrodesk_store::Created;

/// The longest tag a macro adds or removes.
pub const MAX_TAG_CHARS: usize = 50;

/// A macro to save.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacroInput {
    /// The name people pick it by.
    pub name: String,
    /// The reply, with placeholders.
    pub body: String,
    /// Added as an internal note instead of a public reply.
    pub internal: bool,
    /// The changes made with it.
    pub actions: MacroActions,
    /// Shared (with `group_ids`, or the whole desk when empty) instead of personal.
    pub shared: bool,
    /// The groups a shared macro is shared with.
    pub group_ids: Vec<GroupId>,
}

/// Changes to a macro; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacroPatch {
    /// New name.
    pub name: Option<String>,
    /// New body.
    pub body: Option<String>,
    /// Note or reply.
    pub internal: Option<bool>,
    /// New actions (replacing all of them).
    pub actions: Option<MacroActions>,
    /// Personal or shared.
    pub shared: Option<bool>,
    /// New groups for a shared macro.
    pub group_ids: Option<Vec<GroupId>>,
}

/// A macro applied: the ticket after the write and the events it wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The ticket as the actor sees it now.
    pub ticket: Ticket,
    /// The reply or note and the changes, in timeline order.
    pub events: Vec<Event>,
}

/// The macro service; get one from [`App::macros`].
#[derive(Debug, Clone, Copy)]
pub struct Macros<'a> {
    app: &'a App,
}

impl<'a> Macros<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Macros { app }
    }

    /// The macros the actor may use, by name.
    ///
    /// # Errors
    /// `Forbidden` for customers.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<Macro>, AppError> {
        require_staff(actor, "use macros")?;
        let all = self.app.db().list_macros(actor.user_id).await?;
        Ok(all
            .into_iter()
            .filter(|m| m.fields.scope.usable_by(actor))
            .collect())
    }

    /// A macro the actor may use.
    ///
    /// # Errors
    /// `Forbidden` for customers; `NotFound` (`macro`), also for one they may not use.
    pub async fn get(&self, actor: &Actor, id: MacroId) -> Result<Macro, AppError> {
        require_staff(actor, "use macros")?;
        let found = self
            .app
            .db()
            .get_macro(id)
            .await
            .or_not_found("macro", id)?;
        if found.fields.scope.usable_by(actor) {
            Ok(found)
        } else {
            Err(AppError::not_found("macro", id))
        }
    }

    /// Saves a new macro: personal, or shared (supervisors and admins).
    ///
    /// # Errors
    /// `Forbidden` for customers and for an agent sharing; `Invalid` (`name`, `body`
    /// with an unknown placeholder, `add_tags`, `remove_tags`); `NotFound` (`group`,
    /// `user`).
    pub async fn create(&self, actor: &Actor, input: MacroInput) -> Result<Macro, AppError> {
        require_staff(actor, "use macros")?;
        let fields = self.checked(actor, input).await?;
        self.app
            .db()
            .create_macro(fields, self.app.now())
            .await
            .map_err(AppError::from)
    }

    /// Changes a macro the actor may edit.
    ///
    /// # Errors
    /// As [`Macros::create`]; `NotFound` (`macro`); `Forbidden` for a shared macro an
    /// agent may use but not edit.
    pub async fn update(
        &self,
        actor: &Actor,
        id: MacroId,
        patch: MacroPatch,
    ) -> Result<Macro, AppError> {
        let current = self.editable(actor, id).await?;
        let fields = current.fields;
        let (was_shared, old_groups) = match fields.scope {
            MacroScope::Personal { .. } => (false, Vec::new()),
            MacroScope::Shared { group_ids } => (true, group_ids),
        };
        let input = MacroInput {
            name: patch.name.unwrap_or(fields.name),
            body: patch.body.unwrap_or(fields.body),
            internal: patch.internal.unwrap_or(fields.internal),
            actions: patch.actions.unwrap_or(fields.actions),
            shared: patch.shared.unwrap_or(was_shared),
            group_ids: patch.group_ids.unwrap_or(old_groups),
        };
        let fields = self.checked(actor, input).await?;
        self.app
            .db()
            .save_macro(id, fields, self.app.now())
            .await
            .or_not_found("macro", id)
    }

    /// Deletes a macro the actor may edit.
    ///
    /// # Errors
    /// As [`Macros::update`].
    pub async fn delete(&self, actor: &Actor, id: MacroId) -> Result<(), AppError> {
        self.editable(actor, id).await?;
        self.app
            .db()
            .delete_macro(id)
            .await
            .or_not_found("macro", id)
    }

    /// The macro's body filled in for a ticket, without writing anything.
    ///
    /// # Errors
    /// `NotFound` (`ticket`, `macro`), `Forbidden` for customers and for a ticket the
    /// actor may see but not work.
    pub async fn preview(
        &self,
        actor: &Actor,
        ticket: TicketId,
        id: MacroId,
    ) -> Result<(Macro, String), AppError> {
        require_staff(actor, "use macros")?;
        let ticket = self.app.tickets().workable(actor, ticket).await?;
        let found = self.get(actor, id).await?;
        let body = self.render_for(actor, &ticket, &found).await?;
        Ok((found, body))
    }

    /// The changes a macro's actions make on a ticket, to send with a message the
    /// agent wrote from it in the composer (in the message's write).
    ///
    /// # Errors
    /// As [`Macros::preview`].
    pub async fn changes_for(
        &self,
        actor: &Actor,
        ticket: TicketId,
        id: MacroId,
    ) -> Result<InteractionChanges, AppError> {
        require_staff(actor, "use macros")?;
        let ticket = self.app.tickets().workable(actor, ticket).await?;
        let found = self.get(actor, id).await?;
        Ok(changes(&found, &ticket))
    }

    /// Applies a macro to a ticket in one write: the filled-in body as a public reply
    /// (or an internal note) and the macro's actions, through the ticket pipeline.
    /// Either all of it is written or nothing is.
    ///
    /// # Errors
    /// As [`Macros::preview`]; what [`crate::Tickets::add_interaction_changing`]
    /// returns (`InvalidTransition` for a status move the status machine refuses,
    /// `NotFound` for a group or assignee that no longer exists).
    pub async fn apply(
        &self,
        actor: &Actor,
        ticket: TicketId,
        id: MacroId,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Created<Applied>, AppError> {
        require_staff(actor, "use macros")?;
        let tickets = self.app.tickets().via(ferrodesk_domain::Channel::Agent);
        let ticket = tickets.workable(actor, ticket).await?;
        let found = self.get(actor, id).await?;
        let body = self.render_for(actor, &ticket, &found).await?;
        let input = if found.fields.internal {
            InteractionInput::Note { body }
        } else {
            InteractionInput::Reply { body }
        };
        let changes = changes(&found, &ticket);
        let ticket_id = ticket.id;
        let written = tickets
            .interact_changing(actor, ticket, input, Vec::new(), changes, idempotency)
            .await?;
        let ticket = tickets.get(actor, ticket_id).await?;
        Ok(match written {
            Created::New(events) => Created::New(Applied { ticket, events }),
            Created::Replayed(events) => Created::Replayed(Applied { ticket, events }),
        })
    }

    /// The macro with `id` if the actor may edit it.
    async fn editable(&self, actor: &Actor, id: MacroId) -> Result<Macro, AppError> {
        let found = self.get(actor, id).await?;
        if found.fields.scope.editable_by(actor) {
            Ok(found)
        } else {
            Err(AppError::forbidden(
                "only supervisors and admins may change shared macros",
            ))
        }
    }

    /// The body filled in with the ticket's requester and number and the actor's name.
    async fn render_for(
        &self,
        actor: &Actor,
        ticket: &Ticket,
        found: &Macro,
    ) -> Result<String, AppError> {
        let db = self.app.db();
        let requester = db
            .get_user(ticket.requester_id)
            .await
            .or_not_found("user", ticket.requester_id)?;
        let agent = db
            .get_user(actor.user_id)
            .await
            .or_not_found("user", actor.user_id)?;
        let values = PlaceholderValues {
            requester_name: requester.name,
            ticket_number: ticket.id.display_number(),
            agent_name: agent.name,
            portal_link: format!(
                "{}/portal/tickets/{}",
                self.app.config().mail.public_url.trim_end_matches('/'),
                ticket.id.get()
            ),
        };
        Ok(render(&found.fields.body, &values))
    }

    /// Checks a macro's input into the fields to save: texts, placeholders, tags, the
    /// scope the actor may create, and the groups and assignee it names.
    async fn checked(&self, actor: &Actor, input: MacroInput) -> Result<MacroFields, AppError> {
        let name = required("name", &input.name, MAX_NAME_CHARS)?;
        let body = required("body", &input.body, MAX_BODY_CHARS)?;
        check_placeholders(&body).map_err(|e| AppError::invalid("body", e.to_string()))?;
        let mut actions = input.actions;
        actions.add_tags = tags("add_tags", &actions.add_tags)?;
        actions.remove_tags = tags("remove_tags", &actions.remove_tags)?;
        let scope = if input.shared {
            let mut group_ids = input.group_ids;
            group_ids.sort_unstable();
            group_ids.dedup();
            MacroScope::Shared { group_ids }
        } else {
            MacroScope::Personal {
                owner_id: actor.user_id,
            }
        };
        if !scope.editable_by(actor) {
            return Err(AppError::forbidden(
                "only supervisors and admins may share macros",
            ));
        }
        let db = self.app.db();
        let groups = match &scope {
            MacroScope::Shared { group_ids } => group_ids.clone(),
            MacroScope::Personal { .. } => Vec::new(),
        };
        for group in groups.iter().chain(actions.group_id.iter()) {
            db.get_group(*group).await.or_not_found("group", group)?;
        }
        if let Some(agent) = actions.assignee_id {
            let user = db.get_user(agent).await.or_not_found("user", agent)?;
            if !user.role.is_staff() {
                return Err(AppError::invalid(
                    "assignee_id",
                    "a ticket can only be assigned to staff",
                ));
            }
        }
        Ok(MacroFields {
            name,
            body,
            internal: input.internal,
            actions,
            scope,
        })
    }
}

/// The ticket changes a macro's actions make on `ticket`.
fn changes(found: &Macro, ticket: &Ticket) -> InteractionChanges {
    let actions = &found.fields.actions;
    let tags = actions.tags_after(&ticket.tags);
    InteractionChanges {
        status: actions.status,
        priority: actions.priority.map(Some),
        priority_reason: actions
            .priority
            .map(|_| format!("set by the macro '{}'", found.fields.name)),
        assignee_id: actions.assignee_id.map(Some),
        group_id: actions.group_id.map(Some),
        // The new tags are computed from this read: a change in between is a conflict.
        version: tags.as_ref().map(|_| ticket.version),
        tags,
        seen_event_id: None,
        time_spent_minutes: None,
    }
}

/// Trimmed, non-empty, unique tags.
fn tags(field: &'static str, given: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for tag in given {
        let tag = tag.trim();
        if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
            return Err(AppError::invalid(
                field,
                format!("each tag needs 1 to {MAX_TAG_CHARS} characters"),
            ));
        }
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_owned());
        }
    }
    Ok(out)
}
