//! `/api/v1/assets` and `/api/v1/tickets/{id}/assets`: the desk's inventory and which
//! tickets concern which asset. Staff write; a customer reads only their own assets.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated, TicketPath, ticket_number};
use crate::tickets::created;
use crate::types::{AssetKind, PageResponse, nullable, page_request};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use ferrodesk_app::{AssetInput, AssetPatch};
use ferrodesk_domain::{Asset, AssetId, Channel, UserId};
use ferrodesk_store::AssetFilter;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_assets, create_asset))
        .routes(routes!(get_asset, update_asset, delete_asset))
        .routes(routes!(ticket_assets, link_asset))
        .routes(routes!(unlink_asset))
}

/// An asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetResponse {
    /// Id.
    pub id: i64,
    /// Inventory tag (unique).
    pub tag: String,
    /// Serial number.
    pub serial: Option<String>,
    /// Kind.
    #[serde(rename = "type")]
    pub asset_type: AssetKind,
    /// Maker.
    pub manufacturer: Option<String>,
    /// Model number.
    pub model: Option<String>,
    /// Where it is.
    pub location: Option<String>,
    /// The person who has it.
    pub assigned_to: Option<i64>,
    /// Bought on (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub purchase_date: Option<Date>,
    /// Warranty until (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub warranty_end: Option<Date>,
    /// License key, support contract or lease.
    pub contract: Option<String>,
    /// Tag, type and model in one line.
    pub label: String,
    /// Recorded.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

pub(crate) fn asset_response(asset: Asset) -> AssetResponse {
    AssetResponse {
        id: asset.id.get(),
        label: asset.label(),
        tag: asset.tag,
        serial: asset.serial,
        asset_type: asset.asset_type.into(),
        manufacturer: asset.manufacturer,
        model: asset.model,
        location: asset.location,
        assigned_to: asset.assigned_to.map(UserId::get),
        purchase_date: asset.purchase_date,
        warranty_end: asset.warranty_end,
        contract: asset.contract,
        created_at: asset.created_at,
        updated_at: asset.updated_at,
    }
}

/// An asset to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssetRequest {
    /// Inventory tag (unique, at most 64 characters).
    pub tag: String,
    /// Kind.
    #[serde(rename = "type")]
    pub asset_type: AssetKind,
    /// Serial number.
    pub serial: Option<String>,
    /// Maker.
    pub manufacturer: Option<String>,
    /// Model number.
    pub model: Option<String>,
    /// Where it is.
    pub location: Option<String>,
    /// The person who has it.
    pub assigned_to: Option<i64>,
    /// Bought on (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub purchase_date: Option<Date>,
    /// Warranty until (`YYYY-MM-DD`), not before the purchase date.
    #[schema(value_type = Option<String>, format = Date)]
    pub warranty_end: Option<Date>,
    /// License key, support contract or lease.
    pub contract: Option<String>,
}

/// Changes to an asset: an absent field stays, `null` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAssetRequest {
    /// New tag.
    pub tag: Option<String>,
    /// New kind.
    #[serde(rename = "type")]
    pub asset_type: Option<AssetKind>,
    /// New serial.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub serial: Option<Option<String>>,
    /// New maker.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub manufacturer: Option<Option<String>>,
    /// New model.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub model: Option<Option<String>>,
    /// New location.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// New holder.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub assigned_to: Option<Option<i64>>,
    /// New purchase date.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Date)]
    pub purchase_date: Option<Option<Date>>,
    /// New warranty end.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Date)]
    pub warranty_end: Option<Option<Date>>,
    /// New contract.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub contract: Option<Option<String>>,
}

/// Which assets to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListAssetsQuery {
    /// Assigned to this person (customers always get their own).
    pub assigned_to: Option<i64>,
    /// Of this kind.
    #[serde(rename = "type")]
    #[param(value_type = Option<AssetKind>)]
    pub asset_type: Option<AssetKind>,
    /// Whose tag starts with this text (case-insensitive).
    pub tag: Option<String>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// Lists assets: staff all (filtered), a customer their own.
#[utoipa::path(
    get,
    path = "/api/v1/assets",
    tag = "assets",
    params(ListAssetsQuery),
    responses(
        (status = 200, description = "a page of assets, by id", body = PageResponse<AssetResponse>),
        (status = 400, description = "bad query parameter", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_assets(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(query): ApiQuery<ListAssetsQuery>,
) -> Result<Json<PageResponse<AssetResponse>>, ApiError> {
    let page = page_request(query.cursor.as_deref(), query.limit)?;
    let filter = AssetFilter {
        assigned_to: query.assigned_to.map(UserId),
        asset_type: query.asset_type.map(Into::into),
        tag: query.tag,
    };
    let assets = state.app.assets().list(&auth.actor, filter, &page).await?;
    Ok(Json(PageResponse::from_page(assets, asset_response)))
}

/// Records an asset (staff).
#[utoipa::path(
    post,
    path = "/api/v1/assets",
    tag = "assets",
    request_body = CreateAssetRequest,
    responses(
        (status = 201, description = "the new asset", body = AssetResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 409, description = "the tag is taken (`asset_tag_taken`)", body = ErrorBody),
        (status = 422, description = "invalid field, unknown person", body = ErrorBody),
    )
)]
async fn create_asset(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateAssetRequest>,
) -> Result<Response, ApiError> {
    let input = AssetInput {
        tag: r.tag,
        serial: r.serial,
        asset_type: r.asset_type.into(),
        manufacturer: r.manufacturer,
        model: r.model,
        location: r.location,
        assigned_to: r.assigned_to.map(UserId),
        purchase_date: r.purchase_date,
        warranty_end: r.warranty_end,
        contract: r.contract,
    };
    let asset = state.app.assets().create(&auth.actor, input).await?;
    let location = format!("/api/v1/assets/{}", asset.id);
    Ok(created(asset_response(asset), &location, false))
}

/// Reads an asset: staff any, a customer only their own.
#[utoipa::path(
    get,
    path = "/api/v1/assets/{id}",
    tag = "assets",
    params(("id" = i64, Path, description = "asset id")),
    responses(
        (status = 200, description = "the asset", body = AssetResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such asset, or not yours", body = ErrorBody),
    )
)]
async fn get_asset(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AssetResponse>, ApiError> {
    let asset = state.app.assets().get(&auth.actor, AssetId(id)).await?;
    Ok(Json(asset_response(asset)))
}

/// Changes an asset (staff).
#[utoipa::path(
    patch,
    path = "/api/v1/assets/{id}",
    tag = "assets",
    params(("id" = i64, Path, description = "asset id")),
    request_body = UpdateAssetRequest,
    responses(
        (status = 200, description = "the asset as changed", body = AssetResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such asset", body = ErrorBody),
        (status = 409, description = "the tag is taken (`asset_tag_taken`)", body = ErrorBody),
        (status = 422, description = "invalid field, unknown person", body = ErrorBody),
    )
)]
async fn update_asset(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<UpdateAssetRequest>,
) -> Result<Json<AssetResponse>, ApiError> {
    let patch = AssetPatch {
        tag: r.tag,
        serial: r.serial,
        asset_type: r.asset_type.map(Into::into),
        manufacturer: r.manufacturer,
        model: r.model,
        location: r.location,
        assigned_to: r.assigned_to.map(|a| a.map(UserId)),
        purchase_date: r.purchase_date,
        warranty_end: r.warranty_end,
        contract: r.contract,
    };
    let asset = state
        .app
        .assets()
        .update(&auth.actor, AssetId(id), patch)
        .await?;
    Ok(Json(asset_response(asset)))
}

/// Retires an asset (staff); its ticket links go, the timelines keep what happened.
#[utoipa::path(
    delete,
    path = "/api/v1/assets/{id}",
    tag = "assets",
    params(("id" = i64, Path, description = "asset id")),
    responses(
        (status = 204, description = "retired"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "staff only", body = ErrorBody),
        (status = 404, description = "no such asset", body = ErrorBody),
    )
)]
async fn delete_asset(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state.app.assets().delete(&auth.actor, AssetId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The assets of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketAssetsResponse {
    /// The linked assets, by tag.
    pub items: Vec<AssetResponse>,
}

/// Lists the assets linked to a ticket (a customer sees only their own among them).
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/assets",
    tag = "assets",
    params(("id" = String, Path, description = "ticket number")),
    responses(
        (status = 200, description = "the linked assets", body = TicketAssetsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such ticket", body = ErrorBody),
    )
)]
async fn ticket_assets(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
) -> Result<Json<TicketAssetsResponse>, ApiError> {
    let assets = state.app.assets().of_ticket(&auth.actor, id).await?;
    Ok(Json(TicketAssetsResponse {
        items: assets.into_iter().map(asset_response).collect(),
    }))
}

/// The asset to link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkAssetRequest {
    /// The asset's id.
    pub asset_id: i64,
}

/// Links an asset to a ticket (staff who may work it); recorded on the timeline.
/// Linking one already linked changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/assets",
    tag = "assets",
    params(("id" = String, Path, description = "ticket number")),
    request_body = LinkAssetRequest,
    responses(
        (status = 200, description = "the ticket's assets afterwards", body = TicketAssetsResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "may not change the ticket", body = ErrorBody),
        (status = 404, description = "no such ticket or asset", body = ErrorBody),
        (status = 422, description = "wrong field", body = ErrorBody),
    )
)]
async fn link_asset(
    State(state): State<AppState>,
    auth: Authenticated,
    TicketPath(id): TicketPath,
    ApiJson(r): ApiJson<LinkAssetRequest>,
) -> Result<Json<TicketAssetsResponse>, ApiError> {
    let assets = state
        .app
        .assets()
        .link(&auth.actor, id, AssetId(r.asset_id), Channel::Api)
        .await?;
    Ok(Json(TicketAssetsResponse {
        items: assets.into_iter().map(asset_response).collect(),
    }))
}

/// Unlinks an asset from a ticket (staff who may work it); recorded on the timeline.
#[utoipa::path(
    delete,
    path = "/api/v1/tickets/{id}/assets/{asset_id}",
    tag = "assets",
    params(
        ("id" = String, Path, description = "ticket number"),
        ("asset_id" = i64, Path, description = "asset id"),
    ),
    responses(
        (status = 200, description = "the ticket's assets afterwards", body = TicketAssetsResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "may not change the ticket", body = ErrorBody),
        (status = 404, description = "no such ticket or asset", body = ErrorBody),
    )
)]
async fn unlink_asset(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((ticket, asset)): ApiPath<(String, i64)>,
) -> Result<Json<TicketAssetsResponse>, ApiError> {
    let assets = state
        .app
        .assets()
        .unlink(
            &auth.actor,
            ticket_number(&ticket)?,
            AssetId(asset),
            Channel::Api,
        )
        .await?;
    Ok(Json(TicketAssetsResponse {
        items: assets.into_iter().map(asset_response).collect(),
    }))
}
