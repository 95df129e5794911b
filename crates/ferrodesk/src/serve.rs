//! `ferrodesk serve`: open the store, create the first admin, optionally fill a demo
//! desk, and serve until SIGTERM or Ctrl-C, letting in-flight requests finish.

use crate::cli::ServeArgs;
use crate::config::Config;
use anyhow::Context as _;

/// Password of every sample person in a `--demo` desk. Printed at start; a demo desk
/// is for trying the product, never for real data.
const DEMO_PASSWORD: &str = "demo-password";

/// Runs the desk.
pub async fn serve(config: &Config, args: &ServeArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mail = crate::mailio::setup(&args.mail)?;
    let app = config.open_app().await?;
    if let Some(admin) = app.ensure_first_admin().await? {
        println!("Created the first admin. Sign in with:");
        println!("  email:    {}", admin.email);
        println!("  password: {}", admin.password);
        println!("This password is shown only once; change it after signing in.");
    }
    if args.demo {
        seed_demo(&app).await?;
    }
    // The index catches up with what happened while the desk was down, then follows
    // the timeline, in its own task; requests never wait for it.
    config.attach_search_index(&app)?;
    app.search().start_projection()?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    // With port 0 the system picks the port; print the real one.
    let address = listener.local_addr().context("reading the bound address")?;
    // The UI answers its own paths (/, /login, /agent, /portal, /admin, /assets) and
    // hands everything else (the API, /healthz) to the API router.
    let api = ferrodesk_web::router(
        app.clone(),
        ferrodesk_web::WebConfig {
            secure_cookies: args.secure_cookies,
            ..ferrodesk_web::WebConfig::default()
        },
    );
    // SLA timers, escalation and automations run as due jobs on every node; the
    // runner stops with the server.
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = app.jobs(ferrodesk_app::RunnerConfig::default());
    let jobs = tokio::spawn(runner.run(async {
        let _ = jobs_stopped.await;
    }));
    let is_smtp_configured = mail.has_smtp();
    let mail = crate::mailio::start(&app, &args.mail, mail);
    let ui = ferrodesk_ui::router(
        app.clone(),
        ferrodesk_ui::UiConfig {
            secure_cookies: args.secure_cookies,
            is_smtp_configured,
            ..ferrodesk_ui::UiConfig::default()
        },
    );
    let router = ui.fallback_service(api);
    tracing::info!(
        %address,
        database = %config.database,
        startup_ms = started.elapsed().as_millis() as u64,
        "ferrodesk is listening"
    );
    println!("Ferrodesk is listening on http://{address}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
    let _ = stop_jobs.send(());
    let _ = jobs.await;
    mail.stop().await;
    // The index's last look finishes, and its writer lock is let go.
    app.search().stop().await;
    tracing::info!("stopped; every acknowledged request is on disk");
    Ok(())
}

async fn seed_demo(app: &ferrodesk_app::App) -> anyhow::Result<()> {
    let hash = ferrodesk_app::hash_password(DEMO_PASSWORD).await?;
    let options = ferrodesk_seed::SeedOptions::demo(jiff::Timestamp::now(), Some(hash));
    match ferrodesk_seed::seed(app.store().as_ref(), &options).await {
        Ok(summary) => {
            println!(
                "Demo desk ready: {} people, {} tickets. Sample staff sign in as \
                 ana.souza@ferrodesk.example (tier 1), lucia.fernandez@ferrodesk.example (tier 2), \
                 supervisor@ferrodesk.example; every sample password is '{DEMO_PASSWORD}'.",
                summary.people, summary.tickets
            );
            Ok(())
        }
        Err(ferrodesk_seed::SeedError::NotEmpty) => {
            println!("--demo: the desk already has tickets; no sample data added");
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
