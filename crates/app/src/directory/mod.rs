//! People, organizations, support groups, the category tree and the services the desk
//! supports.
//!
//! Access: admins change everything and are audited for it (user creation, role
//! changes, deactivation). Staff read the whole directory; agents and supervisors may
//! also create customers and correct their contact details (a caller on the phone is
//! often not in the directory yet). Customers see only themselves and their own
//! organization, plus the categories and services they pick from when reporting.
//!
//! One service, [`Directory`], cut by concept: people here, and `organizations`,
//! `groups` and `catalog` (categories and services) beside it.

mod catalog;
mod groups;
mod organizations;

pub use catalog::{ServiceInput, ServiceUpdate};
pub use groups::{GroupInput, GroupUpdate};
pub use organizations::{OrganizationInput, OrganizationUpdate};

use crate::input::{locale, optional, required, time_zone};
use crate::{App, AppError, OrNotFound as _};
use ferrodesk_domain::{Actor, EmailAddress, GroupId, OrganizationId, Role, Tier, User, UserId};
use ferrodesk_store::{
    NewAuditEntry, NewUser, Page, PageRequest, StoreError, UserFilter, UserPatch,
};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A person to create through the API.
#[derive(Debug, Clone, Default)]
pub struct CreateUserInput {
    /// Sign-in and notification address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role; customers unless given.
    pub role: Option<Role>,
    /// A customer's organization.
    pub organization_id: Option<OrganizationId>,
    /// Phone number.
    pub phone: Option<String>,
    /// Where the person sits.
    pub location: Option<String>,
    /// Employee number.
    pub employee_id: Option<String>,
    /// Language tag (default `en`).
    pub locale: Option<String>,
    /// IANA time zone (default `UTC`).
    pub time_zone: Option<String>,
    /// Staff tier (default 1 for staff).
    pub tier: Option<i64>,
    /// Staff groups.
    pub group_ids: Vec<GroupId>,
    /// Initial password (admins only).
    pub password: Option<String>,
}

/// Changes to a person; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UpdateUserInput {
    /// New email.
    pub email: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New role (admins only; audited).
    pub role: Option<Role>,
    /// New organization.
    pub organization_id: Option<Option<OrganizationId>>,
    /// New phone.
    pub phone: Option<Option<String>>,
    /// New location.
    pub location: Option<Option<String>>,
    /// New employee number.
    pub employee_id: Option<Option<String>>,
    /// New language tag.
    pub locale: Option<String>,
    /// New time zone.
    pub time_zone: Option<String>,
    /// New tier (staff).
    pub tier: Option<Option<i64>>,
    /// New group memberships (replaces the old ones).
    pub group_ids: Option<Vec<GroupId>>,
    /// Enables or disables sign-in (admins only; audited).
    pub is_active: Option<bool>,
    /// A new password (admins only; audited).
    pub password: Option<String>,
}

/// The directory service; get one from [`App::directory`].
#[derive(Debug, Clone, Copy)]
pub struct Directory<'a> {
    app: &'a App,
}

pub(crate) fn require_admin(actor: &Actor, what: &str) -> Result<(), AppError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("only admins may {what}")))
    }
}

pub(crate) fn require_staff(actor: &Actor, what: &str) -> Result<(), AppError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("only staff may {what}")))
    }
}

fn name_taken(error: StoreError, kind: &str, name: &str) -> AppError {
    match error {
        StoreError::Conflict { .. } => AppError::conflict(
            "name_taken",
            format!("a {kind} named '{name}' already exists"),
        ),
        other => other.into(),
    }
}

fn email_taken(error: StoreError, email: &EmailAddress) -> AppError {
    match error {
        StoreError::Conflict { .. } => AppError::conflict(
            "email_taken",
            format!("the email {email} is already in use"),
        ),
        other => other.into(),
    }
}

pub(crate) fn check_password(password: &str) -> Result<(), AppError> {
    let count = password.chars().count();
    if count < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
        ));
    }
    if count > 1024 {
        return Err(AppError::invalid(
            "password",
            "must be at most 1024 characters long",
        ));
    }
    Ok(())
}

impl<'a> Directory<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Directory { app }
    }

    // --- people ---------------------------------------------------------------------

    /// Creates a person. Admins create anyone; agents and supervisors create customers
    /// (without a password). Audited as `user_created`.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`, `Conflict` (`email_taken`), `NotFound` for an unknown
    /// group or organization.
    pub async fn create_user(
        &self,
        actor: &Actor,
        input: CreateUserInput,
    ) -> Result<User, AppError> {
        let role = input.role.unwrap_or(Role::Customer);
        if !actor.is_admin() {
            require_staff(actor, "create people")?;
            if role != Role::Customer {
                return Err(AppError::forbidden("only admins may create staff accounts"));
            }
            if input.password.is_some() {
                return Err(AppError::forbidden("only admins may set passwords"));
            }
        }
        self.create_user_unchecked(Some(actor.user_id), input, None)
            .await
    }

    /// Creates a person without a permission check (the CLI and first start). `address`
    /// goes into the audit log.
    pub(crate) async fn create_user_unchecked(
        &self,
        actor_id: Option<UserId>,
        input: CreateUserInput,
        address: Option<String>,
    ) -> Result<User, AppError> {
        let email = EmailAddress::parse(&input.email)?;
        let role = input.role.unwrap_or(Role::Customer);
        let (tier, group_ids) = self.staff_fields(role, input.tier, input.group_ids).await?;
        if let Some(org) = input.organization_id {
            self.app
                .db()
                .get_organization(org)
                .await
                .or_not_found("organization", org)?;
        }
        let password_hash = match &input.password {
            Some(password) => {
                check_password(password)?;
                Some(crate::hash_password(password).await?)
            }
            None => None,
        };
        let now = self.app.now();
        let user = self
            .app
            .db()
            .create_user(NewUser {
                email: email.clone(),
                name: required("name", &input.name, 200)?,
                role,
                organization_id: input.organization_id,
                phone: optional("phone", input.phone.as_deref(), 50)?,
                location: optional("location", input.location.as_deref(), 200)?,
                employee_id: optional("employee_id", input.employee_id.as_deref(), 50)?,
                locale: locale(input.locale.as_deref().unwrap_or("en"))?,
                time_zone: time_zone(input.time_zone.as_deref().unwrap_or("UTC"))?,
                tier,
                group_ids,
                password_hash,
                now,
            })
            .await
            .map_err(|error| email_taken(error, &email))?;
        self.app
            .db()
            .append_audit(NewAuditEntry {
                actor_id,
                action: "user_created".into(),
                subject: format!("user {} {}", user.id, user.email),
                address,
                detail: format!("role {}", user.role),
                now,
            })
            .await?;
        Ok(user)
    }

    /// Staff get a tier (1 unless given) and may have groups; customers have neither.
    async fn staff_fields(
        &self,
        role: Role,
        tier: Option<i64>,
        group_ids: Vec<GroupId>,
    ) -> Result<(Option<Tier>, Vec<GroupId>), AppError> {
        if !role.is_staff() {
            if tier.is_some() {
                return Err(AppError::invalid("tier", "customers have no tier"));
            }
            if !group_ids.is_empty() {
                return Err(AppError::invalid(
                    "group_ids",
                    "customers belong to no group",
                ));
            }
            return Ok((None, Vec::new()));
        }
        let tier = Tier::new(tier.unwrap_or(1))?;
        self.check_groups(&group_ids).await?;
        Ok((Some(tier), group_ids))
    }

    async fn check_groups(&self, group_ids: &[GroupId]) -> Result<(), AppError> {
        for group in group_ids {
            self.app
                .db()
                .get_group(*group)
                .await
                .or_not_found("group", group)?;
        }
        Ok(())
    }

    /// Reads a person: staff read anyone, customers only themselves.
    ///
    /// # Errors
    /// `NotFound`.
    pub async fn get_user(&self, actor: &Actor, id: UserId) -> Result<User, AppError> {
        if !actor.is_staff() && actor.user_id != id {
            return Err(AppError::not_found("user", id));
        }
        self.app.db().get_user(id).await.or_not_found("user", id)
    }

    /// Lists people (staff); a customer's list holds only themselves.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn list_users(
        &self,
        actor: &Actor,
        filter: &UserFilter,
        page: &PageRequest,
    ) -> Result<Page<User>, AppError> {
        if !actor.is_staff() {
            let me = self.app.db().get_user(actor.user_id).await?;
            return Ok(Page {
                items: vec![me],
                next_cursor: None,
            });
        }
        Ok(self.app.db().list_users(filter, page).await?)
    }

    /// Changes a person. Admins change anything but their own role and active flag;
    /// anyone changes their own contact details; agents and supervisors change a
    /// customer's contact details. Role changes, deactivation and password resets are
    /// audited.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Invalid`, `Conflict` (`email_taken`).
    // Long on purpose: who may change which field, the patch, the staff fields and the
    // audit entries are read in the order they are decided, each step using the last.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        input: UpdateUserInput,
    ) -> Result<User, AppError> {
        let user = self.get_user(actor, id).await?;
        let is_self = actor.user_id == id;
        let admin_only = input.role.is_some()
            || input.tier.is_some()
            || input.group_ids.is_some()
            || input.is_active.is_some()
            || input.password.is_some();
        if !actor.is_admin() {
            if admin_only {
                return Err(AppError::forbidden(
                    "only admins may change roles, tiers, groups, passwords or deactivate people",
                ));
            }
            let may_edit = is_self || (actor.is_staff() && user.role == Role::Customer);
            if !may_edit {
                return Err(AppError::forbidden("you may not change this person"));
            }
            if is_self && !actor.is_staff() && input.organization_id.is_some() {
                return Err(AppError::forbidden(
                    "customers may not change their organization",
                ));
            }
        } else if is_self
            && (input.role.is_some_and(|r| r != user.role) || input.is_active == Some(false))
        {
            return Err(AppError::forbidden(
                "admins may not change their own role or deactivate themselves",
            ));
        }

        let new_role = input.role.unwrap_or(user.role);
        let mut patch = UserPatch {
            email: input
                .email
                .as_deref()
                .map(EmailAddress::parse)
                .transpose()?,
            name: input
                .name
                .as_deref()
                .map(|n| required("name", n, 200))
                .transpose()?,
            role: input.role,
            phone: input
                .phone
                .map(|p| optional("phone", p.as_deref(), 50))
                .transpose()?,
            location: input
                .location
                .map(|l| optional("location", l.as_deref(), 200))
                .transpose()?,
            employee_id: input
                .employee_id
                .map(|e| optional("employee_id", e.as_deref(), 50))
                .transpose()?,
            locale: input.locale.as_deref().map(locale).transpose()?,
            time_zone: input.time_zone.as_deref().map(time_zone).transpose()?,
            is_active: input.is_active,
            ..UserPatch::default()
        };
        if let Some(org) = input.organization_id {
            if let Some(org) = org {
                self.app
                    .db()
                    .get_organization(org)
                    .await
                    .or_not_found("organization", org)?;
            }
            patch.organization_id = Some(org);
        }
        if new_role.is_staff() {
            if let Some(tier) = input.tier {
                patch.tier = Some(Some(Tier::new(tier.unwrap_or(1))?));
            } else if user.tier.is_none() {
                patch.tier = Some(Some(Tier::FIRST));
            }
            if let Some(groups) = input.group_ids {
                self.check_groups(&groups).await?;
                patch.group_ids = Some(groups);
            }
        } else {
            if input.tier.flatten().is_some() {
                return Err(AppError::invalid("tier", "customers have no tier"));
            }
            if input.group_ids.as_ref().is_some_and(|g| !g.is_empty()) {
                return Err(AppError::invalid(
                    "group_ids",
                    "customers belong to no group",
                ));
            }
            if user.tier.is_some() || input.tier.is_some() {
                patch.tier = Some(None);
            }
            if !user.group_ids.is_empty() || input.group_ids.is_some() {
                patch.group_ids = Some(Vec::new());
            }
        }
        let password_hash = match &input.password {
            Some(password) => {
                check_password(password)?;
                Some(crate::hash_password(password).await?)
            }
            None => None,
        };

        let now = self.app.now();
        let email = patch.email.clone().unwrap_or_else(|| user.email.clone());
        let updated =
            self.app
                .db()
                .update_user(id, patch, now)
                .await
                .map_err(|error| match error {
                    StoreError::NotFound { .. } => AppError::not_found("user", id),
                    other => email_taken(other, &email),
                })?;
        if let Some(hash) = password_hash {
            self.app.db().set_password_hash(id, &hash, now).await?;
            self.audit(actor, "password_set", &updated, String::new())
                .await?;
        }
        if updated.role != user.role {
            self.audit(
                actor,
                "role_changed",
                &updated,
                format!("{} -> {}", user.role, updated.role),
            )
            .await?;
        }
        if updated.is_active != user.is_active {
            let action = if updated.is_active {
                "user_activated"
            } else {
                "user_deactivated"
            };
            self.audit(actor, action, &updated, String::new()).await?;
        }
        Ok(updated)
    }

    async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        user: &User,
        detail: String,
    ) -> Result<(), AppError> {
        Ok(self
            .app
            .db()
            .append_audit(NewAuditEntry {
                actor_id: Some(actor.user_id),
                action: action.to_owned(),
                subject: format!("user {} {}", user.id, user.email),
                address: None,
                detail,
                now: self.app.now(),
            })
            .await?)
    }

    /// Finds a person by email, or creates them as a customer (an agent logging a call
    /// from someone not yet in the directory). Staff only.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`.
    pub async fn find_or_create_customer(
        &self,
        actor: &Actor,
        email: &str,
        name: Option<&str>,
    ) -> Result<User, AppError> {
        require_staff(actor, "look up people by email")?;
        let address = EmailAddress::parse(email)?;
        if let Some(user) = self.app.db().find_user_by_email(&address).await? {
            return Ok(user);
        }
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => name.to_owned(),
            None => address
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        let created = self
            .create_user_unchecked(
                Some(actor.user_id),
                CreateUserInput {
                    email: address.to_string(),
                    name,
                    role: Some(Role::Customer),
                    ..CreateUserInput::default()
                },
                None,
            )
            .await;
        match created {
            // Someone created the same person a moment ago: use theirs.
            Err(AppError::Conflict {
                code: "email_taken",
                ..
            }) => self
                .app
                .db()
                .find_user_by_email(&address)
                .await?
                .ok_or_else(|| AppError::not_found("user", address)),
            other => other,
        }
    }
}

/// A member of staff as the access rules see them, from their stored record (staff
/// belong to no customer organization).
pub(crate) fn staff_actor(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        role: user.role,
        group_ids: user.group_ids.clone(),
        organization_id: user.organization_id,
        organization_shares_tickets: false,
    }
}
