//! Search latency with 100,000 tickets and 1,000 articles in an on-disk index.
//!
//! Run in release mode:
//! `cargo run --release -p ferrodesk-search --example search_bench`
//! (set `SEARCH_BENCH_TICKETS` for another ticket count). The data is generated
//! (deterministic, six languages, realistic lengths); each query kind runs for an
//! admin, an agent of three groups and a customer, and the example prints p50 and p99
//! latency per kind, hits read back with their snippets included.

use std::error::Error;
use std::time::{Duration, Instant};

use ferrodesk_domain::{
    Actor, CategoryId, EventId, GroupId, OrganizationId, Role, TicketId, TicketStatus, UserId,
    Visibility,
};
use ferrodesk_search::{
    ArticleDoc, ArticleKind, ArticleStatus, Batch, Language, SearchIndex, SearchRequest,
    SearchScope, SimilarTo, TicketDoc,
};
use jiff::{SignedDuration, Timestamp};

const ARTICLES: i64 = 1_000;
const BATCH: usize = 5_000;
const RUNS_PER_QUERY: usize = 40;

const ENGLISH: &[&str] = &[
    "printer",
    "printers",
    "offline",
    "paper",
    "jam",
    "tray",
    "toner",
    "network",
    "vpn",
    "password",
    "reset",
    "outlook",
    "email",
    "mailbox",
    "laptop",
    "screen",
    "monitor",
    "keyboard",
    "mouse",
    "slow",
    "crash",
    "error",
    "update",
    "driver",
    "install",
    "license",
    "access",
    "folder",
    "share",
    "drive",
    "wifi",
    "connection",
    "login",
    "account",
    "locked",
    "phone",
    "headset",
    "meeting",
    "calendar",
    "teams",
    "browser",
    "certificate",
    "expired",
    "the",
    "is",
    "not",
    "working",
    "since",
    "morning",
    "again",
    "after",
    "cannot",
    "please",
    "help",
    "urgent",
    "office",
    "room",
    "floor",
    "server",
    "backup",
    "restore",
    "file",
];
const PORTUGUESE: &[&str] = &[
    "impressora",
    "impressoras",
    "papel",
    "rede",
    "senha",
    "computador",
    "lento",
    "erro",
    "atualização",
    "não",
    "funciona",
    "desde",
    "manhã",
    "acesso",
    "pasta",
    "conta",
    "bloqueada",
    "telefone",
    "reunião",
    "ecrã",
    "teclado",
    "ligação",
    "servidor",
    "ficheiro",
];
const SPANISH: &[&str] = &[
    "impresora",
    "impresoras",
    "papel",
    "red",
    "contraseña",
    "ordenador",
    "lento",
    "error",
    "actualización",
    "no",
    "funciona",
    "desde",
    "mañana",
    "acceso",
    "carpeta",
    "cuenta",
    "bloqueada",
    "teléfono",
    "reunión",
    "pantalla",
    "teclado",
    "conexión",
    "servidor",
];
const NORWEGIAN: &[&str] = &[
    "skriveren",
    "skriverne",
    "skriver",
    "papir",
    "nettverk",
    "passord",
    "datamaskinen",
    "treg",
    "feil",
    "oppdatering",
    "ikke",
    "virker",
    "siden",
    "morges",
    "tilgang",
    "mappe",
    "konto",
    "låst",
    "telefon",
    "møte",
    "skjermen",
    "tastatur",
    "tilkobling",
    "serveren",
];
const HUNGARIAN: &[&str] = &[
    "nyomtató",
    "nyomtatót",
    "nyomtatók",
    "papír",
    "hálózat",
    "jelszó",
    "számítógép",
    "lassú",
    "hiba",
    "frissítés",
    "nem",
    "működik",
    "reggel",
    "óta",
    "hozzáférés",
    "mappa",
    "fiók",
    "zárolva",
    "telefon",
    "értekezlet",
    "képernyő",
    "billentyűzet",
    "kapcsolat",
];
const POLISH: &[&str] = &[
    "drukarka",
    "drukarki",
    "drukarkę",
    "papier",
    "sieć",
    "hasło",
    "komputer",
    "wolno",
    "błąd",
    "aktualizacja",
    "nie",
    "działa",
    "rano",
    "dostęp",
    "folder",
    "konto",
    "zablokowane",
    "telefon",
    "spotkanie",
    "ekran",
    "klawiatura",
    "połączenie",
    "serwer",
];

/// A small deterministic generator (xorshift64*), so every run indexes the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len() as u64) as usize]
    }

    /// `count` words, mostly from `words`, some identifiers and rare words.
    fn text(&mut self, words: &[&str], count: u64) -> String {
        let mut out = Vec::new();
        for _ in 0..count {
            match self.below(10) {
                0 => out.push(format!("host{:05}", self.below(20_000))),
                1 => out.push(format!("code{}", self.below(50_000))),
                _ => out.push(self.pick(words).to_owned()),
            }
        }
        out.join(" ")
    }
}

fn vocabulary(language: Language) -> &'static [&'static str] {
    match language {
        Language::English => ENGLISH,
        Language::Portuguese => PORTUGUESE,
        Language::Spanish => SPANISH,
        Language::Norwegian => NORWEGIAN,
        Language::Hungarian => HUNGARIAN,
        Language::Polish => POLISH,
    }
}

fn ticket(rng: &mut Rng, id: i64, start: Timestamp) -> TicketDoc {
    let language = match rng.below(20) {
        0..=9 => Language::English,
        10..=11 => Language::Portuguese,
        12..=13 => Language::Spanish,
        14..=15 => Language::Norwegian,
        16..=17 => Language::Hungarian,
        _ => Language::Polish,
    };
    let words = vocabulary(language);
    let subject_words = 3 + rng.below(5);
    let description_words = 15 + rng.below(50);
    let created = start + SignedDuration::from_mins(id);
    let status = TicketStatus::ALL[rng.below(TicketStatus::ALL.len() as u64) as usize];
    TicketDoc {
        id: TicketId(10_000 + id),
        subject: rng.text(words, subject_words),
        description: rng.text(words, description_words),
        public_replies: (0..rng.below(4))
            .map(|_| {
                let n = 8 + rng.below(30);
                rng.text(words, n)
            })
            .collect(),
        internal_notes: (0..rng.below(3))
            .map(|_| {
                let n = 5 + rng.below(20);
                rng.text(words, n)
            })
            .collect(),
        status,
        group_id: Some(GroupId(1 + rng.below(20) as i64)),
        category_id: Some(CategoryId(1 + rng.below(50) as i64)),
        requester_id: UserId(1_000 + rng.below(5_000) as i64),
        organization_id: Some(OrganizationId(1 + rng.below(200) as i64)),
        owner_id: None,
        assignee_id: (rng.below(2) == 0).then(|| UserId(100 + rng.below(40) as i64)),
        created_at: created,
        updated_at: created + SignedDuration::from_hours(rng.below(200) as i64),
        language,
    }
}

fn article(rng: &mut Rng, id: i64, start: Timestamp) -> ArticleDoc {
    let language = if rng.below(2) == 0 {
        Language::English
    } else {
        Language::ALL[rng.below(6) as usize]
    };
    let words = vocabulary(language);
    let title_words = 4 + rng.below(4);
    let body_words = 80 + rng.below(300);
    ArticleDoc {
        id,
        title: rng.text(words, title_words),
        body: rng.text(words, body_words),
        kind: ArticleKind::Troubleshooting,
        visibility: if rng.below(4) == 0 {
            Visibility::Internal
        } else {
            Visibility::Public
        },
        status: if rng.below(10) == 0 {
            ArticleStatus::Draft
        } else {
            ArticleStatus::Published
        },
        category_id: Some(CategoryId(1 + rng.below(50) as i64)),
        language,
        created_at: start,
        updated_at: start,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn main() -> Result<(), Box<dyn Error>> {
    let tickets: i64 = std::env::var("SEARCH_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let index = SearchIndex::open(dir.path())?;
    let start: Timestamp = "2024-01-01T00:00:00Z".parse()?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    let began = Instant::now();
    let mut batch = Batch::new();
    for id in 1..=tickets {
        batch.upsert(ticket(&mut rng, id, start));
        if batch.len() == BATCH {
            batch.up_to(EventId(id));
            index.apply(std::mem::take(&mut batch))?;
        }
    }
    for id in 1..=ARTICLES {
        batch.upsert(article(&mut rng, id, start));
    }
    batch.up_to(EventId(tickets + ARTICLES));
    index.apply(batch)?;
    let indexing = began.elapsed();
    println!(
        "indexed {} documents in {:.1} s ({:.0} docs/s)",
        index.num_docs(),
        indexing.as_secs_f64(),
        index.num_docs() as f64 / indexing.as_secs_f64()
    );

    let scopes = [
        ("admin", role(Role::Admin, 1, &[])),
        ("agent", role(Role::Agent, 100, &[1, 2, 3])),
        ("customer", role(Role::Customer, 1_234, &[])),
    ];
    let queries: &[(&str, &[&str], bool)] = &[
        (
            "one common word",
            &["printer", "password", "email", "network"],
            false,
        ),
        (
            "two words",
            &["printer offline", "password reset", "vpn connection"],
            false,
        ),
        (
            "rare identifier",
            &["host01234", "code4711", "host19999"],
            false,
        ),
        (
            "phrase",
            &["\"paper jam\"", "\"password reset\"", "\"not working\""],
            false,
        ),
        ("prefix", &["print*", "pass*", "conn*"], false),
        ("typo", &["pritner", "pasword", "netwrok"], false),
        (
            "other language",
            &["impressoras", "skriverne", "nyomtatót", "drukarki"],
            false,
        ),
        (
            "as you type",
            &["printer of", "vpn con", "password re"],
            true,
        ),
        ("empty (newest first)", &[""], false),
    ];

    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>10}",
        "query (limit 20)", "p50 ms", "p99 ms", "max ms", "avg total"
    );
    let mut all = Vec::new();
    for (name, texts, is_prefix_last) in queries {
        let mut times = Vec::new();
        let mut totals = 0usize;
        for run in 0..RUNS_PER_QUERY {
            for (_, scope) in &scopes {
                let request = SearchRequest {
                    is_prefix_last: *is_prefix_last,
                    ..SearchRequest::new(texts[run % texts.len()])
                };
                let began = Instant::now();
                let results = index.search(scope, &request)?;
                times.push(began.elapsed());
                totals += results.total;
            }
        }
        times.sort();
        println!(
            "{:<22} {:>9.2} {:>9.2} {:>9.2} {:>10}",
            name,
            millis(percentile(&times, 0.5)),
            millis(percentile(&times, 0.99)),
            millis(percentile(&times, 1.0)),
            totals / times.len()
        );
        all.extend(times);
    }

    let mut times = Vec::new();
    for run in 0..RUNS_PER_QUERY {
        let source = ticket(&mut rng, tickets + 1 + run as i64, start);
        let similar = SimilarTo {
            subject: source.subject.clone(),
            description: source.description.clone(),
            language: source.language,
            exclude: Some(source.id),
            limit: 5,
        };
        let began = Instant::now();
        index.similar_tickets(&scopes[1].1, &similar)?;
        times.push(began.elapsed());
    }
    times.sort();
    println!(
        "{:<22} {:>9.2} {:>9.2} {:>9.2}",
        "similar tickets",
        millis(percentile(&times, 0.5)),
        millis(percentile(&times, 0.99)),
        millis(percentile(&times, 1.0)),
    );
    all.extend(times);

    let mut times = Vec::new();
    for run in 0..RUNS_PER_QUERY {
        let subject = ["my printer is offl", "cannot reset passw", "impressora não"][run % 3];
        let began = Instant::now();
        index.suggest_articles(&scopes[2].1, subject, Language::English, 5)?;
        times.push(began.elapsed());
    }
    times.sort();
    println!(
        "{:<22} {:>9.2} {:>9.2} {:>9.2}",
        "suggested articles",
        millis(percentile(&times, 0.5)),
        millis(percentile(&times, 0.99)),
        millis(percentile(&times, 1.0)),
    );
    all.extend(times);

    all.sort();
    println!(
        "{:<22} {:>9.2} {:>9.2} {:>9.2}   ({} queries)",
        "all",
        millis(percentile(&all, 0.5)),
        millis(percentile(&all, 0.99)),
        millis(percentile(&all, 1.0)),
        all.len()
    );
    Ok(())
}

fn role(role: Role, user: i64, groups: &[i64]) -> SearchScope {
    SearchScope::for_actor(&Actor {
        user_id: UserId(user),
        role,
        group_ids: groups.iter().copied().map(GroupId).collect(),
        organization_id: Some(OrganizationId(1)),
        organization_shares_tickets: false,
    })
}
