//! Canned responses (macros): a named reply body with placeholders, optional changes
//! to the ticket applied with it, and who may use it.
//!
//! A placeholder is a key between double braces, spaces allowed inside:
//! `{{requester.name}}`, `{{ticket.number}}`, `{{agent.name}}`, `{{portal.link}}`.
//! [`check_placeholders`] refuses a body naming any other key (when a macro is saved);
//! [`render`] fills the known ones and leaves anything else exactly as written.

use crate::{Actor, GroupId, MacroId, Priority, TicketStatus, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The longest macro name.
pub const MAX_NAME_CHARS: usize = 80;

/// A value a macro's body can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The requester's name.
    RequesterName,
    /// The ticket's number (`#10042`).
    TicketNumber,
    /// The name of the agent applying the macro.
    AgentName,
    /// The ticket's page in the customer portal.
    PortalLink,
}

impl Placeholder {
    /// Every placeholder, in the order the editor lists them.
    pub const ALL: [Placeholder; 4] = [
        Placeholder::RequesterName,
        Placeholder::TicketNumber,
        Placeholder::AgentName,
        Placeholder::PortalLink,
    ];

    /// The key written between the braces.
    pub fn key(self) -> &'static str {
        match self {
            Placeholder::RequesterName => "requester.name",
            Placeholder::TicketNumber => "ticket.number",
            Placeholder::AgentName => "agent.name",
            Placeholder::PortalLink => "portal.link",
        }
    }

    fn from_key(key: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// A body names a placeholder the desk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown placeholder {{{{{0}}}}}; use {{{{requester.name}}}}, {{{{ticket.number}}}}, \
     {{{{agent.name}}}} or {{{{portal.link}}}}"
)]
pub struct UnknownPlaceholder(pub String);

/// The values placeholders are filled with for one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceholderValues {
    /// The requester's name.
    pub requester_name: String,
    /// The ticket's number as people say it (`#10042`).
    pub ticket_number: String,
    /// The applying agent's name.
    pub agent_name: String,
    /// The ticket's page in the portal.
    pub portal_link: String,
}

impl PlaceholderValues {
    fn get(&self, placeholder: Placeholder) -> &str {
        match placeholder {
            Placeholder::RequesterName => &self.requester_name,
            Placeholder::TicketNumber => &self.ticket_number,
            Placeholder::AgentName => &self.agent_name,
            Placeholder::PortalLink => &self.portal_link,
        }
    }
}

/// One piece of a body: text as written, or a `{{key}}` with its trimmed key.
enum Piece<'a> {
    Text(&'a str),
    Slot { written: &'a str, key: &'a str },
}

/// Splits a body into text and `{{...}}` slots. A slot's key holds no braces; an
/// unclosed `{{` is text.
fn pieces(body: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let inner = &after[..end];
        if let Some(brace) = inner.rfind('{') {
            // `{{ {{key}}`: the slot starts at the last brace pair.
            let skip = start + 2 + brace;
            out.push(Piece::Text(&rest[..skip.saturating_sub(1)]));
            rest = &rest[skip.saturating_sub(1)..];
            continue;
        }
        out.push(Piece::Text(&rest[..start]));
        let written = &rest[start..start + 2 + end + 2];
        out.push(Piece::Slot {
            written,
            key: inner.trim(),
        });
        rest = &after[end + 2..];
    }
    out.push(Piece::Text(rest));
    out
}

/// The placeholders a body names, refusing an unknown one.
///
/// # Errors
/// [`UnknownPlaceholder`] naming the first unknown key.
pub fn check_placeholders(body: &str) -> Result<Vec<Placeholder>, UnknownPlaceholder> {
    let mut found = Vec::new();
    for piece in pieces(body) {
        if let Piece::Slot { key, .. } = piece {
            let placeholder =
                Placeholder::from_key(key).ok_or_else(|| UnknownPlaceholder(key.to_owned()))?;
            if !found.contains(&placeholder) {
                found.push(placeholder);
            }
        }
    }
    Ok(found)
}

/// The body with each known placeholder filled in; an unknown one stays as written.
pub fn render(body: &str, values: &PlaceholderValues) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    for piece in pieces(body) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Slot { written, key } => match Placeholder::from_key(key) {
                Some(placeholder) => out.push_str(values.get(placeholder)),
                None => out.push_str(written),
            },
        }
    }
    out
}

/// Changes to the ticket a macro makes with its reply; nothing given changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacroActions {
    /// Move the ticket to this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    /// Override the priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Move the ticket to this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// Assign the ticket to this agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<UserId>,
    /// Tags to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
    /// Tags to remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_tags: Vec<String>,
}

impl MacroActions {
    /// Whether the macro changes nothing but adds its reply.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.priority.is_none()
            && self.group_id.is_none()
            && self.assignee_id.is_none()
            && self.add_tags.is_empty()
            && self.remove_tags.is_empty()
    }

    /// The ticket's tags after the macro, or `None` when they stay as they are.
    pub fn tags_after(&self, tags: &[String]) -> Option<Vec<String>> {
        let mut after: Vec<String> = tags
            .iter()
            .filter(|tag| !self.remove_tags.contains(tag))
            .cloned()
            .collect();
        for tag in &self.add_tags {
            if !after.contains(tag) {
                after.push(tag.clone());
            }
        }
        (after != tags).then_some(after)
    }
}

/// Who may use a macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacroScope {
    /// Only its owner uses and edits it.
    Personal {
        /// Whose it is.
        owner_id: UserId,
    },
    /// Staff in any of these groups use it (everyone on the desk when empty);
    /// supervisors and admins edit it.
    Shared {
        /// The groups it is shared with.
        group_ids: Vec<GroupId>,
    },
}

impl MacroScope {
    /// Whether `actor` may see and apply a macro of this scope. Supervisors and admins
    /// see every shared macro (they manage them).
    pub fn usable_by(&self, actor: &Actor) -> bool {
        if !actor.is_staff() {
            return false;
        }
        match self {
            MacroScope::Personal { owner_id } => *owner_id == actor.user_id,
            MacroScope::Shared { group_ids } => {
                group_ids.is_empty()
                    || actor.role.sees_all_tickets()
                    || group_ids.iter().any(|g| actor.group_ids.contains(g))
            }
        }
    }

    /// Whether `actor` may change or delete a macro of this scope (or create one).
    pub fn editable_by(&self, actor: &Actor) -> bool {
        match self {
            MacroScope::Personal { owner_id } => *owner_id == actor.user_id && actor.is_staff(),
            MacroScope::Shared { .. } => actor.role.sees_all_tickets(),
        }
    }
}

/// What is saved of a macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroFields {
    /// The name people pick it by.
    pub name: String,
    /// The reply, with placeholders.
    pub body: String,
    /// Whether the body is added as an internal note instead of a public reply.
    pub internal: bool,
    /// The changes made with it.
    pub actions: MacroActions,
    /// Who may use it.
    pub scope: MacroScope,
}

/// A saved canned response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macro {
    /// Id.
    pub id: MacroId,
    /// Its name, body, actions and scope.
    pub fields: MacroFields,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    fn values() -> PlaceholderValues {
        PlaceholderValues {
            requester_name: "Ada Lovelace".to_owned(),
            ticket_number: "#10042".to_owned(),
            agent_name: "Grace".to_owned(),
            portal_link: "https://desk.example/portal/tickets/10042".to_owned(),
        }
    }

    #[test]
    fn render_fills_every_known_placeholder() {
        let body = "Hello {{requester.name}}, about {{ ticket.number }}: see \
                    {{portal.link}}\n-- {{agent.name}}";
        assert_eq!(
            render(body, &values()),
            "Hello Ada Lovelace, about #10042: see \
             https://desk.example/portal/tickets/10042\n-- Grace"
        );
    }

    #[test]
    fn render_leaves_unknown_and_unclosed_placeholders_visible() {
        assert_eq!(
            render("Hi {{requester.email}} and {{agent.name", &values()),
            "Hi {{requester.email}} and {{agent.name"
        );
        assert_eq!(render("{{ {{agent.name}}", &values()), "{{ Grace");
        assert_eq!(render("{{{agent.name}}}", &values()), "{Grace}");
    }

    #[test]
    fn check_refuses_unknown_keys_and_lists_known_ones() {
        assert_eq!(
            check_placeholders("{{agent.name}} {{ticket.number}} {{agent.name}}"),
            Ok(vec![Placeholder::AgentName, Placeholder::TicketNumber])
        );
        assert_eq!(
            check_placeholders("Dear {{customer}}"),
            Err(UnknownPlaceholder("customer".to_owned()))
        );
        assert_eq!(check_placeholders("no slots, {single} braces"), Ok(vec![]));
    }

    #[test]
    fn tags_after_adds_and_removes_without_duplicates() {
        let actions = MacroActions {
            add_tags: vec!["printer".to_owned(), "vpn".to_owned()],
            remove_tags: vec!["new".to_owned()],
            ..MacroActions::default()
        };
        let tags = vec!["new".to_owned(), "vpn".to_owned()];
        assert_eq!(
            actions.tags_after(&tags),
            Some(vec!["vpn".to_owned(), "printer".to_owned()])
        );
        assert_eq!(MacroActions::default().tags_after(&tags), None);
    }

    fn actor(role: Role, user: i64, groups: &[i64]) -> Actor {
        Actor {
            user_id: UserId(user),
            role,
            group_ids: groups.iter().copied().map(GroupId).collect(),
            organization_id: None,
            organization_shares_tickets: false,
        }
    }

    #[test]
    fn scope_decides_who_uses_and_edits() {
        let agent = actor(Role::Agent, 1, &[10]);
        let other = actor(Role::Agent, 2, &[20]);
        let supervisor = actor(Role::Supervisor, 3, &[]);
        let customer = actor(Role::Customer, 4, &[]);
        let personal = MacroScope::Personal {
            owner_id: UserId(1),
        };
        let desk = MacroScope::Shared { group_ids: vec![] };
        let group = MacroScope::Shared {
            group_ids: vec![GroupId(10)],
        };
        assert!(personal.usable_by(&agent) && personal.editable_by(&agent));
        assert!(!personal.usable_by(&other) && !personal.editable_by(&supervisor));
        assert!(desk.usable_by(&other) && !desk.usable_by(&customer));
        assert!(group.usable_by(&agent) && !group.usable_by(&other));
        assert!(group.usable_by(&supervisor) && group.editable_by(&supervisor));
        assert!(!group.editable_by(&agent));
    }
}
