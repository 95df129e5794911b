//! Results respect permissions exactly as the API does.

use ferrodesk_domain::{
    Actor, Channel, GroupId, Impact, OrganizationId, Priority, Role, Ticket, TicketId,
    TicketStatus, TicketType, Tier, Urgency, UserId, Visibility,
};
use ferrodesk_search::{
    ArticleDoc, ArticleStatus, AssetDoc, DocKey, Document, Language, PersonDoc, SearchRequest,
    SearchScope, SnippetSource, TicketDoc,
};

use crate::support::{
    REQUESTER, actor, admin, agent, article, customer, found, index_with, requester, search, t,
    ticket,
};

#[test]
fn a_customer_never_finds_another_customers_ticket() {
    let mut other = ticket(10002, "printer offline", "");
    other.requester_id = UserId(501);
    let index = index_with([
        Document::from(ticket(10001, "printer offline", "")),
        other.into(),
    ]);
    assert_eq!(found(&index, &requester(), "printer"), vec![t(10001)]);
    assert_eq!(search(&index, &requester(), "printer").total, 1);
    assert_eq!(search(&index, &customer(501, false), "printer").total, 1);
    assert_eq!(search(&index, &customer(502, false), "printer").total, 0);
}

#[test]
fn a_customer_finds_colleagues_tickets_only_when_the_organization_shares_them() {
    let index = index_with([Document::from(ticket(10001, "printer offline", ""))]);
    assert!(found(&index, &customer(502, false), "printer").is_empty());
    assert_eq!(
        found(&index, &customer(502, true), "printer"),
        vec![t(10001)]
    );
}

#[test]
fn a_customer_finds_the_public_article_and_an_agent_finds_both() {
    let public = article(1, "Reset your VPN password", "");
    let internal = ArticleDoc {
        visibility: Visibility::Internal,
        ..article(2, "VPN concentrator failover runbook", "")
    };
    let index = index_with([Document::from(public), internal.into()]);
    assert_eq!(found(&index, &requester(), "vpn"), vec![DocKey::article(1)]);
    let mut staff = found(&index, &agent(100, &[1]), "vpn");
    staff.sort();
    assert_eq!(staff, vec![DocKey::article(1), DocKey::article(2)]);
}

#[test]
fn a_customer_never_finds_drafts_or_archived_articles_but_staff_do() {
    let draft = ArticleDoc {
        status: ArticleStatus::Draft,
        ..article(1, "VPN setup", "")
    };
    let archived = ArticleDoc {
        status: ArticleStatus::Archived,
        ..article(2, "VPN setup (old client)", "")
    };
    let index = index_with([Document::from(draft), archived.into()]);
    assert!(found(&index, &requester(), "vpn").is_empty());
    assert_eq!(search(&index, &agent(100, &[]), "vpn").total, 2);
}

#[test]
fn a_word_only_in_an_internal_note_finds_nothing_for_the_customer() {
    let mut own = ticket(10001, "printer offline", "It stopped this morning");
    own.internal_notes = vec!["Firmware bug, vendor case 4471 with Kyocera".into()];
    let index = index_with([Document::from(own)]);

    assert!(found(&index, &requester(), "kyocera").is_empty());
    assert!(
        found(&index, &requester(), "kyocra").is_empty(),
        "not even with a typo"
    );
    assert!(
        found(&index, &requester(), "kyo*").is_empty(),
        "nor as a prefix"
    );
    assert!(found(&index, &requester(), r#""vendor case""#).is_empty());

    let hit = search(&index, &agent(100, &[1]), "kyocera").hits.remove(0);
    assert_eq!(hit.snippet_source, SnippetSource::InternalNote);
    assert!(hit.snippet_html.contains("<mark>Kyocera</mark>"));
}

#[test]
fn a_customers_snippet_never_quotes_an_internal_note() {
    let mut own = ticket(10001, "printer offline", "");
    own.internal_notes = vec!["printer printer printer: firmware bug, blame the vendor".into()];
    let index = index_with([Document::from(own)]);
    let hit = search(&index, &requester(), "printer").hits.remove(0);
    assert_eq!(hit.snippet_source, SnippetSource::Body);
    assert!(!hit.snippet_html.contains("vendor"), "{}", hit.snippet_html);
}

#[test]
fn excluding_a_word_of_an_internal_note_reveals_nothing_to_a_customer() {
    let mut own = ticket(10001, "printer offline", "");
    own.internal_notes = vec!["kyocera firmware".into()];
    let index = index_with([Document::from(own)]);
    assert_eq!(
        found(&index, &requester(), "printer -kyocera"),
        vec![t(10001)]
    );
    assert!(found(&index, &agent(100, &[1]), "printer -kyocera").is_empty());
}

#[test]
fn an_agent_finds_tickets_of_their_groups_and_those_assigned_to_or_owned_by_them() {
    let in_group = ticket(10001, "printer offline", "");
    let mut elsewhere = ticket(10002, "printer offline", "");
    elsewhere.group_id = Some(GroupId(2));
    let mut assigned = elsewhere.clone();
    assigned.id = TicketId(10003);
    assigned.assignee_id = Some(UserId(100));
    let mut owned = elsewhere.clone();
    owned.id = TicketId(10004);
    owned.owner_id = Some(UserId(100));
    let mut no_group = elsewhere.clone();
    no_group.id = TicketId(10005);
    no_group.group_id = None;
    let index = index_with([
        Document::from(in_group),
        elsewhere.into(),
        assigned.into(),
        owned.into(),
        no_group.into(),
    ]);

    let mut mine = found(&index, &agent(100, &[1]), "printer");
    mine.sort();
    assert_eq!(mine, vec![t(10001), t(10003), t(10004)]);
    assert!(found(&index, &agent(101, &[3]), "printer").is_empty());
    assert_eq!(search(&index, &admin(), "printer").total, 5);
    let supervisor = SearchScope::for_actor(&actor(Role::Supervisor, 2, &[]));
    assert_eq!(search(&index, &supervisor, "printer").total, 5);
}

#[test]
fn an_agents_scope_holds_in_every_segment_even_one_without_tickets() {
    // Each batch is a commit of its own and a segment of its own: the scope is tested on
    // each segment's own values, and a segment may hold no ticket, or no owner at all.
    let index = index_with([Document::from(article(1, "Printer driver install", ""))]);
    let mut elsewhere = ticket(10002, "printer offline", "");
    elsewhere.group_id = Some(GroupId(2));
    let mut batch = ferrodesk_search::Batch::new();
    batch.upsert(ticket(10001, "printer offline", ""));
    batch.upsert(elsewhere.clone());
    index.apply(batch).expect("second segment");
    let mut owned = elsewhere;
    owned.id = TicketId(10003);
    owned.owner_id = Some(UserId(100));
    let mut batch = ferrodesk_search::Batch::new();
    batch.upsert(owned);
    index.apply(batch).expect("third segment");

    let mut mine = found(&index, &agent(100, &[1]), "printer");
    mine.sort();
    assert_eq!(mine, vec![t(10001), t(10003), DocKey::article(1)]);
    let mut theirs = found(&index, &agent(101, &[2]), "printer");
    theirs.sort();
    assert_eq!(theirs, vec![t(10002), t(10003), DocKey::article(1)]);
    assert_eq!(search(&index, &admin(), "printer").total, 4);
}

#[test]
fn the_scope_agrees_with_the_domain_rules_for_every_ticket_and_actor() {
    // The same tickets through `Actor::can_view` and through the index.
    let tickets: Vec<Ticket> = [
        (Some(1), 500, Some(7), None, None),
        (Some(2), 500, Some(7), None, None),
        (Some(2), 501, Some(7), Some(100), None),
        (None, 502, Some(8), None, Some(100)),
        (Some(3), 503, None, None, None),
        (Some(1), 501, Some(8), None, None),
        (None, 504, Some(7), None, None),
    ]
    .into_iter()
    .enumerate()
    .map(
        |(n, (group, requester, organization, assignee, owner))| Ticket {
            id: TicketId(10001 + n as i64),
            group_id: group.map(GroupId),
            requester_id: UserId(requester),
            organization_id: organization.map(OrganizationId),
            assignee_id: assignee.map(UserId),
            owner_id: owner.map(UserId),
            ..domain_ticket()
        },
    )
    .collect();
    let index = index_with(tickets.iter().map(|ticket| {
        Document::from(TicketDoc::from_ticket(
            ticket,
            Vec::new(),
            Vec::new(),
            Language::English,
        ))
    }));
    let actors = [
        actor(Role::Agent, 100, &[1]),
        actor(Role::Agent, 101, &[2, 3]),
        actor(Role::Agent, 102, &[]),
        actor(Role::Supervisor, 2, &[]),
        actor(Role::Admin, 3, &[]),
        actor(Role::Customer, 500, &[]),
        actor(Role::Customer, 504, &[]),
        Actor {
            organization_shares_tickets: true,
            ..actor(Role::Customer, 501, &[])
        },
        Actor {
            organization_id: None,
            organization_shares_tickets: true,
            ..actor(Role::Customer, 503, &[])
        },
    ];
    for who in actors {
        let mut expected: Vec<DocKey> = tickets
            .iter()
            .filter(|ticket| who.can_view(ticket))
            .map(|ticket| DocKey::ticket(ticket.id))
            .collect();
        expected.sort();
        let mut actual = found(&index, &SearchScope::for_actor(&who), "printer");
        actual.sort();
        assert_eq!(actual, expected, "{who:?}");
        // An empty query lists newest first, unscored: the scope holds there too.
        let mut listed = found(&index, &SearchScope::for_actor(&who), "");
        listed.sort();
        assert_eq!(listed, expected, "{who:?}, empty query");
    }
}

/// A domain ticket about a printer.
fn domain_ticket() -> Ticket {
    let epoch = jiff::Timestamp::UNIX_EPOCH;
    Ticket {
        id: TicketId(10001),
        version: 1,
        subject: "Printer jams".into(),
        description: String::new(),
        ticket_type: TicketType::Incident,
        status: TicketStatus::Open,
        impact: Impact::Individual,
        urgency: Urgency::Medium,
        priority: Priority::from_matrix(Impact::Individual, Urgency::Medium),
        priority_reason: None,
        category_id: None,
        service_id: None,
        location: None,
        device: None,
        requester_id: UserId(1),
        organization_id: None,
        channel: Channel::Email,
        group_id: None,
        tier: Tier::FIRST,
        owner_id: None,
        assignee_id: None,
        tags: vec![],
        escalation_level: 0,
        external_ref: None,
        merged_into: None,
        created_at: epoch,
        updated_at: epoch,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
    }
}

#[test]
fn customers_find_no_people_and_only_their_own_assets() {
    let person = PersonDoc {
        id: UserId(600),
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        role: Role::Customer,
        organization_id: None,
        organization_name: Some("Analytical Engines".into()),
    };
    let laptop = |id: i64, holder: i64| AssetDoc {
        id,
        tag: format!("PC-{id:05}"),
        serial: Some(format!("SN{id}X")),
        asset_type: "laptop".into(),
        model: Some("ThinkPad T14".into()),
        location: Some("Room 4".into()),
        assigned_to: Some(UserId(holder)),
        assigned_name: None,
    };
    let index = index_with([
        Document::from(person),
        laptop(1, REQUESTER.get()).into(),
        laptop(2, 600).into(),
    ]);
    assert!(found(&index, &requester(), "ada").is_empty());
    assert_eq!(
        found(&index, &requester(), "thinkpad"),
        vec![DocKey::asset(1)]
    );
    assert_eq!(
        found(&index, &agent(100, &[]), "ada"),
        vec![DocKey::person(UserId(600))]
    );
    assert_eq!(found(&index, &agent(100, &[]), "thinkpad").len(), 2);
    assert_eq!(
        found(&index, &agent(100, &[]), "PC-00002"),
        vec![DocKey::asset(2)]
    );
    assert_eq!(
        found(&index, &agent(100, &[]), "sn2x"),
        vec![DocKey::asset(2)]
    );
    assert_eq!(
        found(&index, &agent(100, &[]), "ada@example.com"),
        vec![DocKey::person(UserId(600))]
    );
}

#[test]
fn totals_and_pages_count_only_what_the_actor_may_see() {
    let mut docs = Vec::new();
    for n in 0..30 {
        let mut doc = ticket(10001 + n, "printer offline", "");
        if n % 3 != 0 {
            doc.requester_id = UserId(999);
        }
        docs.push(Document::from(doc));
    }
    let index = index_with(docs);
    let request = SearchRequest {
        limit: 4,
        ..SearchRequest::new("printer")
    };
    let page = index.search(&requester(), &request).expect("search");
    assert_eq!(page.total, 10);
    assert_eq!(page.hits.len(), 4, "the page is full");
}
