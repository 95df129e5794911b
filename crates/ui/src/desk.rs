//! The agent workspace's desk extras: the asset inventory (`/agent/assets`, list with
//! a create form, an edit form, retire) and the ticket view's side panel
//! (`/agent/tickets/{id}/desk`, loaded after the page) with the requester's assets and
//! the ticket's linked assets.
//!
//! Every write goes through the asset service, so the rules are the API's: staff
//! manage assets; linking needs the right to work the ticket.

use crate::UiState;
use crate::agent::{NavItem, Sidebar, ticket_id};
use crate::chrome::Chrome;
use crate::error::{PageError, PageResult, render};
use crate::form::{FieldErrors, Form, FormData, parse_date, url_encode};
use crate::session::{Staff, Viewer};
use crate::view::{Choice, Names};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::{get, post};
use ferrodesk_app::{AppError, AssetFilter, AssetInput, AssetPatch, PageRequest, UserFilter};
use ferrodesk_domain::{Actor, Asset, AssetId, AssetType, Channel, EmailAddress, UserId};
use serde::Deserialize;

pub(crate) fn agent_routes() -> Router<UiState> {
    Router::new()
        .route("/assets", get(list_page).post(create))
        .route("/assets/{id}", get(edit_page).post(update))
        .route("/assets/{id}/delete", post(delete))
        .route("/tickets/{id}/desk", get(ticket_panel))
        .route("/tickets/{id}/assets/link", post(link))
        .route("/tickets/{id}/assets/unlink", post(unlink))
        .route("/tickets/{id}/watch", post(watch))
        .route("/tickets/{id}/watchers/add", post(add_watcher))
        .route("/tickets/{id}/watchers/remove", post(remove_watcher))
        .route("/watching", get(watching_page))
        .route("/filters", get(filters_page).post(save_filter))
        .route("/filters/{id}/delete", post(delete_filter))
}

/// The service's field names mapped to the asset form's.
const ASSET_FIELDS: &[(&str, &str)] = &[
    ("tag", "tag"),
    ("serial", "serial"),
    ("manufacturer", "manufacturer"),
    ("model", "model"),
    ("location", "location"),
    ("assigned_to", "assigned_to"),
    ("warranty_end", "warranty_end"),
    ("contract", "contract"),
];

/// What people call each kind.
fn type_label(kind: AssetType) -> &'static str {
    match kind {
        AssetType::Computer => "Computer",
        AssetType::Monitor => "Monitor",
        AssetType::Printer => "Printer",
        AssetType::Phone => "Phone",
        AssetType::Tablet => "Tablet",
        AssetType::Server => "Server",
        AssetType::Network => "Network device",
        AssetType::Software => "Software license",
        AssetType::Other => "Other",
    }
}

fn type_choices(current: &str, any: Option<&str>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = any
        .map(|label| Choice::new("", label, current.is_empty()))
        .into_iter()
        .collect();
    choices.extend(
        AssetType::ALL
            .iter()
            .map(|t| Choice::new(t.as_str(), type_label(*t), t.as_str() == current)),
    );
    choices
}

/// One asset as listed.
#[derive(Debug, Clone)]
pub(crate) struct AssetRow {
    id: i64,
    tag: String,
    kind: &'static str,
    model: String,
    holder: String,
    location: String,
    warranty: String,
    is_out_of_warranty: bool,
}

fn asset_row(asset: &Asset, names: &Names, today: jiff::civil::Date) -> AssetRow {
    AssetRow {
        id: asset.id.get(),
        tag: asset.tag.clone(),
        kind: type_label(asset.asset_type),
        model: [asset.manufacturer.as_deref(), asset.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        holder: names.user_or(asset.assigned_to, ""),
        location: asset.location.clone().unwrap_or_default(),
        warranty: asset
            .warranty_end
            .map(|d| d.to_string())
            .unwrap_or_default(),
        is_out_of_warranty: asset.is_out_of_warranty(today),
    }
}

fn today(state: &UiState, viewer: &Viewer) -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get(&viewer.user.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    state.app.now().to_zoned(zone).date()
}

async fn rows(
    state: &UiState,
    viewer: &Viewer,
    assets: &[Asset],
    names: &mut Names,
) -> PageResult<Vec<AssetRow>> {
    names
        .add_users(
            state,
            &viewer.actor,
            assets.iter().filter_map(|a| a.assigned_to),
        )
        .await?;
    let today = today(state, viewer);
    Ok(assets.iter().map(|a| asset_row(a, names, today)).collect())
}

// --- the inventory -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "agent/assets.html")]
struct ListPage {
    chrome: Chrome,
    sidebar: Sidebar,
    assets: Vec<AssetRow>,
    filter_types: Vec<Choice>,
    tag: String,
    next_href: Option<String>,
    form_types: Vec<Choice>,
    input: FormData,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    r#type: String,
    #[serde(default)]
    tag: String,
    after: Option<String>,
    done: Option<String>,
}

async fn list(
    state: &UiState,
    viewer: &Viewer,
    query: &ListQuery,
    input: FormData,
    errors: FieldErrors,
) -> PageResult<ListPage> {
    let filter = AssetFilter {
        assigned_to: None,
        asset_type: AssetType::parse(&query.r#type).ok(),
        tag: Some(query.tag.clone()).filter(|t| !t.trim().is_empty()),
    };
    let page = PageRequest {
        cursor: query
            .after
            .as_deref()
            .and_then(ferrodesk_app::Cursor::decode),
        limit: 50,
    };
    let found = state
        .app
        .assets()
        .list(&viewer.actor, filter, &page)
        .await?;
    let mut names = Names::load(state, &viewer.actor).await?;
    let assets = rows(state, viewer, &found.items, &mut names).await?;
    let sidebar = Sidebar::load(state, &viewer.actor, &names, "assets").await?;
    Ok(ListPage {
        chrome: Chrome::new(viewer, "agent", "Assets").notice(query.done.as_deref()),
        sidebar,
        assets,
        filter_types: type_choices(&query.r#type, Some("Every kind")),
        tag: query.tag.clone(),
        next_href: found.next_cursor.map(|c| {
            format!(
                "/agent/assets?type={}&tag={}&after={}",
                url_encode(&query.r#type),
                url_encode(&query.tag),
                url_encode(&c.encode())
            )
        }),
        form_types: type_choices(input.get("type"), None),
        input,
        errors,
    })
}

/// `GET /agent/assets`: the inventory, filtered by kind and tag, with a create form.
async fn list_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let page = list(
        &state,
        &viewer,
        &query,
        FormData::default(),
        FieldErrors::new(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// Finds the person an email names, for "assigned to".
async fn person_by_email(
    state: &UiState,
    actor: &Actor,
    text: &str,
    errors: &mut FieldErrors,
) -> PageResult<Option<UserId>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let Ok(email) = EmailAddress::parse(text) else {
        errors.add("assigned_to", "give the email address of a person");
        return Ok(None);
    };
    let filter = UserFilter {
        text: Some(email.to_string()),
        ..UserFilter::default()
    };
    let found = state
        .app
        .directory()
        .list_users(actor, &filter, &PageRequest::first(10))
        .await?;
    match found.items.into_iter().find(|u| u.email == email) {
        Some(user) => Ok(Some(user.id)),
        None => {
            errors.add("assigned_to", format!("nobody has the address {email}"));
            Ok(None)
        }
    }
}

/// Reads the asset form.
async fn asset_input(
    state: &UiState,
    actor: &Actor,
    form: &FormData,
    errors: &mut FieldErrors,
) -> PageResult<AssetInput> {
    let asset_type = AssetType::parse(form.get("type")).unwrap_or_else(|_| {
        errors.add("type", "choose a kind from the list");
        AssetType::Other
    });
    let text = |name: &str| form.opt(name).map(str::to_owned);
    Ok(AssetInput {
        tag: form.get("tag").to_owned(),
        serial: text("serial"),
        asset_type,
        manufacturer: text("manufacturer"),
        model: text("model"),
        location: text("location"),
        assigned_to: person_by_email(state, actor, form.get("assigned_to"), errors).await?,
        purchase_date: parse_date(form, errors, "purchase_date"),
        warranty_end: parse_date(form, errors, "warranty_end"),
        contract: text("contract"),
    })
}

/// Files a refused asset write under its field; a taken tag goes next to the tag.
fn absorb(errors: &mut FieldErrors, error: AppError) -> PageResult<()> {
    match error {
        AppError::Conflict { message, .. } => {
            errors.add("tag", message);
            Ok(())
        }
        other => errors.absorb(other, ASSET_FIELDS, ""),
    }
}

/// `POST /agent/assets`: records an asset.
async fn create(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let input = asset_input(&state, &viewer.actor, &form, &mut errors).await?;
    if errors.is_empty() {
        match state.app.assets().create(&viewer.actor, input).await {
            Ok(_) => return Ok(Redirect::to("/agent/assets?done=saved").into_response()),
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let page = list(&state, &viewer, &ListQuery::default(), form, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "agent/asset_form.html")]
struct EditPage {
    chrome: Chrome,
    sidebar: Sidebar,
    id: i64,
    label: String,
    form_types: Vec<Choice>,
    input: FormData,
    errors: FieldErrors,
}

fn asset_id(raw: &str) -> PageResult<AssetId> {
    raw.trim()
        .parse::<i64>()
        .map(AssetId)
        .map_err(|_| PageError::NotFound)
}

async fn edit(
    state: &UiState,
    viewer: &Viewer,
    asset: &Asset,
    input: Option<FormData>,
    errors: FieldErrors,
) -> PageResult<EditPage> {
    let mut names = Names::load(state, &viewer.actor).await?;
    names
        .add_users(state, &viewer.actor, asset.assigned_to)
        .await?;
    let input = match input {
        Some(input) => input,
        None => {
            let holder = asset
                .assigned_to
                .and_then(|id| names.user(id))
                .map(|u| u.email.to_string())
                .unwrap_or_default();
            let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
            let text = |t: &Option<String>| t.clone().unwrap_or_default();
            FormData::from_pairs(vec![
                ("tag", asset.tag.clone()),
                ("type", asset.asset_type.as_str().to_owned()),
                ("serial", text(&asset.serial)),
                ("manufacturer", text(&asset.manufacturer)),
                ("model", text(&asset.model)),
                ("location", text(&asset.location)),
                ("assigned_to", holder),
                ("purchase_date", date(asset.purchase_date)),
                ("warranty_end", date(asset.warranty_end)),
                ("contract", text(&asset.contract)),
            ])
        }
    };
    let sidebar = Sidebar::load(state, &viewer.actor, &names, "assets").await?;
    Ok(EditPage {
        chrome: Chrome::new(viewer, "agent", format!("Asset {}", asset.tag)),
        sidebar,
        id: asset.id.get(),
        label: asset.label(),
        form_types: type_choices(input.get("type"), None),
        input,
        errors,
    })
}

/// `GET /agent/assets/{id}`: the edit form.
async fn edit_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let asset = state
        .app
        .assets()
        .get(&viewer.actor, asset_id(&raw)?)
        .await?;
    let page = edit(&state, &viewer, &asset, None, FieldErrors::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /agent/assets/{id}`: saves the edit form.
async fn update(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let assets = state.app.assets();
    let asset = assets.get(&viewer.actor, asset_id(&raw)?).await?;
    let mut errors = FieldErrors::new();
    let input = asset_input(&state, &viewer.actor, &form, &mut errors).await?;
    if errors.is_empty() {
        let patch = AssetPatch {
            tag: Some(input.tag),
            serial: Some(input.serial),
            asset_type: Some(input.asset_type),
            manufacturer: Some(input.manufacturer),
            model: Some(input.model),
            location: Some(input.location),
            assigned_to: Some(input.assigned_to),
            purchase_date: Some(input.purchase_date),
            warranty_end: Some(input.warranty_end),
            contract: Some(input.contract),
        };
        match assets.update(&viewer.actor, asset.id, patch).await {
            Ok(_) => return Ok(Redirect::to("/agent/assets?done=saved").into_response()),
            Err(error) => absorb(&mut errors, error)?,
        }
    }
    let page = edit(&state, &viewer, &asset, Some(form), errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /agent/assets/{id}/delete`: retires an asset.
async fn delete(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    state
        .app
        .assets()
        .delete(&viewer.actor, asset_id(&raw)?)
        .await?;
    Ok(Redirect::to("/agent/assets?done=retired").into_response())
}

// --- the ticket view's panel -----------------------------------------------------------

#[derive(Template)]
#[template(path = "agent/desk_panel_body.html")]
struct PanelBody {
    ticket_id: i64,
    csrf: String,
    requester: String,
    can_work: bool,
    linked: Vec<AssetRow>,
    theirs: Vec<AssetRow>,
    watchers: Vec<WatcherRow>,
    is_watching: bool,
    rating: Option<RatingView>,
}

/// The requester's rating of the current resolution.
#[derive(Debug, Clone)]
struct RatingView {
    score: i64,
    comment: String,
}

/// A watcher as shown in the panel.
#[derive(Debug, Clone)]
struct WatcherRow {
    id: i64,
    name: String,
    is_viewer: bool,
}

/// `GET /agent/tickets/{id}/desk`: the requester's assets and the ticket's linked
/// assets, loaded after the page.
async fn ticket_panel(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let ticket = state.app.tickets().get(&viewer.actor, id).await?;
    let assets = state.app.assets();
    let linked = assets.of_ticket(&viewer.actor, id).await?;
    let filter = AssetFilter {
        assigned_to: Some(ticket.requester_id),
        ..AssetFilter::default()
    };
    let theirs = assets
        .list(&viewer.actor, filter, &PageRequest::first(20))
        .await?
        .items;
    let mut names = Names::load(&state, &viewer.actor).await?;
    names
        .add_users(&state, &viewer.actor, [ticket.requester_id])
        .await?;
    let watchers = state.app.watchers().list(&viewer.actor, id).await?;
    let rating = state
        .app
        .ratings()
        .current(&viewer.actor, id)
        .await?
        .map(|r| RatingView {
            score: r.score,
            comment: r.comment.unwrap_or_default(),
        });
    names
        .add_users(&state, &viewer.actor, watchers.iter().map(|w| w.user_id))
        .await?;
    let theirs: Vec<Asset> = theirs
        .into_iter()
        .filter(|a| !linked.iter().any(|l| l.id == a.id))
        .collect();
    let body = PanelBody {
        ticket_id: id.get(),
        csrf: viewer.csrf.clone(),
        requester: names.user_name(ticket.requester_id),
        can_work: viewer.actor.can_work(&ticket)
            && ticket.status != ferrodesk_domain::TicketStatus::Closed,
        linked: rows(&state, &viewer, &linked, &mut names).await?,
        theirs: rows(&state, &viewer, &theirs, &mut names).await?,
        is_watching: watchers.iter().any(|w| w.user_id == viewer.actor.user_id),
        rating,
        watchers: watchers
            .iter()
            .map(|w| WatcherRow {
                id: w.user_id.get(),
                name: names.user_name(w.user_id),
                is_viewer: w.user_id == viewer.actor.user_id,
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &body))
}

/// The asset a panel form names: by id (a listed asset) or by tag (typed in).
async fn named_asset(state: &UiState, actor: &Actor, form: &FormData) -> PageResult<AssetId> {
    if let Some(id) = form.opt("asset_id") {
        return asset_id(id).map_err(|_| PageError::Refused("choose an asset".into()));
    }
    let tag = form.get("asset_tag").trim();
    if tag.is_empty() {
        return Err(PageError::Refused("give the asset's tag".into()));
    }
    let filter = AssetFilter {
        tag: Some(tag.to_owned()),
        ..AssetFilter::default()
    };
    state
        .app
        .assets()
        .list(actor, filter, &PageRequest::first(20))
        .await?
        .items
        .into_iter()
        .find(|a| a.tag.eq_ignore_ascii_case(tag))
        .map(|a| a.id)
        .ok_or_else(|| PageError::Refused(format!("no asset has the tag '{tag}'")))
}

/// `POST /agent/tickets/{id}/assets/link`.
async fn link(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let asset = named_asset(&state, &viewer.actor, &form).await?;
    state
        .app
        .assets()
        .link(&viewer.actor, id, asset, Channel::Agent)
        .await?;
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=asset_linked", id.get())).into_response())
}

/// `POST /agent/tickets/{id}/assets/unlink`.
async fn unlink(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let asset = asset_id(form.get("asset_id"))?;
    state
        .app
        .assets()
        .unlink(&viewer.actor, id, asset, Channel::Agent)
        .await?;
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=asset_unlinked", id.get())).into_response())
}

/// Tells open pages that the ticket changed.
pub(crate) async fn publish(state: &UiState, viewer: &Viewer, id: ferrodesk_domain::TicketId) {
    if let Ok(ticket) = state.app.tickets().get(&viewer.actor, id).await {
        state.live.publish(vec![ticket]);
    }
}

// --- watchers --------------------------------------------------------------------------

/// `POST /agent/tickets/{id}/watch`: `action=watch` or `action=unwatch` for the viewer.
async fn watch(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let watchers = state.app.watchers();
    let done = match form.get("action") {
        "watch" => {
            watchers
                .add(&viewer.actor, id, None, Channel::Agent)
                .await?;
            "watching"
        }
        "unwatch" => {
            watchers
                .remove(&viewer.actor, id, None, Channel::Agent)
                .await?;
            "unwatched"
        }
        _ => return Err(PageError::BadRequest("choose watch or unwatch".into())),
    };
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done={done}", id.get())).into_response())
}

/// `POST /agent/tickets/{id}/watchers/add`: adds the person with the given email.
async fn add_watcher(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let mut errors = FieldErrors::new();
    let person = person_by_email(
        &state,
        &viewer.actor,
        form.get("watcher_email"),
        &mut errors,
    )
    .await?;
    let Some(person) = person else {
        let message = errors
            .get("assigned_to")
            .unwrap_or("give the email address of a person")
            .to_owned();
        return Err(PageError::Refused(message));
    };
    state
        .app
        .watchers()
        .add(&viewer.actor, id, Some(person), Channel::Agent)
        .await?;
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=watcher_added", id.get())).into_response())
}

/// `POST /agent/tickets/{id}/watchers/remove`: removes the watcher `user_id`.
async fn remove_watcher(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(form): Form,
) -> PageResult {
    let id = ticket_id(&raw)?;
    let person = form
        .get("user_id")
        .trim()
        .parse::<i64>()
        .map(UserId)
        .map_err(|_| PageError::BadRequest("choose a watcher".into()))?;
    state
        .app
        .watchers()
        .remove(&viewer.actor, id, Some(person), Channel::Agent)
        .await?;
    publish(&state, &viewer, id).await;
    Ok(Redirect::to(&format!("/agent/tickets/{}?done=watcher_removed", id.get())).into_response())
}

#[derive(Template)]
#[template(path = "agent/watching.html")]
struct WatchingPage {
    chrome: Chrome,
    sidebar: Sidebar,
    rows: Vec<crate::view::TicketRow>,
    empty_message: &'static str,
    next_href: Option<String>,
}

/// `GET /agent/watching`: the tickets the viewer watches.
async fn watching_page(State(state): State<UiState>, Staff(viewer): Staff) -> PageResult {
    let tickets = state.app.watchers().watching(&viewer.actor).await?;
    let mut names = Names::load(&state, &viewer.actor).await?;
    let people: Vec<UserId> = tickets
        .iter()
        .flat_map(|t| [Some(t.requester_id), t.assignee_id])
        .flatten()
        .collect();
    names.add_users(&state, &viewer.actor, people).await?;
    let times = crate::view::Times::new(&viewer.user, state.app.now());
    let sidebar = Sidebar::load(&state, &viewer.actor, &names, "watching").await?;
    let page = WatchingPage {
        chrome: Chrome::new(&viewer, "agent", "Watching"),
        sidebar,
        rows: tickets
            .iter()
            .map(|t| crate::view::TicketRow::new(t, &names, &times))
            .collect(),
        empty_message: " You watch no tickets. Use Watch on a ticket to follow it here.",
        next_href: None,
    };
    Ok(render(StatusCode::OK, &page))
}

// --- saved filters -----------------------------------------------------------------------

/// The sidebar's saved-filter entries.
pub(crate) async fn filter_items(
    state: &UiState,
    actor: &Actor,
    active: &str,
) -> PageResult<Vec<NavItem>> {
    let filters = state.app.saved_filters().list(actor).await?;
    Ok(filters
        .into_iter()
        .map(|f| {
            let key = format!("filter-{}", f.filter.id);
            NavItem {
                active: key == active,
                key,
                href: format!("/agent/queues/{}", f.filter.query),
                label: f.filter.name,
                count: None,
            }
        })
        .collect())
}

/// A saved filter as listed.
#[derive(Debug, Clone)]
struct FilterRow {
    id: i64,
    name: String,
    query: String,
    shared_with: String,
    owner: String,
    is_own: bool,
}

#[derive(Template)]
#[template(path = "agent/filters.html")]
struct FiltersPage {
    chrome: Chrome,
    sidebar: Sidebar,
    filters: Vec<FilterRow>,
    errors: FieldErrors,
}

async fn filters_view(
    state: &UiState,
    viewer: &Viewer,
    errors: FieldErrors,
    done: Option<&str>,
) -> PageResult<FiltersPage> {
    let filters = state.app.saved_filters().list(&viewer.actor).await?;
    let mut names = Names::load(state, &viewer.actor).await?;
    let owners: Vec<UserId> = filters.iter().map(|f| f.filter.user_id).collect();
    names.add_users(state, &viewer.actor, owners).await?;
    let sidebar = Sidebar::load(state, &viewer.actor, &names, "filters").await?;
    Ok(FiltersPage {
        chrome: Chrome::new(viewer, "agent", "Saved filters").notice(done),
        sidebar,
        filters: filters
            .into_iter()
            .map(|f| FilterRow {
                id: f.filter.id,
                shared_with: names.group_or(f.group_id, "Only the owner"),
                owner: names.user_name(f.filter.user_id),
                is_own: f.filter.user_id == viewer.actor.user_id,
                name: f.filter.name,
                query: f.filter.query,
            })
            .collect(),
        errors,
    })
}

#[derive(Debug, Deserialize)]
struct FiltersQuery {
    done: Option<String>,
}

/// `GET /agent/filters`: the viewer's saved filters and their groups' shared ones.
async fn filters_page(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Query(query): Query<FiltersQuery>,
) -> PageResult {
    let page = filters_view(&state, &viewer, FieldErrors::new(), query.done.as_deref()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The queue view a save form came from: its live-rows address
/// (`/agent/queues/open/rows?sort=..`) turned into `open?sort=..`.
fn queue_query(from: &str) -> String {
    let rest = from.trim().trim_start_matches("/agent/queues/");
    match rest.split_once('?') {
        Some((path, params)) => format!("{}?{params}", path.trim_end_matches("/rows")),
        None => rest.trim_end_matches("/rows").to_owned(),
    }
}

/// `POST /agent/filters`: saves the queue view the form came from.
async fn save_filter(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Form(form): Form,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let group = match form.opt("share") {
        None => None,
        Some(key) => match key
            .strip_prefix("group-")
            .and_then(|id| id.parse::<i64>().ok())
        {
            Some(id) => Some(ferrodesk_domain::GroupId(id)),
            None => return Err(PageError::BadRequest("choose who sees the filter".into())),
        },
    };
    let query = queue_query(form.get("from"));
    match state
        .app
        .saved_filters()
        .create(&viewer.actor, form.get("name"), &query, group)
        .await
    {
        Ok(saved) => {
            let joiner = if saved.filter.query.contains('?') {
                '&'
            } else {
                '?'
            };
            return Ok(Redirect::to(&format!(
                "/agent/queues/{}{joiner}done=filter_saved",
                saved.filter.query
            ))
            .into_response());
        }
        Err(AppError::Conflict { message, .. }) => errors.add("name", message),
        Err(error) => errors.absorb(error, &[("name", "name"), ("query", "name")], "")?,
    }
    let page = filters_view(&state, &viewer, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /agent/filters/{id}/delete`: deletes one of the viewer's filters.
async fn delete_filter(
    State(state): State<UiState>,
    Staff(viewer): Staff,
    Path(raw): Path<String>,
    Form(_form): Form,
) -> PageResult {
    let id = raw.trim().parse::<i64>().map_err(|_| PageError::NotFound)?;
    state.app.saved_filters().delete(&viewer.actor, id).await?;
    Ok(Redirect::to("/agent/filters?done=filter_deleted").into_response())
}
