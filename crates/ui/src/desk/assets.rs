//! `/agent/assets`: the asset inventory, a list with a create form, an edit form,
//! retire. Staff manage assets; the asset service checks that again.

use crate::UiState;
use crate::agent::Sidebar;
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
use ferrodesk_domain::{Actor, Asset, AssetId, AssetType, EmailAddress, UserId};
use serde::Deserialize;

pub(super) fn routes() -> Router<UiState> {
    Router::new()
        .route("/assets", get(list_page).post(create))
        .route("/assets/{id}", get(edit_page).post(update))
        .route("/assets/{id}/delete", post(delete))
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
    pub(super) id: i64,
    pub(super) tag: String,
    pub(super) kind: &'static str,
    pub(super) model: String,
    pub(super) holder: String,
    pub(super) location: String,
    pub(super) warranty: String,
    pub(super) is_out_of_warranty: bool,
}

pub(super) fn asset_row(asset: &Asset, names: &Names, today: jiff::civil::Date) -> AssetRow {
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

pub(super) fn today(state: &UiState, viewer: &Viewer) -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get(&viewer.user.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    state.app.now().to_zoned(zone).date()
}

pub(super) async fn rows(
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
pub(super) async fn person_by_email(
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

pub(super) fn asset_id(raw: &str) -> PageResult<AssetId> {
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
