//! Browser tests: Debian's Chromium, driven through `/usr/bin/chromedriver` (started
//! here on 127.0.0.1), against the UI served on a random local port with a demo desk.
//!
//! Without Chromium or chromedriver these tests print `SKIPPED: ...` and pass, unless
//! `CI=true`, when they fail. Screenshots go to `test-output/screenshots/` at the
//! workspace root.

use crate::support::{NowForTests as _, PASSWORD};
use ferrodesk_app::{App, AppConfig, InteractionInput, NewTicketInput, RequesterRef};
use ferrodesk_domain::{Actor, Impact, Role, Ticket, TicketStatus, Urgency, UserId};
use ferrodesk_store::{Store, UserFilter};
use ferrodesk_testing::fixtures::{TempStore, clock_at};
use ferrodesk_ui::UiConfig;
use jiff::Timestamp;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;
use tokio::io::AsyncBufReadExt as _;

use drive::{chromium, sign_in_on, wait_for_text_on};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One browser at a time: two cores are shared with the rest of the suite.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long to wait for the page to show something (a bounded wait on a condition,
/// never a fixed sleep).
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);

fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        let message = format!(
            "SKIPPED: browser tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        );
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{message}; CI=true requires them"
        );
        println!("{message}");
        eprintln!("{message}");
    }
    present
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output/screenshots");
    std::fs::create_dir_all(&dir).expect("creating the screenshot folder");
    dir
}

/// A demo desk served on 127.0.0.1 and a chromedriver to drive Chromium.
struct Harness {
    app: App,
    /// The desk's clock, for tests that let time pass (service levels).
    clock: Arc<ferrodesk_app::ManualClock>,
    store: Arc<dyn Store>,
    base: String,
    driver: Option<WebDriver>,
    /// Where chromedriver listens, for a second browser.
    driver_url: String,
    chromedriver: tokio::process::Child,
    _profile: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl Harness {
    async fn start() -> Harness {
        let (store, data) = TempStore::sqlite().await.into_parts();
        let clock = clock_at(Timestamp::now());
        let app = App::new(store.clone(), clock.clone(), AppConfig::default());
        let hash = ferrodesk_app::hash_password(PASSWORD).await.unwrap();
        let mut options = ferrodesk_seed::SeedOptions::demo(clock.now_for_tests(), Some(hash));
        options.tickets = 160;
        options.customers = 30;
        ferrodesk_seed::seed(store.as_ref(), &options)
            .await
            .unwrap();
        app.add_user_as_system(ferrodesk_app::NewUserInput {
            email: "admin@ferrodesk.example".into(),
            name: "Ada Lindqvist".into(),
            role: "admin".into(),
            password: Some(PASSWORD.into()),
            ..ferrodesk_app::NewUserInput::default()
        })
        .await
        .unwrap();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = ferrodesk_ui::router(
            app.clone(),
            UiConfig {
                live_poll_interval: Duration::from_millis(300),
                ..UiConfig::default()
            },
        );
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });

        // chromedriver says on standard output when it listens; read that instead of
        // polling its port.
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let mut chromedriver = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("starting chromedriver");
        let stdout = chromedriver.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if line.contains("started successfully") {
                    return;
                }
            }
            panic!("chromedriver exited before it listened");
        })
        .await
        .expect("chromedriver starts within 30 s");
        // Keep draining its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let profile = tempfile::tempdir().unwrap();
        let driver_url = format!("http://127.0.0.1:{port}");
        let driver = chromium(&driver_url, profile.path()).await;
        Harness {
            app,
            clock,
            store,
            base: format!("http://{address}"),
            driver: Some(driver),
            driver_url,
            chromedriver,
            _profile: profile,
            _data: data,
        }
    }

    fn driver(&self) -> &WebDriver {
        self.driver.as_ref().expect("driver")
    }

    async fn stop(mut self) {
        if let Some(driver) = self.driver.take() {
            driver.quit().await.unwrap();
        }
        let _ = self.chromedriver.kill().await;
    }

    async fn user(&self, email: &str) -> UserId {
        let filter = UserFilter {
            text: Some(email.to_owned()),
            ..UserFilter::default()
        };
        self.store
            .list_users(&filter, &Default::default())
            .await
            .unwrap()
            .items[0]
            .id
    }

    async fn actor(&self, id: UserId) -> Actor {
        self.store.actor_for_user(id).await.unwrap()
    }

    /// The `n`-th customer of the demo desk, by id.
    async fn customer(&self, n: usize) -> ferrodesk_domain::User {
        let customers = UserFilter {
            role: Some(Role::Customer),
            ..UserFilter::default()
        };
        self.store
            .list_users(&customers, &Default::default())
            .await
            .unwrap()
            .items[n]
            .clone()
    }

    async fn go(&self, path: &str) {
        self.driver()
            .goto(format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn sign_in(&self, email: &str) {
        sign_in_on(self.driver(), &self.base, email).await;
    }

    /// Waits until an element matching `css` contains `text`. Live updates replace parts
    /// of the page while we look, so an element that went stale is simply looked up again.
    async fn wait_for_text(&self, css: &str, text: &str) -> WebElement {
        wait_for_text_on(self.driver(), css, text).await
    }

    /// Another browser (its own profile and cookies) on the same chromedriver: a second
    /// person at the desk. Quit it before [`Harness::stop`].
    async fn second_browser(&self) -> (WebDriver, tempfile::TempDir) {
        let profile = tempfile::tempdir().unwrap();
        let driver = chromium(&self.driver_url, profile.path()).await;
        (driver, profile)
    }

    async fn screenshot(&self, name: &str) {
        // Fonts are embedded; wait until they are ready so the picture is the real one.
        let _ = self
            .driver()
            .execute(
                "window.scrollTo(0, 0); return document.fonts.ready.then(() => true);",
                vec![],
            )
            .await;
        self.driver()
            .screenshot(&screenshot_dir().join(name))
            .await
            .unwrap();
    }

    /// A screenshot of a taller window, to show more of a long page.
    async fn screenshot_sized(&self, name: &str, width: u32, height: u32) {
        self.driver()
            .set_window_rect(0, 0, width, height)
            .await
            .unwrap();
        self.screenshot(name).await;
        self.driver()
            .set_window_rect(0, 0, 1360, 900)
            .await
            .unwrap();
    }

    async fn press(&self, keys: impl Into<TypingData>) {
        self.driver()
            .action_chain()
            .send_keys(keys.into())
            .perform()
            .await
            .unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        let element = self.driver().find(By::Css(css)).await.unwrap();
        SelectElement::new(&element)
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }
}

/// Makes a 24/7 default policy whose first response is due `first_response` minutes
/// after a ticket comes in (resolution within eight hours).
async fn always_open_policy(h: &Harness, first_response: i64) {
    use ferrodesk_app::{CalendarSpec, PolicySpec, TargetSpec};
    let admin = h.actor(h.user("admin@ferrodesk.example").await).await;
    let levels = h.app.service_levels();
    let calendar = levels
        .create_calendar(
            &admin,
            &CalendarSpec {
                name: "Always".into(),
                always_open: true,
                time_zone: "UTC".into(),
                ..CalendarSpec::default()
            },
        )
        .await
        .unwrap();
    let target = TargetSpec {
        first_response_minutes: Some(first_response),
        update_interval_minutes: None,
        resolution_minutes: Some(480),
    };
    levels
        .create_policy(
            &admin,
            &PolicySpec {
                name: "Around the clock".into(),
                calendar_id: calendar.id.get(),
                targets: [target; 4],
                warning_percent: 80,
                is_default: true,
                ..PolicySpec::default()
            },
        )
        .await
        .unwrap();
}

/// The number on the bell in the top bar, 0 when it shows none; `None` while the bell
/// is being swapped for a fresh one (the element read went stale).
async fn bell_count(h: &Harness) -> Option<i64> {
    match h.driver().find(By::Css("#bell .bell-count")).await {
        Ok(count) => count
            .attr("data-unread")
            .await
            .ok()
            .map(|n| n.and_then(|n| n.parse().ok()).unwrap_or(0)),
        Err(_) => Some(0),
    }
}

/// Waits until the bell shows `expected`, without reloading the page.
async fn wait_for_bell(h: &Harness, expected: i64) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let shown = bell_count(h).await;
        if shown == Some(expected) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the bell shows {shown:?}, not {expected}, after {WAIT:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

async fn open_for(
    app: &App,
    agent: &Actor,
    requester: UserId,
    subject: &str,
    impact: Impact,
    urgency: Urgency,
) -> Ticket {
    app.tickets()
        .create(
            agent,
            NewTicketInput {
                subject: subject.into(),
                description: "Since this morning the VPN client disconnects every few minutes. \
                              Error 809 on reconnect. I'm working from home today."
                    .into(),
                requester: Some(RequesterRef::Id(requester)),
                impact: Some(impact),
                urgency: Some(urgency),
                ..NewTicketInput::default()
            },
            None,
        )
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_a_ticket_from_the_queue() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let marta = h.user("marta.nowak@ferrodesk.example").await;
    let marta_actor = h.actor(marta).await;
    let customer = h.customer(0).await;
    let ticket = open_for(
        &h.app,
        &marta_actor,
        customer.id,
        "VPN disconnects every few minutes",
        Impact::Department,
        Urgency::High,
    )
    .await;

    h.sign_in("marta.nowak@ferrodesk.example").await;
    assert!(
        h.driver()
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/agent/queues/mine")
    );
    h.driver()
        .find(By::Css(r#"a[data-queue-link="open"]"#))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text("h1", "All open by priority").await;
    h.screenshot("agent-queue.png").await;
    h.screenshot_sized("agent-queue-phone.png", 390, 844).await;

    // A ticket created elsewhere (the API, another agent) shows up without a reload.
    let live = open_for(
        &h.app,
        &marta_actor,
        customer.id,
        "Projector in room 4.02 shows no signal",
        Impact::Individual,
        Urgency::Low,
    )
    .await;
    h.go("/agent/queues/open?sort=newest").await;
    h.wait_for_text("#queue", "VPN disconnects").await;
    let another = open_for(
        &h.app,
        &marta_actor,
        customer.id,
        "Badge reader at the garage entrance is dead",
        Impact::Department,
        Urgency::Medium,
    )
    .await;
    h.wait_for_text(
        "#queue tbody tr:first-child",
        "Badge reader at the garage entrance",
    )
    .await;
    drop((live, another));

    // "/" focuses the search box; it finds the ticket among everything the agent sees
    // (once the index, which follows the timeline behind the writes, has caught up).
    h.app.search().sync().await.unwrap();
    h.press("/").await;
    h.driver()
        .find(By::Id("search"))
        .await
        .unwrap()
        .send_keys("VPN disconnects" + Key::Enter)
        .await
        .unwrap();
    h.wait_for_text(".page-head p", "for “VPN disconnects”")
        .await;
    h.wait_for_text("main", "VPN disconnects every few minutes")
        .await;
    // In a queue filtered by subject: move with "j", open with Enter.
    h.go("/agent/queues/open?q=VPN+disconnects").await;
    h.wait_for_text("h1", "VPN disconnects").await;
    h.driver()
        .find(By::Css("body"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.press("j").await;
    h.press(Key::Enter).await;
    h.wait_for_text("#ticket-title", "VPN disconnects every few minutes")
        .await;
    assert!(
        h.driver()
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with(&ticket.id.to_string())
    );

    // Take it, reply (r jumps to the composer), add an internal note.
    h.driver()
        .find(By::Css("form.take button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(".alert.success", "Ticket details saved")
        .await;
    h.press("r").await;
    let body = h.driver().find(By::Id("body")).await.unwrap();
    assert_eq!(
        h.driver()
            .active_element()
            .await
            .unwrap()
            .id()
            .await
            .unwrap()
            .as_deref(),
        Some("body")
    );
    body.send_keys("Hi! Could you try the wired connection and tell me if it still drops?")
        .await
        .unwrap();
    h.driver()
        .find(By::Css("#composer button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(".timeline .msg.reply .body", "try the wired connection")
        .await;

    h.driver()
        .find(By::XPath(
            "//form[@id='composer']//label[input[@value='note']]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.driver()
        .find(By::Id("body"))
        .await
        .unwrap()
        .send_keys("Probably the new firewall rule from Tuesday.")
        .await
        .unwrap();
    h.driver()
        .find(By::Css("#composer button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(".timeline .msg.note", "firewall rule")
        .await;
    // Read in one step: the live timeline may replace the element between two calls.
    let note: serde_json::Value = h
        .driver()
        .execute(
            "return [...document.querySelectorAll('.timeline .msg.note')]
               .map((n) => n.innerText).find((t) => t.includes('firewall rule')) || '';",
            vec![],
        )
        .await
        .unwrap()
        .json()
        .clone();
    assert!(
        note.as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("internal"),
        "the note is marked internal: {note}"
    );

    // Someone else adds a note through the services: it appears without a reload.
    let supervisor = h.actor(h.user("supervisor@ferrodesk.example").await).await;
    h.app
        .tickets()
        .add_interaction(
            &supervisor,
            ticket.id,
            InteractionInput::Note {
                body: "Network team knows about it.".into(),
            },
            None,
        )
        .await
        .unwrap();
    h.wait_for_text(".timeline", "Network team knows about it")
        .await;

    // Escalate to second line, keeping the ticket: the actions menu opens its dialog.
    for css in [".actions-menu summary", "a[data-dialog=escalate-dialog]"] {
        h.driver()
            .find(By::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    h.driver()
        .query(By::Css("#escalate-dialog[open]"))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
    let network = h
        .store
        .list_groups()
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.name == "Network & Infrastructure")
        .unwrap();
    h.select("#escalate_group_id", &network.id.to_string())
        .await;
    h.driver()
        .find(By::Id("escalate_reason"))
        .await
        .unwrap()
        .send_keys("Firewall change needs second line")
        .await
        .unwrap();
    h.driver()
        .find(By::Css("input[name=escalate_unassign]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.driver()
        .find(By::XPath("//form[contains(@action,'/escalate')]//button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text("#ticket-header", "Network & Infrastructure · tier 2")
        .await;
    h.screenshot_sized("agent-ticket.png", 1360, 1700).await;

    // Resolve from the properties panel: the change saves at once.
    h.select("#prop-status", "resolved").await;
    h.wait_for_text("#ticket-header .badge", "Resolved").await;
    let saved = h.store.get_ticket(ticket.id).await.unwrap();
    assert_eq!(saved.status, TicketStatus::Resolved);
    assert_eq!(saved.group_id, Some(network.id));
    assert_eq!(saved.assignee_id, Some(marta));

    // The new-ticket form, with the derived priority shown as it changes.
    h.go("/agent/tickets/new").await;
    h.select("#impact", "organization").await;
    h.select("#urgency", "high").await;
    h.wait_for_text("#derived-priority", "P1 Critical").await;
    h.screenshot("agent-new-ticket.png").await;

    // Sign out, and in again as an admin.
    h.driver()
        .find(By::XPath("//form[@action='/logout']//button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(".alert.info", "You have signed out").await;
    h.sign_in("admin@ferrodesk.example").await;
    h.go("/admin/users?role=agent").await;
    h.wait_for_text("h1", "People").await;
    h.screenshot("admin-people.png").await;
    h.go("/admin/tokens").await;
    h.driver()
        .find(By::Id("owner_email"))
        .await
        .unwrap()
        .send_keys("ana.souza@ferrodesk.example")
        .await
        .unwrap();
    h.driver()
        .find(By::Id("name"))
        .await
        .unwrap()
        .send_keys("monitoring")
        .await
        .unwrap();
    h.driver()
        .find(By::XPath("//form[@action='/admin/tokens']//button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text("#new-token", "fd_").await;
    h.screenshot("admin-tokens.png").await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_submits_a_request_and_sees_the_public_reply_only() {
    if !browser_available() {
        return;
    }
    let _one = BROWSER.lock().await;
    let h = Harness::start().await;
    let customer = h.customer(3).await;
    h.sign_in(customer.email.as_str()).await;
    assert_eq!(h.driver().current_url().await.unwrap().path(), "/portal");
    h.screenshot("portal-list.png").await;

    h.driver()
        .find(By::LinkText("Report a problem"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.driver()
        .find(By::Id("subject"))
        .await
        .unwrap()
        .send_keys("Second monitor stays black")
        .await
        .unwrap();
    h.driver()
        .find(By::Id("description"))
        .await
        .unwrap()
        .send_keys("It worked yesterday. The cable is plugged in on both ends.")
        .await
        .unwrap();
    h.driver()
        .find(By::Id("device"))
        .await
        .unwrap()
        .send_keys("Dell P2422H")
        .await
        .unwrap();
    h.driver()
        .find(By::XPath("//label[.//span[text()='It slows me down']]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.driver()
        .find(By::Css("form button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(".alert.success", "Your request has been received")
        .await;
    let path = h.driver().current_url().await.unwrap().path().to_owned();
    let id: i64 = path.trim_start_matches("/portal/tickets/").parse().unwrap();

    // An agent answers publicly and leaves an internal note.
    let agent = h.actor(h.user("ana.souza@ferrodesk.example").await).await;
    let tickets = h.app.tickets();
    tickets
        .add_interaction(&agent, ferrodesk_domain::TicketId(id), InteractionInput::Reply { body: "Thanks! Please try the other DisplayPort on the dock; we'll swap the cable if that fails.".into() }, None)
        .await
        .unwrap();
    tickets
        .add_interaction(
            &agent,
            ferrodesk_domain::TicketId(id),
            InteractionInput::Note {
                body: "INTERNAL: dock firmware is outdated".into(),
            },
            None,
        )
        .await
        .unwrap();
    tickets
        .transition(
            &agent,
            ferrodesk_domain::TicketId(id),
            TicketStatus::PendingCustomer,
            None,
            None,
        )
        .await
        .unwrap();

    h.go(&path).await;
    h.wait_for_text(".conversation", "try the other DisplayPort")
        .await;
    let source = h.driver().source().await.unwrap();
    assert!(
        !source.contains("INTERNAL"),
        "the internal note leaked into the portal"
    );
    h.wait_for_text(".status-banner", "Waiting for your reply")
        .await;
    h.driver()
        .find(By::Id("body"))
        .await
        .unwrap()
        .send_keys("The other port works. Thank you!")
        .await
        .unwrap();
    h.driver()
        .find(By::Css("#reply button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_text(".conversation .bubble.mine", "The other port works")
        .await;
    h.screenshot("portal-ticket.png").await;

    // The same page on a phone.
    h.driver().set_window_rect(0, 0, 390, 844).await.unwrap();
    h.go(&path).await;
    h.wait_for_text(".conversation", "DisplayPort").await;
    h.screenshot("portal-ticket-phone.png").await;
    h.go("/portal").await;
    h.wait_for_text(".requests", "Second monitor stays black")
        .await;
    h.screenshot("portal-list-phone.png").await;
    h.stop().await;
}

mod composer;
mod custom_fields;
mod drive;
mod kb;
mod layout;
mod macros;
mod notification_kinds;
mod notifications;
mod presence;
mod queue;
mod queue_columns;
mod team;
mod ticket_templates;
mod ticket_view;
mod vendors;
