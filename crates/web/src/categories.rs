//! `/api/v1/categories`: the category tree (Hardware › Printer). Admins add nodes;
//! everyone signed in reads them (customers pick one when reporting).

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::tickets::created;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use ferrodesk_domain::{Category, CategoryId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_category, list_categories))
        .routes(routes!(get_category, rename_category, delete_category))
}

/// A node of the category tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryResponse {
    /// Id.
    pub id: i64,
    /// Name, unique among its siblings.
    pub name: String,
    /// Parent; absent at the root.
    pub parent_id: Option<i64>,
    /// Names from the root down to this node, e.g. `["Hardware", "Printer"]`.
    pub path: Vec<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// Converts categories, computing each one's path from the whole tree.
fn category_responses(all: &[Category], wanted: Vec<Category>) -> Vec<CategoryResponse> {
    let by_id: HashMap<CategoryId, &Category> = all.iter().map(|c| (c.id, c)).collect();
    wanted
        .into_iter()
        .map(|category| {
            let mut path = vec![category.name.clone()];
            let mut parent = category.parent_id;
            // The tree is small; the depth bound guards against a cycle in bad data.
            while let Some(node) = parent
                .and_then(|id| by_id.get(&id))
                .filter(|_| path.len() < 32)
            {
                path.push(node.name.clone());
                parent = node.parent_id;
            }
            path.reverse();
            CategoryResponse {
                id: category.id.get(),
                name: category.name,
                parent_id: category.parent_id.map(CategoryId::get),
                path,
                created_at: category.created_at,
                updated_at: category.updated_at,
            }
        })
        .collect()
}

/// A category to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategoryRequest {
    /// Name, unique among its siblings.
    pub name: String,
    /// Parent; absent for a root category.
    pub parent_id: Option<i64>,
}

/// Adds a category (admins).
#[utoipa::path(
    post,
    path = "/api/v1/categories",
    tag = "directory",
    request_body = CreateCategoryRequest,
    responses(
        (status = 201, description = "the new category", body = CategoryResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "unknown parent", body = ErrorBody),
        (status = 409, description = "a sibling has that name", body = ErrorBody),
        (status = 422, description = "invalid field", body = ErrorBody),
    )
)]
async fn create_category(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(r): ApiJson<CreateCategoryRequest>,
) -> Result<Response, ApiError> {
    let directory = state.app.directory();
    let category = directory
        .create_category(&auth.actor, &r.name, r.parent_id.map(CategoryId))
        .await?;
    let all = directory.list_categories(&auth.actor).await?;
    let location = format!("/api/v1/categories/{}", category.id);
    let body = category_responses(&all, vec![category]).pop();
    Ok(created(body, &location, false))
}

/// The whole tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoriesResponse {
    /// Every category; rebuild the tree from `parent_id`.
    pub items: Vec<CategoryResponse>,
}

/// Lists every category.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "directory",
    responses(
        (status = 200, description = "the categories", body = CategoriesResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
async fn list_categories(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<CategoriesResponse>, ApiError> {
    let all = state.app.directory().list_categories(&auth.actor).await?;
    Ok(Json(CategoriesResponse {
        items: category_responses(&all, all.clone()),
    }))
}

/// Reads a category.
#[utoipa::path(
    get,
    path = "/api/v1/categories/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "category id")),
    responses(
        (status = 200, description = "the category", body = CategoryResponse),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such category", body = ErrorBody),
    )
)]
async fn get_category(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CategoryResponse>, ApiError> {
    let directory = state.app.directory();
    let category = directory.get_category(&auth.actor, CategoryId(id)).await?;
    let all = directory.list_categories(&auth.actor).await?;
    category_responses(&all, vec![category])
        .pop()
        .map(Json)
        .ok_or_else(|| ferrodesk_app::AppError::not_found("category", id).into())
}

/// A category's new name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameCategoryRequest {
    /// The new name, unique among its siblings.
    pub name: String,
}

/// Renames a category (admins); its tickets keep it.
#[utoipa::path(
    patch,
    path = "/api/v1/categories/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "category id")),
    request_body = RenameCategoryRequest,
    responses(
        (status = 200, description = "the category as renamed", body = CategoryResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such category", body = ErrorBody),
        (status = 409, description = "a sibling has that name (`name_taken`)", body = ErrorBody),
        (status = 422, description = "invalid name, wrong field", body = ErrorBody),
    )
)]
async fn rename_category(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<RenameCategoryRequest>,
) -> Result<Json<CategoryResponse>, ApiError> {
    let directory = state.app.directory();
    let category = directory
        .rename_category(&auth.actor, CategoryId(id), &r.name)
        .await?;
    let all = directory.list_categories(&auth.actor).await?;
    category_responses(&all, vec![category])
        .pop()
        .map(Json)
        .ok_or_else(|| ferrodesk_app::AppError::not_found("category", id).into())
}

/// Deletes a category (admins). Refused with 409 `category_in_use` while tickets use
/// it or it has children: reassign the tickets or remove the children first.
#[utoipa::path(
    delete,
    path = "/api/v1/categories/{id}",
    tag = "directory",
    params(("id" = i64, Path, description = "category id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "admins only", body = ErrorBody),
        (status = 404, description = "no such category", body = ErrorBody),
        (status = 409, description = "still in use (`category_in_use`)", body = ErrorBody),
    )
)]
async fn delete_category(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state
        .app
        .directory()
        .delete_category(&auth.actor, CategoryId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
