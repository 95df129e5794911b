//! A desk for the tests: a real SQLite store in a temp dir, the app with a manual
//! clock, the UI router, sample people and groups, and helpers to send requests as
//! someone with a session.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ferrodesk_app::{App, AppConfig, ArticleInput, ManualClock, NewTicketInput, RequesterRef};
use ferrodesk_domain::{
    Actor, Article, ArticleStatus, EmailAddress, GroupId, Role, Ticket, TicketId, Tier, UserId,
    Visibility,
};
use ferrodesk_store::{NewGroup, NewSession, NewUser, Store};
use ferrodesk_testing::fixtures::{TempStore, clock_at};
use ferrodesk_ui::{UiConfig, router};
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt as _;

/// The password of every sample person.
pub const PASSWORD: &str = "correct horse battery";

/// One Argon2 hash for every sample person, computed once per test binary.
static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

async fn password_hash() -> String {
    HASH.get_or_init(|| async {
        ferrodesk_app::hash_password(PASSWORD)
            .await
            .expect("hashing the sample password")
    })
    .await
    .clone()
}

/// A browser session: the cookie and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub user_id: UserId,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page (status {}):\n{}",
            self.status,
            self.body
        );
    }

    #[track_caller]
    pub fn assert_lacks(&self, text: &str) {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in the page:\n{}",
            self.body
        );
    }

    /// The text of the field error shown next to `field`.
    pub fn field_error(&self, field: &str) -> Option<String> {
        let marker = format!("id=\"{field}-error\">");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('<')? + start;
        Some(self.body[start..end].to_owned())
    }
}

/// The desk under test.
pub struct Desk {
    pub app: App,
    pub router: Router,
    pub clock: Arc<ManualClock>,
    pub store: Arc<dyn Store>,
    pub service_desk: GroupId,
    pub network: GroupId,
    pub admin: Session,
    pub agent: Session,
    pub network_agent: Session,
    pub customer: Session,
    pub other_customer: Session,
    _dir: tempfile::TempDir,
}

impl Desk {
    pub async fn new() -> Desk {
        Desk::with_config(UiConfig {
            live_poll_interval: Duration::from_millis(50),
            ..UiConfig::default()
        })
        .await
    }

    pub async fn with_config(config: UiConfig) -> Desk {
        let (store, dir) = TempStore::sqlite().await.into_parts();
        let clock = clock_at(Timestamp::now());
        let app = App::new(store.clone(), clock.clone(), AppConfig::default());
        let now = clock.now_for_tests();
        let network = store
            .create_group(NewGroup {
                name: "Network".into(),
                tier: Tier::new(2).expect("tier"),
                description: "Second line: network and VPN".into(),
                escalates_to: None,
                now,
            })
            .await
            .expect("group");
        let service_desk = store
            .create_group(NewGroup {
                name: "Service Desk".into(),
                tier: Tier::FIRST,
                description: "First line".into(),
                escalates_to: Some(network.id),
                now,
            })
            .await
            .expect("group");
        let router = router(app.clone(), config);
        let mut desk = Desk {
            app,
            router,
            clock,
            store,
            service_desk: service_desk.id,
            network: network.id,
            admin: placeholder(),
            agent: placeholder(),
            network_agent: placeholder(),
            customer: placeholder(),
            other_customer: placeholder(),
            _dir: dir,
        };
        desk.admin = desk
            .person("admin@desk.test", "Ada Admin", Role::Admin, None)
            .await;
        desk.agent = desk
            .person(
                "ana@desk.test",
                "Ana Souza",
                Role::Agent,
                Some(desk.service_desk),
            )
            .await;
        desk.network_agent = desk
            .person(
                "priya@desk.test",
                "Priya Raman",
                Role::Agent,
                Some(desk.network),
            )
            .await;
        desk.customer = desk
            .person("maria@example.test", "Maria Silva", Role::Customer, None)
            .await;
        desk.other_customer = desk
            .person("lars@example.test", "Lars Hansen", Role::Customer, None)
            .await;
        desk
    }

    /// Creates a person who can sign in, and a session for them.
    pub async fn person(
        &self,
        email: &str,
        name: &str,
        role: Role,
        group: Option<GroupId>,
    ) -> Session {
        let user = self
            .store
            .create_user(NewUser {
                email: EmailAddress::parse(email).expect("email"),
                name: name.into(),
                role,
                organization_id: None,
                phone: None,
                location: None,
                employee_id: None,
                locale: "en".into(),
                time_zone: "Europe/Lisbon".into(),
                tier: role.is_staff().then_some(Tier::FIRST),
                group_ids: group.into_iter().collect(),
                password_hash: Some(password_hash().await),
                now: self.clock.now_for_tests(),
            })
            .await
            .expect("user");
        self.session_for(user.id).await
    }

    /// A fresh session for a person, as signing in would create it.
    pub async fn session_for(&self, user_id: UserId) -> Session {
        let cookie = ferrodesk_app::secret::random_secret();
        let csrf = ferrodesk_app::secret::random_secret();
        let now = self.clock.now_for_tests();
        self.store
            .create_session(NewSession {
                session_hash: ferrodesk_app::secret::sha256_hex(&cookie),
                user_id,
                csrf_secret: csrf.clone(),
                expires_at: now + SignedDuration::from_hours(12),
                now,
            })
            .await
            .expect("session");
        Session {
            cookie,
            csrf,
            user_id,
        }
    }

    pub async fn actor(&self, session: &Session) -> Actor {
        self.store
            .actor_for_user(session.user_id)
            .await
            .expect("actor")
    }

    /// A published public article written by the agent, through the services.
    pub async fn published_article(&self, title: &str, body: &str) -> Article {
        let actor = self.actor(&self.agent).await;
        self.app
            .kb()
            .create(
                &actor,
                ArticleInput {
                    title: title.into(),
                    body: body.into(),
                    status: Some(ArticleStatus::Published),
                    visibility: Some(Visibility::Public),
                    ..ArticleInput::default()
                },
            )
            .await
            .expect("article")
    }

    /// Opens a ticket for `requester` through the services (as the API would).
    pub async fn ticket(&self, requester: &Session, subject: &str) -> Ticket {
        let actor = self.actor(&self.agent).await;
        self.app
            .tickets()
            .create(
                &actor,
                NewTicketInput {
                    subject: subject.into(),
                    description: format!("Details about {subject}"),
                    requester: Some(RequesterRef::Id(requester.user_id)),
                    group_id: Some(self.service_desk),
                    ..NewTicketInput::default()
                },
                None,
            )
            .await
            .expect("ticket")
            .into_inner()
    }

    pub async fn send(&self, request: Request<Body>) -> Page {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Page {
        let mut request = Request::get(path);
        if let Some(session) = session {
            request = request.header(
                header::COOKIE,
                format!("ferrodesk_session={}", session.cookie),
            );
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// Posts a form as a same-origin browser would, with the session's CSRF token.
    pub async fn post(&self, path: &str, session: &Session, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", session.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(
            path,
            Some(session),
            &all,
            &[("sec-fetch-site", "same-origin")],
        )
        .await
    }

    /// Posts exactly these fields and headers.
    pub async fn post_raw(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body = form_body(fields);
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(session) = session {
            request = request.header(
                header::COOKIE,
                format!("ferrodesk_session={}", session.cookie),
            );
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Posts a `multipart/form-data` form: fields (the session's CSRF secret first)
    /// and files as (input name, file name, content type, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        session: &Session,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> Page {
        let boundary = "ferrodesk-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        let mut all: Vec<(&str, &str)> = vec![("csrf", session.csrf.as_str())];
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, filename, content_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\ncontent-type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(
                header::COOKIE,
                format!("ferrodesk_session={}", session.cookie),
            )
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// An always-open calendar and a default SLA policy through the admin pages: the
    /// first response is due `first_response` minutes after a ticket comes in, the
    /// resolution eight hours after.
    pub async fn default_sla_policy(&self, first_response: &str) {
        let page = self
            .post(
                "/admin/calendars",
                &self.admin,
                &[("name", "Always"), ("always_open", "on")],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let calendar = self.store.list_calendars().await.expect("calendars")[0].id;
        let mut fields = vec![
            ("name".to_owned(), "Standard".to_owned()),
            ("calendar_id".to_owned(), calendar.to_string()),
            ("warning_percent".to_owned(), "80".to_owned()),
            ("is_default".to_owned(), "on".to_owned()),
        ];
        for p in 1..=4 {
            fields.push((format!("p{p}_first_response"), first_response.to_owned()));
            fields.push((format!("p{p}_resolution"), "480".to_owned()));
        }
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let page = self.post("/admin/sla-policies", &self.admin, &fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }

    pub async fn reload(&self, id: TicketId) -> Ticket {
        self.store.get_ticket(id).await.expect("ticket")
    }
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn placeholder() -> Session {
    Session {
        cookie: String::new(),
        csrf: String::new(),
        user_id: UserId(0),
    }
}

/// Reading the manual clock without importing the trait everywhere.
pub trait NowForTests {
    fn now_for_tests(&self) -> Timestamp;
}

impl NowForTests for ManualClock {
    fn now_for_tests(&self) -> Timestamp {
        ferrodesk_app::Clock::now(self)
    }
}
