//! The frame around every signed-in page: title, who is signed in, the CSRF token for
//! the sign-out form and every other form, which section and item is active, and a
//! one-line notice after a successful action.

use crate::session::Viewer;
use crate::view::initials;
use ferrodesk_domain::Role;

/// Page-level data every signed-in template reads.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    /// The page title (before " · Ferrodesk").
    pub title: String,
    /// The viewer's name.
    pub user_name: String,
    /// Their initials, for the avatar.
    pub user_initials: String,
    /// Their email.
    pub user_email: String,
    /// Their role in words.
    pub role: &'static str,
    /// Whether they see the agent workspace.
    pub is_staff: bool,
    /// Whether they see the admin screens.
    pub is_admin: bool,
    /// The session's CSRF token for forms.
    pub csrf: String,
    /// `agent`, `portal` or `admin`.
    pub section: &'static str,
    /// The active navigation item.
    pub nav: String,
    /// A notice after a successful action.
    pub notice: Option<&'static str>,
    /// What the search box shows.
    pub search: String,
}

impl Chrome {
    /// The frame for `viewer` in `section`.
    pub(crate) fn new(viewer: &Viewer, section: &'static str, title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            user_name: viewer.user.name.clone(),
            user_initials: initials(&viewer.user.name),
            user_email: viewer.user.email.to_string(),
            role: match viewer.user.role {
                Role::Customer => "Customer",
                Role::Agent => "Agent",
                Role::Supervisor => "Supervisor",
                Role::Admin => "Administrator",
            },
            is_staff: viewer.actor.is_staff(),
            is_admin: viewer.actor.is_admin(),
            csrf: viewer.csrf.clone(),
            section,
            nav: String::new(),
            notice: None,
            search: String::new(),
        }
    }

    /// Marks the active navigation item.
    pub(crate) fn nav(mut self, nav: impl Into<String>) -> Chrome {
        self.nav = nav.into();
        self
    }

    /// Fills the search box.
    pub(crate) fn search(mut self, text: impl Into<String>) -> Chrome {
        self.search = text.into();
        self
    }

    /// Shows the notice for a `done` code from a redirect after a successful action.
    pub(crate) fn notice(mut self, done: Option<&str>) -> Chrome {
        self.notice = done.and_then(notice_text);
        self
    }
}

/// The fixed notices; the redirect carries only a code, never text.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "reply" => "Reply sent.",
        "preferences" => "Notification preferences saved.",
        "note" => "Internal note added.",
        "status" => "Status updated.",
        "details" => "Ticket details saved.",
        "escalated" => "Ticket escalated.",
        "macro_applied" => "Macro applied.",
        "handed_off" => "Ticket handed off. The vendor is mailed and the ticket waits on it.",
        "deactivated" => "Vendor deactivated.",
        "logged" => "Interaction logged.",
        "split" => "New tickets split off.",
        "linked" => "Tickets linked.",
        "merged" => "Ticket merged in.",
        "created" => "Ticket created.",
        "submitted" => "Thanks! Your request has been received.",
        "reopened" => "Your request has been reopened.",
        "saved" => "Changes saved.",
        "revoked" => "Token revoked.",
        "solved_by" => "Article linked: this ticket was solved by it.",
        "already_linked" => "That article was already linked to this ticket.",
        "voted" => "Thanks for your feedback!",
        "mail_deleted" => "Deleted.",
        "mail_queued" => "The message is queued and goes out with the next delivery pass.",
        "mail_filed" => "The message was filed.",
        "mail_held" => "The message could not be filed and is held again with a new reason.",
        "asset_linked" => "Asset linked to this ticket.",
        "asset_unlinked" => "Asset unlinked from this ticket.",
        "retired" => "Asset retired.",
        "category_deleted" => "Category deleted.",
        "columns_saved" => "Columns saved.",
        "columns_refused" => {
            "Keep the number or the subject among the columns, so each row names its ticket."
        }
        "filter_saved" => "Filter saved. It is in your sidebar.",
        "filter_deleted" => "Filter deleted.",
        "rated" => "Thank you for rating this request!",
        "watching" => "You are watching this ticket.",
        "unwatched" => "You no longer watch this ticket.",
        "watcher_added" => "Watcher added.",
        "watcher_removed" => "Watcher removed.",
        "template_moved" => "Template moved.",
        "template_deactivated" => "Template deactivated. It is no longer offered in the forms.",
        "template_deleted" => "Template deleted.",
        _ => return None,
    })
}
