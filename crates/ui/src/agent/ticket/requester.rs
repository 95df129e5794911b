//! The requester card of the ticket page: who they are, their organization and
//! contact details, the assets they hold (with warranty), and their recent tickets
//! (the open ones and the last one solved).

use super::*;
use ferrodesk_app::AssetFilter;

/// The most open tickets and assets the card lists.
const MOST: usize = 8;

/// The requester, as the side card shows them.
#[derive(Debug, Clone, Default)]
pub(crate) struct PersonCard {
    pub name: String,
    pub initials: String,
    pub email: String,
    pub phone: String,
    pub location: String,
    pub employee_id: String,
    pub organization: String,
    pub assets: Vec<AssetLine>,
    /// Other open tickets, newest change first.
    pub open: Vec<TicketRow>,
    /// The last resolved or closed ticket.
    pub last_closed: Option<TicketRow>,
}

/// An asset the requester holds.
#[derive(Debug, Clone)]
pub(crate) struct AssetLine {
    pub id: i64,
    pub tag: String,
    pub model: String,
    pub warranty: String,
    pub is_expired: bool,
}

/// Loads the card: the person (already in `names`), their organization, assets and
/// tickets, in four reads whatever the timeline's length.
pub(super) async fn card(
    state: &UiState,
    viewer: &Viewer,
    ticket: &Ticket,
    names: &Names,
    times: &Times,
) -> PageResult<PersonCard> {
    let actor = &viewer.actor;
    let tickets = state.app.tickets();
    let by_requester = |open_only: bool, statuses: Vec<TicketStatus>, size: i64| TicketQuery {
        filter: TicketFilter {
            requester_id: Some(ticket.requester_id),
            open_only,
            statuses,
            ..TicketFilter::default()
        },
        sort: TicketSort::UpdatedDesc,
        page: PageRequest::first(size),
    };
    let open = tickets
        .list(actor, &by_requester(true, Vec::new(), MOST as i64 + 1))
        .await?;
    let solved = vec![TicketStatus::Resolved, TicketStatus::Closed];
    let closed = tickets.list(actor, &by_requester(false, solved, 2)).await?;
    let row = |t: &Ticket| TicketRow::new(t, names, times);
    let open = open
        .items
        .iter()
        .filter(|t| t.id != ticket.id)
        .take(MOST)
        .map(row)
        .collect();
    let last_closed = closed.items.iter().find(|t| t.id != ticket.id).map(row);
    let Some(user) = names.user(ticket.requester_id) else {
        return Ok(PersonCard {
            name: names.user_name(ticket.requester_id),
            open,
            last_closed,
            ..PersonCard::default()
        });
    };
    let mut organizations = names.clone();
    if let Some(org) = user.organization_id {
        organizations.add_organizations(state, actor, [org]).await?;
    }
    let filter = AssetFilter {
        assigned_to: Some(user.id),
        ..AssetFilter::default()
    };
    let held = state
        .app
        .assets()
        .list(actor, filter, &PageRequest::first(MOST as i64))
        .await?;
    let zone = jiff::tz::TimeZone::get(&viewer.user.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = state.app.now().to_zoned(zone).date();
    let assets = held
        .items
        .iter()
        .map(|a| AssetLine {
            id: a.id.get(),
            tag: a.tag.clone(),
            model: [a.manufacturer.as_deref(), a.model.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            warranty: a.warranty_end.map(|d| d.to_string()).unwrap_or_default(),
            is_expired: a.is_out_of_warranty(today),
        })
        .collect();
    Ok(PersonCard {
        name: user.name.clone(),
        initials: crate::view::initials(&user.name),
        email: user.email.to_string(),
        phone: user.phone.clone().unwrap_or_default(),
        location: user.location.clone().unwrap_or_default(),
        employee_id: user.employee_id.clone().unwrap_or_default(),
        organization: organizations.organization_or(user.organization_id, ""),
        assets,
        open,
        last_closed,
    })
}
