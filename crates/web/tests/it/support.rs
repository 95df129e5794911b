//! `TestApp`: a desk on a fresh store with a manual clock, driven through the router
//! in-process, plus helpers to create people of each role with API tokens.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request};
use ferrodesk_app::{App, AppConfig, ManualClock, NewUserInput, Store};
use ferrodesk_testing::fixtures::{self, TempStore};
use ferrodesk_web::WebConfig;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt as _;

/// A desk under test.
pub struct TestApp {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub router: Router,
    counter: AtomicUsize,
    _guard: Box<dyn std::any::Any + Send + Sync>,
}

/// A person with an API token.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub token: String,
}

/// A small desk: two groups, staff of every role, two customers of one organization.
#[derive(Debug, Clone)]
pub struct Desk {
    pub admin: Person,
    pub supervisor: Person,
    /// Tier 1, in "Service Desk".
    pub agent: Person,
    /// Tier 2, in "Network".
    pub network_agent: Person,
    pub customer: Person,
    pub other_customer: Person,
    pub service_desk: i64,
    pub network: i64,
    pub organization: i64,
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let (store, dir) = TempStore::sqlite().await.into_parts();
        TestApp::build(store, Box::new(dir), WebConfig::default())
    }

    pub async fn postgres() -> Option<TestApp> {
        let database = ferrodesk_testing::postgres::TestDatabase::create().await?;
        let store = ferrodesk_store_postgres::PgStore::connect(database.url())
            .await
            .unwrap();
        Some(TestApp::build(
            Arc::new(store),
            Box::new(database),
            WebConfig::default(),
        ))
    }

    fn build(
        store: Arc<dyn Store>,
        guard: Box<dyn std::any::Any + Send + Sync>,
        config: WebConfig,
    ) -> TestApp {
        let clock = fixtures::clock();
        let app = App::new(store, clock.clone(), AppConfig::default());
        let router = ferrodesk_web::router(app.clone(), config);
        TestApp {
            app,
            clock,
            router,
            counter: AtomicUsize::new(0),
            _guard: guard,
        }
    }

    /// The same desk served with other HTTP settings.
    pub fn with_web_config(mut self, config: WebConfig) -> TestApp {
        self.router = ferrodesk_web::router(self.app.clone(), config);
        self
    }

    fn next(&self) -> usize {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// Creates a person through the command-line entry point, with a token.
    pub async fn person(
        &self,
        role: &str,
        tier: Option<i64>,
        groups: &[&str],
        organization: Option<&str>,
    ) -> Person {
        self.person_with_password(role, tier, groups, organization, None)
            .await
    }

    pub async fn person_with_password(
        &self,
        role: &str,
        tier: Option<i64>,
        groups: &[&str],
        organization: Option<&str>,
        password: Option<&str>,
    ) -> Person {
        let email = format!("{role}{}@example.com", self.next());
        let user = self
            .app
            .add_user_as_system(NewUserInput {
                email: email.clone(),
                name: format!("Test {role}"),
                role: role.into(),
                tier,
                groups: groups.iter().map(|g| g.to_string()).collect(),
                organization: organization.map(str::to_owned),
                password: password.map(str::to_owned),
            })
            .await
            .unwrap();
        let token = self
            .app
            .create_token_as_system(&email, "tests")
            .await
            .unwrap();
        Person {
            id: user.id.get(),
            email,
            token,
        }
    }

    /// Two groups, an organization, and a person of every role.
    pub async fn desk(&self) -> Desk {
        let admin = self.person("admin", None, &[], None).await;
        let service_desk = self
            .post("/api/v1/groups")
            .token(&admin.token)
            .json(json!({"name": "Service Desk", "tier": 1}))
            .send()
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap();
        let network = self
            .post("/api/v1/groups")
            .token(&admin.token)
            .json(json!({"name": "Network", "tier": 2}))
            .send()
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap();
        let organization = self
            .post("/api/v1/organizations")
            .token(&admin.token)
            .json(json!({"name": "Acme"}))
            .send()
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap();
        Desk {
            supervisor: self.person("supervisor", Some(2), &[], None).await,
            agent: self.person("agent", Some(1), &["Service Desk"], None).await,
            network_agent: self.person("agent", Some(2), &["Network"], None).await,
            customer: self.person("customer", None, &[], Some("Acme")).await,
            other_customer: self.person("customer", None, &[], Some("Acme")).await,
            admin,
            service_desk,
            network,
            organization,
        }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        self.call(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            app: self,
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Opens a ticket as `who` and returns its body.
    pub async fn ticket(&self, who: &Person, body: Value) -> Value {
        self.post("/api/v1/tickets")
            .token(&who.token)
            .json(body)
            .send()
            .await
            .ok(201)
    }

    /// How many tickets an admin sees: to prove a failed request wrote nothing.
    pub async fn ticket_count(&self, admin: &Person) -> usize {
        let mut count = 0;
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/tickets?limit=200&cursor={c}"),
                None => "/api/v1/tickets?limit=200".to_owned(),
            };
            let page = self.get(&path).token(&admin.token).send().await.ok(200);
            count += page["items"].as_array().unwrap().len();
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return count,
            }
        }
    }
}

/// One request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Call<'_> {
    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(self, body: Value) -> Self {
        self.raw("application/json", serde_json::to_vec(&body).unwrap())
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.headers
            .push(("content-type".into(), content_type.into()));
        self.body = Some(body.into());
        self
    }

    pub async fn send(self) -> Resp {
        let mut request = Request::builder()
            .method(self.method.clone())
            .uri(&self.path);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let mut request = request
            .body(self.body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
            what: format!("{} {}", self.method, self.path),
        }
    }
}

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    what: String,
}

impl Resp {
    /// The body, after checking the status.
    #[track_caller]
    pub fn ok(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}: {}", self.what, self.text);
        self.body
    }

    /// Checks an error response: status, JSON error shape and code.
    #[track_caller]
    pub fn err(self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}: {}", self.what, self.text);
        assert_eq!(
            self.body["error"]["code"], code,
            "{}: {}",
            self.what, self.text
        );
        assert!(self.body["error"]["message"].is_string(), "{}", self.text);
        self.body
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The `items` of a listing response (tickets, events, links...).
pub fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().unwrap().clone()
}
