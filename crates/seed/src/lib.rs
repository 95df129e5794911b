//! Realistic sample data: the desk `ferrodesk serve --demo` starts with, and the
//! million-ticket desk the bench tool measures.
//!
//! The generator writes through the [`Store`] interface only (the directory through the
//! ordinary create calls, tickets through [`Store::bulk_create_tickets`]), so what it
//! produces is exactly what the desk itself would have stored. It is deterministic for
//! a given seed, and skewed like a real desk: a few problems (passwords, printers,
//! email) make up most tickets, most old tickets are closed, recent ones are still
//! being worked, and a share of requests arrive in the requesters' own languages.

mod articles;
pub use articles::sample_count as sample_article_count;
mod catalog;
mod custom_fields;
mod macros;
mod notifications;
mod presence;
mod queue_filters;
mod ticket_templates;
mod time_entries;
mod vendors;

use catalog::{PROBLEMS, Problem};
use ferrodesk_domain::{
    CallDirection, CategoryId, Channel, EmailAddress, EscalationKind, EventKind, GroupId, Impact,
    NewEvent, OrganizationId, Priority, Role, ServiceId, Ticket, TicketId, TicketStatus,
    TicketType, Tier, Urgency, UserId, Visibility,
};
use ferrodesk_store::{
    NewCategory, NewGroup, NewOrganization, NewService, NewUser, Store, StoreError,
};
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// What went wrong while seeding.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store refused a write.
    #[error("storing sample data failed: {0}")]
    Store(#[from] StoreError),
    /// The desk already has tickets; sample data only goes into an empty desk.
    #[error("the desk already has data; sample data is only added to an empty desk")]
    NotEmpty,
    /// A generated value did not validate.
    #[error("invalid sample value: {0}")]
    Invalid(#[from] ferrodesk_domain::InvalidValue),
}

/// How much to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Tickets to create.
    pub tickets: usize,
    /// Customers to create (spread over the organizations).
    pub customers: usize,
    /// Tickets are spread over this many days before `now`.
    pub days: i64,
    /// The present, for "created 3 days ago".
    pub now: Timestamp,
    /// Password hash given to every sample person, so they can sign in.
    pub password_hash: Option<String>,
    /// Seed for the random choices; the same seed gives the same desk.
    pub rng_seed: u64,
    /// Tickets per bulk write.
    pub batch_size: usize,
    /// Generated knowledge-base articles, besides the hand-written ones in every
    /// language.
    pub articles: usize,
}

impl SeedOptions {
    /// A demo desk: a few hundred tickets over two months.
    pub fn demo(now: Timestamp, password_hash: Option<String>) -> Self {
        SeedOptions {
            tickets: 400,
            customers: 60,
            days: 60,
            now,
            password_hash,
            rng_seed: 42,
            batch_size: 500,
            articles: 0,
        }
    }
}

/// The people and structure the tickets refer to.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Customer organizations.
    pub organizations: Vec<OrganizationId>,
    /// Groups by name.
    pub groups: HashMap<&'static str, GroupId>,
    /// Staff: id, tier, groups.
    pub agents: Vec<(UserId, Tier, Vec<GroupId>)>,
    /// The supervisor.
    pub supervisor: Option<UserId>,
    /// Customers with their organization.
    pub customers: Vec<(UserId, OrganizationId)>,
    /// Categories by path ("Hardware/Printer").
    pub categories: HashMap<&'static str, CategoryId>,
    /// Services by name.
    pub services: HashMap<&'static str, ServiceId>,
}

/// What was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    /// People created (staff and customers).
    pub people: usize,
    /// Tickets created.
    pub tickets: usize,
    /// Knowledge-base articles created.
    pub articles: usize,
}

/// Fills an empty desk with an organization, staff in tiers 1-3, customers and tickets.
///
/// # Errors
/// [`SeedError::NotEmpty`] when tickets exist already; [`SeedError::Store`] on a
/// refused write.
pub async fn seed(store: &dyn Store, options: &SeedOptions) -> Result<SeedSummary, SeedError> {
    let existing = store
        .list_tickets(&ferrodesk_domain::TicketScope::All, &Default::default())
        .await?;
    if !existing.items.is_empty() {
        return Err(SeedError::NotEmpty);
    }
    let directory = seed_directory(store, options).await?;
    let tickets = seed_tickets(store, &directory, options).await?;
    let articles =
        articles::seed_articles(store, &directory, options.articles, options.now).await?;
    notifications::seed_notifications(store, &directory, options.now).await?;
    vendors::seed_vendors(store, options.now).await?;
    macros::seed_macros(store, options.now).await?;
    custom_fields::seed_custom_fields(store, options.now).await?;
    ticket_templates::seed_ticket_templates(store, &directory, options.now).await?;
    presence::seed_presence(store, &directory, options.now).await?;
    time_entries::seed_time_entries(store, &directory, options.now).await?;
    queue_filters::seed_queue_filters(store, &directory, options.now).await?;
    Ok(SeedSummary {
        people: directory.agents.len() + directory.customers.len() + 1,
        tickets,
        articles,
    })
}

/// The staff of the sample desk: name, email local part, tier, groups.
const STAFF: &[(&str, &str, i64, &[&str])] = &[
    ("Ana Souza", "ana.souza", 1, &["Service Desk"]),
    ("Ola Nordmann", "ola.nordmann", 1, &["Service Desk"]),
    ("Kovács Eszter", "eszter.kovacs", 1, &["Service Desk"]),
    (
        "Marta Nowak",
        "marta.nowak",
        1,
        &["Service Desk", "Field Support"],
    ),
    (
        "Lucía Fernández",
        "lucia.fernandez",
        2,
        &["Desktop Support"],
    ),
    (
        "Jonas Berg",
        "jonas.berg",
        2,
        &["Desktop Support", "Field Support"],
    ),
    (
        "Priya Raman",
        "priya.raman",
        2,
        &["Network & Infrastructure"],
    ),
    (
        "Tomasz Wiśniewski",
        "tomasz.wisniewski",
        2,
        &["Business Applications"],
    ),
    (
        "Nagy Péter",
        "peter.nagy",
        3,
        &["Network & Infrastructure", "Specialists"],
    ),
    (
        "Ingrid Dahl",
        "ingrid.dahl",
        3,
        &["Business Applications", "Specialists"],
    ),
];

/// Groups: name, tier, description, escalation target.
const GROUPS: &[(&str, i64, &str, Option<&str>)] = &[
    (
        "Specialists",
        3,
        "Third line: architects and vendor liaison",
        None,
    ),
    (
        "Desktop Support",
        2,
        "Second line: laptops, desktops, printers, phones",
        Some("Specialists"),
    ),
    (
        "Network & Infrastructure",
        2,
        "Second line: network, VPN, Wi-Fi, servers",
        Some("Specialists"),
    ),
    (
        "Business Applications",
        2,
        "Second line: ERP, email, office software",
        Some("Specialists"),
    ),
    (
        "Field Support",
        2,
        "Second line: on-site visits and hardware swaps",
        Some("Specialists"),
    ),
    (
        "Service Desk",
        1,
        "First line: every request lands here first",
        Some("Desktop Support"),
    ),
];

const ORGANIZATIONS: &[(&str, bool)] = &[
    ("Nordlys Logistics", true),
    ("Aurora Clinics", false),
    ("Tejo Engineering", true),
];

const FIRST_NAMES: &[&str] = &[
    "Maria",
    "João",
    "Kari",
    "Lars",
    "Zsófia",
    "Bence",
    "Agnieszka",
    "Piotr",
    "Carmen",
    "Diego",
    "Emma",
    "Noah",
    "Sofia",
    "Liam",
    "Helga",
    "Anders",
    "Réka",
    "Kasia",
    "Pablo",
    "Inês",
];
const LAST_NAMES: &[&str] = &[
    "Silva",
    "Hansen",
    "Tóth",
    "Kowalski",
    "García",
    "Johansen",
    "Szabó",
    "Lewandowska",
    "Martínez",
    "Pereira",
    "Olsen",
    "Horváth",
    "Zieliński",
    "López",
    "Costa",
    "Larsen",
];

/// Creates organizations, groups, categories, services, staff and customers.
///
/// # Errors
/// [`SeedError::Store`] when a write is refused (for example a name already in use).
pub async fn seed_directory(
    store: &dyn Store,
    options: &SeedOptions,
) -> Result<Directory, SeedError> {
    let now = options.now;
    let mut directory = Directory::default();
    let tier = |n: i64| Tier::new(n).unwrap_or(Tier::FIRST);

    for (name, shares) in ORGANIZATIONS {
        let org = store
            .create_organization(NewOrganization {
                name: (*name).to_owned(),
                shares_tickets: *shares,
                now,
            })
            .await?;
        directory.organizations.push(org.id);
    }
    for (name, group_tier, description, escalates_to) in GROUPS {
        let group = store
            .create_group(NewGroup {
                name: (*name).to_owned(),
                tier: tier(*group_tier),
                description: (*description).to_owned(),
                escalates_to: escalates_to.and_then(|target| directory.groups.get(target).copied()),
                now,
            })
            .await?;
        directory.groups.insert(name, group.id);
    }
    for path in catalog::CATEGORIES {
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (directory.categories.get(parent).copied(), name),
            None => (None, *path),
        };
        let category = store
            .create_category(NewCategory {
                name: name.to_owned(),
                parent_id: parent,
                now,
            })
            .await?;
        directory.categories.insert(path, category.id);
    }
    for (name, description, group, hours) in catalog::SERVICES {
        let service = store
            .create_service(NewService {
                name: (*name).to_owned(),
                description: (*description).to_owned(),
                owner_group_id: directory.groups.get(group).copied(),
                support_hours: (*hours).to_owned(),
                is_supported: true,
                end_of_support: None,
                now,
            })
            .await?;
        directory.services.insert(name, service.id);
    }

    let person = |email: &str, name: &str, role: Role| -> Result<NewUser, SeedError> {
        Ok(NewUser {
            email: EmailAddress::parse(email)?,
            name: name.to_owned(),
            role,
            organization_id: None,
            phone: None,
            location: None,
            employee_id: None,
            locale: "en".to_owned(),
            time_zone: "Europe/Oslo".to_owned(),
            tier: None,
            group_ids: vec![],
            password_hash: options.password_hash.clone(),
            now,
        })
    };
    let supervisor = store
        .create_user(person(
            "supervisor@ferrodesk.example",
            "Sigrid Moe",
            Role::Supervisor,
        )?)
        .await?;
    directory.supervisor = Some(supervisor.id);
    for (name, local, staff_tier, groups) in STAFF {
        let mut new = person(&format!("{local}@ferrodesk.example"), name, Role::Agent)?;
        new.tier = Some(tier(*staff_tier));
        new.group_ids = groups
            .iter()
            .filter_map(|g| directory.groups.get(g).copied())
            .collect();
        let agent = store.create_user(new).await?;
        directory
            .agents
            .push((agent.id, tier(*staff_tier), agent.group_ids.clone()));
    }

    let mut rng = StdRng::seed_from_u64(options.rng_seed);
    let domains = ["nordlys.example", "aurora-clinics.example", "tejo.example"];
    let locales = ["en", "pt", "nb", "hu", "pl", "es"];
    for index in 0..options.customers {
        let org_index = index % directory.organizations.len().max(1);
        let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        let local = format!("{}.{}{}", ascii_fold(first), ascii_fold(last), index + 1);
        let mut new = person(
            &format!("{local}@{}", domains[org_index % domains.len()]),
            &format!("{first} {last}"),
            Role::Customer,
        )?;
        new.organization_id = directory.organizations.get(org_index).copied();
        new.phone = Some(format!(
            "+47 {:03} {:02} {:03}",
            400 + index % 500,
            index % 97,
            (index * 7) % 1000
        ));
        new.location = Some(format!(
            "Building {}, floor {}",
            ["A", "B", "C"][index % 3],
            1 + index % 6
        ));
        new.employee_id = Some(format!("E{:05}", 1000 + index));
        new.locale = locales[rng.random_range(0..locales.len())].to_owned();
        let customer = store.create_user(new).await?;
        if let Some(org) = customer.organization_id {
            directory.customers.push((customer.id, org));
        }
    }
    Ok(directory)
}

/// Lowercase ASCII for email local parts ("Zsófia" → "zsofia").
fn ascii_fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let folded = match c {
                'á' | 'à' | 'ã' | 'â' | 'Á' => 'a',
                'é' | 'ê' | 'É' => 'e',
                'í' | 'Í' => 'i',
                'ó' | 'ö' | 'ő' | 'ô' | 'õ' | 'Ó' => 'o',
                'ú' | 'ü' | 'ű' | 'Ú' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                'ś' | 'Ś' => 's',
                'ł' | 'Ł' => 'l',
                'ń' => 'n',
                'ż' | 'ź' | 'Ż' => 'z',
                'ę' => 'e',
                'ą' => 'a',
                'ø' | 'Ø' => 'o',
                'å' | 'Å' | 'æ' => 'a',
                other => other,
            };
            folded
                .is_ascii_alphanumeric()
                .then(|| folded.to_ascii_lowercase())
        })
        .collect()
}

/// Creates `options.tickets` tickets with realistic timelines, in bulk batches.
///
/// # Errors
/// [`SeedError::Store`] when a batch is refused.
pub async fn seed_tickets(
    store: &dyn Store,
    directory: &Directory,
    options: &SeedOptions,
) -> Result<usize, SeedError> {
    let mut rng = StdRng::seed_from_u64(options.rng_seed ^ 0x5eed);
    let total_weight: u32 = PROBLEMS.iter().map(|p| p.weight).sum();
    let mut created = 0;
    let mut batch = Vec::with_capacity(options.batch_size);
    for _ in 0..options.tickets {
        batch.push(generate_ticket(&mut rng, directory, options, total_weight));
        if batch.len() >= options.batch_size.max(1) {
            created += store
                .bulk_create_tickets(std::mem::take(&mut batch))
                .await?
                .len();
        }
    }
    if !batch.is_empty() {
        created += store.bulk_create_tickets(batch).await?.len();
    }
    tracing::debug!(created, "sample tickets stored");
    Ok(created)
}

fn pick_problem(rng: &mut StdRng, total_weight: u32) -> &'static Problem {
    let mut roll = rng.random_range(0..total_weight.max(1));
    for problem in PROBLEMS {
        if roll < problem.weight {
            return problem;
        }
        roll -= problem.weight;
    }
    &PROBLEMS[0]
}

fn minutes(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

/// One ticket and its timeline, consistent with each other: the events replay to the
/// ticket's final state.
fn generate_ticket(
    rng: &mut StdRng,
    directory: &Directory,
    options: &SeedOptions,
    total_weight: u32,
) -> (Ticket, Vec<NewEvent>) {
    let problem = pick_problem(rng, total_weight);
    let age_minutes = rng.random_range(10..(options.days.max(1) * 24 * 60));
    let created_at = options.now - minutes(age_minutes);
    let (requester, organization) = directory
        .customers
        .get(rng.random_range(0..directory.customers.len().max(1)))
        .copied()
        .unwrap_or((UserId(0), OrganizationId(0)));
    let language = if rng.random_ratio(1, 5) {
        rng.random_range(0..problem.translations.len().max(1))
    } else {
        usize::MAX
    };
    let (subject, description) = match problem.translations.get(language) {
        Some((_, subject, description)) => (subject.to_string(), description.to_string()),
        None => (problem.subject.to_owned(), problem.description.to_owned()),
    };
    let channel = [
        Channel::Email,
        Channel::Email,
        Channel::Portal,
        Channel::Phone,
        Channel::WalkIn,
        Channel::Chat,
    ][rng.random_range(0..6)];
    let impact = if rng.random_ratio(1, 40) {
        Impact::Organization
    } else if rng.random_ratio(1, 6) {
        Impact::Department
    } else {
        Impact::Individual
    };
    let urgency = [
        Urgency::High,
        Urgency::Medium,
        Urgency::Medium,
        Urgency::Low,
    ][rng.random_range(0..4)];
    let status = pick_status(rng, age_minutes);
    let first_line = directory.groups.get("Service Desk").copied();
    let escalated = status != TicketStatus::New && rng.random_ratio(1, 4);
    let second_line = directory.groups.get(problem.group).copied();
    let group_id = if escalated { second_line } else { first_line };
    let tier = if escalated {
        Tier::new(2).unwrap_or(Tier::FIRST)
    } else {
        Tier::FIRST
    };
    let working_agents: Vec<UserId> = directory
        .agents
        .iter()
        .filter(|(_, _, groups)| group_id.is_some_and(|g| groups.contains(&g)))
        .map(|(id, _, _)| *id)
        .collect();
    let first_line_agents: Vec<UserId> = directory
        .agents
        .iter()
        .filter(|(_, t, _)| *t == Tier::FIRST)
        .map(|(id, _, _)| *id)
        .collect();
    let owner = pick(rng, &first_line_agents);
    let assignee = if status == TicketStatus::New {
        None
    } else {
        pick(rng, &working_agents).or(owner)
    };

    let mut events = Vec::new();
    let mut at = created_at;
    let requester_event =
        |kind: EventKind, at: Timestamp| NewEvent::new(kind, Some(requester), channel, at);
    let staff_event = |kind: EventKind, actor: Option<UserId>, at: Timestamp| {
        NewEvent::new(kind, actor, Channel::Agent, at)
    };
    events.push(requester_event(
        EventKind::Created {
            subject: subject.clone(),
        },
        at,
    ));
    match channel {
        Channel::Phone => events.push(staff_event(
            EventKind::Call {
                direction: CallDirection::Inbound,
                number: Some(format!(
                    "+47 22 {:02} {:02} {:02}",
                    rng.random_range(0..100),
                    rng.random_range(0..100),
                    rng.random_range(0..100)
                )),
                duration_seconds: rng.random_range(60..900),
                body: format!("Caller reports: {description}"),
            },
            owner,
            at,
        )),
        Channel::WalkIn => events.push(staff_event(
            EventKind::WalkIn {
                location: Some("Service desk counter, building A".to_owned()),
                body: format!("Visitor reports: {description}"),
            },
            owner,
            at,
        )),
        _ => {}
    }

    let mut first_response_at = None;
    let mut resolved_at = None;
    let mut closed_at = None;
    let mut current = TicketStatus::New;
    if status != TicketStatus::New {
        at += minutes(rng.random_range(3..240));
        events.push(staff_event(
            EventKind::StatusChanged {
                from: current,
                to: TicketStatus::Open,
            },
            owner,
            at,
        ));
        current = TicketStatus::Open;
        events.push(staff_event(
            EventKind::Reply {
                body: problem.first_reply.to_owned(),
            },
            owner,
            at,
        ));
        first_response_at = Some(at);
        if rng.random_ratio(1, 3) {
            at += minutes(rng.random_range(5..120));
            events.push(NewEvent {
                visibility: Visibility::Internal,
                ..staff_event(
                    EventKind::Note {
                        body: problem.note.to_owned(),
                    },
                    owner,
                    at,
                )
            });
        }
        if escalated {
            at += minutes(rng.random_range(10..600));
            events.push(staff_event(
                EventKind::Escalated {
                    kind: EscalationKind::Functional,
                    from_group: first_line,
                    to_group: group_id,
                    from_tier: 1,
                    to_tier: 2,
                    reason: "Needs second-line access to fix".to_owned(),
                    external_ref: None,
                },
                owner,
                at,
            ));
        }
        if rng.random_ratio(1, 2) {
            at += minutes(rng.random_range(10..900));
            events.push(requester_event(
                EventKind::Reply {
                    body: "Thanks, it still happens this morning.".to_owned(),
                },
                at,
            ));
            at += minutes(rng.random_range(5..300));
            events.push(staff_event(
                EventKind::Reply {
                    body: "Understood, we are looking into it and will update you today."
                        .to_owned(),
                },
                assignee,
                at,
            ));
        }
        if status.is_pending() {
            at += minutes(rng.random_range(5..300));
            events.push(staff_event(
                EventKind::StatusChanged {
                    from: current,
                    to: status,
                },
                assignee,
                at,
            ));
            current = status;
        }
        if matches!(status, TicketStatus::Resolved | TicketStatus::Closed) {
            at += minutes(rng.random_range(10..2000));
            events.push(staff_event(
                EventKind::Reply {
                    body: problem.resolution.to_owned(),
                },
                assignee,
                at,
            ));
            events.push(staff_event(
                EventKind::StatusChanged {
                    from: current,
                    to: TicketStatus::Resolved,
                },
                assignee,
                at,
            ));
            current = TicketStatus::Resolved;
            resolved_at = Some(at);
            if status == TicketStatus::Closed {
                at += minutes(3 * 24 * 60);
                events.push(NewEvent::new(
                    EventKind::StatusChanged {
                        from: current,
                        to: TicketStatus::Closed,
                    },
                    None,
                    Channel::Agent,
                    at,
                ));
                closed_at = Some(at);
            }
        }
    }
    // Timelines of recent tickets must not run into the future.
    let updated_at = at.min(options.now);
    for event in &mut events {
        event.created_at = event.created_at.min(options.now);
    }
    let closed_at = closed_at.map(|t| t.min(options.now));

    let ticket = Ticket {
        id: TicketId(0),
        version: 1,
        subject,
        description,
        ticket_type: problem.ticket_type,
        status,
        impact,
        urgency,
        priority: Priority::from_matrix(impact, urgency),
        priority_reason: None,
        category_id: directory.categories.get(problem.category).copied(),
        service_id: problem
            .service
            .and_then(|s| directory.services.get(s).copied()),
        location: Some(format!(
            "Building {}, floor {}",
            ["A", "B", "C"][rng.random_range(0..3)],
            rng.random_range(1..7)
        )),
        device: problem
            .device
            .map(|d| format!("{d}-{:04}", rng.random_range(1..3000))),
        requester_id: requester,
        organization_id: Some(organization),
        channel,
        group_id,
        tier,
        owner_id: owner,
        assignee_id: assignee,
        tags: problem.tags.iter().map(|t| (*t).to_owned()).collect(),
        escalation_level: i64::from(escalated),
        external_ref: None,
        merged_into: None,
        created_at,
        updated_at,
        first_response_at,
        resolved_at,
        closed_at,
    };
    (ticket, events)
}

fn pick(rng: &mut StdRng, from: &[UserId]) -> Option<UserId> {
    (!from.is_empty()).then(|| from[rng.random_range(0..from.len())])
}

/// Old tickets are mostly closed; recent ones are spread over the working statuses.
fn pick_status(rng: &mut StdRng, age_minutes: i64) -> TicketStatus {
    use TicketStatus::*;
    let roll = rng.random_range(0..100);
    if age_minutes > 10 * 24 * 60 {
        match roll {
            0..=84 => Closed,
            85..=94 => Resolved,
            95..=97 => Open,
            _ => PendingVendor,
        }
    } else {
        match roll {
            0..=14 => New,
            15..=44 => Open,
            45..=54 => PendingCustomer,
            55..=59 => PendingVendor,
            60..=62 => PendingScheduled,
            63..=87 => Resolved,
            _ => Closed,
        }
    }
}

/// The ticket types the generator uses, exposed for tests of the catalog.
pub fn ticket_types_in_catalog() -> Vec<TicketType> {
    let mut types: Vec<TicketType> = PROBLEMS.iter().map(|p| p.ticket_type).collect();
    types.sort_by_key(|t| t.as_str());
    types.dedup();
    types
}
