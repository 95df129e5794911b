//! Entry points for the command line and first start. They act as the desk itself (no
//! signed-in person), so they skip permission checks; the audit log records them with
//! no actor.

use crate::directory::CreateUserInput;
use crate::{App, AppError};
use ferrodesk_domain::{EmailAddress, Role, User};

/// The admin created on first start; print the password once.
#[derive(Debug, Clone)]
pub struct FirstAdmin {
    /// The sign-in.
    pub email: EmailAddress,
    /// The generated password.
    pub password: String,
}

/// A person to create from the command line: groups and organization by name.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `customer`, `agent`, `supervisor` or `admin`.
    pub role: String,
    /// Staff tier, 1-3.
    pub tier: Option<i64>,
    /// Groups to join, by name (or by numeric id when no group has that name).
    pub groups: Vec<String>,
    /// A customer's organization, by name.
    pub organization: Option<String>,
    /// Password; the person cannot sign in with a password without one.
    pub password: Option<String>,
}

impl App {
    /// Creates the first admin when the desk has no people yet, with a random password
    /// to print once. Returns `None` when people exist (or another node won the race).
    ///
    /// # Errors
    /// `Unavailable`, `Internal`.
    pub async fn ensure_first_admin(&self) -> Result<Option<FirstAdmin>, AppError> {
        if self.db().count_users().await? > 0 {
            return Ok(None);
        }
        let password = crate::secret::random_password();
        let created = self
            .directory()
            .create_user_unchecked(
                None,
                CreateUserInput {
                    email: self.config().first_admin_email.clone(),
                    name: "Administrator".into(),
                    role: Some(Role::Admin),
                    password: Some(password.clone()),
                    ..CreateUserInput::default()
                },
                None,
            )
            .await;
        match created {
            Ok(user) => Ok(Some(FirstAdmin {
                email: user.email,
                password,
            })),
            Err(AppError::Conflict { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Creates a person from the command line (`ferrodesk users add`). Audited with no
    /// actor.
    ///
    /// # Errors
    /// `Invalid` (role, email, tier, password), `NotFound` for an unknown group or
    /// organization name, `Conflict` when the email is taken.
    pub async fn add_user_as_system(&self, input: NewUserInput) -> Result<User, AppError> {
        let role =
            Role::parse(input.role.trim()).map_err(|e| AppError::invalid("role", e.message))?;
        let directory = self.directory();
        let mut group_ids = Vec::with_capacity(input.groups.len());
        for name in &input.groups {
            let group = match directory.group_by_name(name).await {
                Ok(group) => group,
                Err(not_found @ AppError::NotFound { .. }) => match name.trim().parse::<i64>() {
                    Ok(id) => {
                        let id = ferrodesk_domain::GroupId(id);
                        self.db().get_group(id).await.map_err(|_| not_found)?
                    }
                    Err(_) => return Err(not_found),
                },
                Err(other) => return Err(other),
            };
            group_ids.push(group.id);
        }
        let organization_id = match &input.organization {
            Some(name) => Some(directory.organization_by_name(name).await?.id),
            None => None,
        };
        directory
            .create_user_unchecked(
                None,
                CreateUserInput {
                    email: input.email,
                    name: input.name,
                    role: Some(role),
                    organization_id,
                    tier: input.tier,
                    group_ids,
                    password: input.password,
                    ..CreateUserInput::default()
                },
                None,
            )
            .await
    }

    /// Creates an API token for the person with `email` (`ferrodesk tokens create`) and
    /// returns the secret. Audited with no actor.
    ///
    /// # Errors
    /// `NotFound` for an unknown email, `Invalid` for a blank name.
    pub async fn create_token_as_system(
        &self,
        email: &str,
        name: &str,
    ) -> Result<String, AppError> {
        let address = EmailAddress::parse(email)?;
        let user = self
            .db()
            .find_user_by_email(&address)
            .await?
            .ok_or_else(|| AppError::not_found("user", &address))?;
        let (_, secret) = self
            .auth()
            .create_token_unchecked(None, user.id, name, None)
            .await?;
        Ok(secret)
    }
}
