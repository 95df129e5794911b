//! Starting a new ticket from a template, on the agent's "new ticket" form and the
//! portal's request form: the picker's entries ([`TemplateChoice`]) and the form's
//! values for `?template=ID` ([`StartFrom`]), rendered server-side so it works
//! without JavaScript. The ticket is then created by the form's normal submit.

use crate::UiState;
use crate::error::PageResult;
use crate::form::FormData;
use crate::session::Viewer;
use ferrodesk_app::AppError;
use ferrodesk_domain::{FieldValue, TicketTemplateId};
use serde::Deserialize;

/// `?template=ID` on a new-ticket form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TemplateQuery {
    pub(crate) template: Option<String>,
}

/// A template in the picker.
pub(crate) struct TemplateChoice {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) description: String,
    /// Whether the form was started from it.
    pub(crate) is_current: bool,
}

impl TemplateChoice {
    /// The templates offered to the viewer, `current` marked.
    pub(crate) async fn offered(
        state: &UiState,
        viewer: &Viewer,
        current: Option<TicketTemplateId>,
    ) -> PageResult<Vec<TemplateChoice>> {
        let templates = state.app.ticket_templates().offered(&viewer.actor).await?;
        Ok(templates
            .into_iter()
            .map(|t| TemplateChoice {
                id: t.id.get(),
                is_current: Some(t.id) == current,
                name: t.spec.name,
                description: t.spec.description,
            })
            .collect())
    }
}

/// What a form started from a template carries besides its inputs.
#[derive(Debug, Default)]
pub(crate) struct StartFrom {
    /// The template it started from.
    pub(crate) current: Option<TicketTemplateId>,
    /// Why the form is plain although a template was asked for.
    pub(crate) notice: Option<&'static str>,
}

/// Shown when `?template=` names no template the viewer may start from.
const UNAVAILABLE: &str =
    "That template is not available. You can fill in the form below without it.";

impl StartFrom {
    /// The form's inputs for `query`: empty without a template, the template's
    /// subject, outline, type, category and priority (as impact and urgency) with one.
    /// An unknown, inactive or not-allowed template gives the plain form and a notice.
    pub(crate) async fn load(
        state: &UiState,
        viewer: &Viewer,
        query: &TemplateQuery,
    ) -> PageResult<(FormData, StartFrom)> {
        let Some(raw) = query.template.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok((FormData::default(), StartFrom::default()));
        };
        let unavailable = StartFrom {
            notice: Some(UNAVAILABLE),
            ..StartFrom::default()
        };
        let Ok(id) = raw.trim().parse::<i64>() else {
            return Ok((FormData::default(), unavailable));
        };
        let templates = state.app.ticket_templates();
        let template = match templates
            .start_from(&viewer.actor, TicketTemplateId(id))
            .await
        {
            Ok(template) => template,
            Err(AppError::NotFound { .. }) => return Ok((FormData::default(), unavailable)),
            Err(other) => return Err(other.into()),
        };
        let spec = &template.spec;
        let mut input = FormData::default();
        input.set("subject", &spec.subject);
        input.set("description", &spec.body);
        if let Some(t) = spec.ticket_type {
            input.set("ticket_type", t.as_str());
        }
        if let Some(c) = spec.category_id {
            input.set("category_id", &c.to_string());
        }
        if let Some((impact, urgency)) = spec.impact_urgency() {
            input.set("impact", impact.as_str());
            input.set("urgency", urgency.as_str());
        }
        // The custom field inputs read `cf.<key>` from the form, a multiple choice as
        // one entry per option; an asset is typed by its tag, which the template does
        // not keep, so it is left for the person to fill.
        for (field, value) in templates.custom_values(&viewer.actor, &template).await? {
            let name = crate::custom_fields::input_name(&field);
            match value {
                FieldValue::Choices(options) => {
                    for option in options {
                        input.push(&name, &option);
                    }
                }
                FieldValue::Asset(_) => {}
                other => input.push(&name, &other.to_stored()),
            }
        }
        Ok((
            input,
            StartFrom {
                current: Some(template.id),
                notice: None,
            },
        ))
    }
}
