//! Driving one Chromium session: start it, sign someone in, wait for text. The
//! [`Harness`](super::Harness) drives its own browser with these, and a test that needs
//! a second person at the desk drives a second browser with them too.

use super::{CHROMIUM, POLL, WAIT};
use crate::support::PASSWORD;
use std::path::Path;
use thirtyfour::prelude::*;

/// A Chromium session through the chromedriver at `driver_url`, with its own profile.
pub(super) async fn chromium(driver_url: &str, profile: &Path) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--lang=en-US",
        "--window-size=1360,900",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.display()))
        .unwrap();
    WebDriver::new(driver_url, caps)
        .await
        .expect("a Chromium session")
}

/// Signs `email` in on `driver`, on the desk at `base`.
pub(super) async fn sign_in_on(driver: &WebDriver, base: &str, email: &str) {
    driver.goto(format!("{base}/login")).await.unwrap();
    driver
        .find(By::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    driver
        .find(By::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    driver
        .find(By::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The sign-in page has a `main#main` too; only a signed-in page has the sign-out
    // form, so waiting for it is waiting for the form post to have landed.
    driver
        .query(By::Css("form[action='/logout']"))
        .wait(WAIT, POLL)
        .first()
        .await
        .unwrap();
}

/// Waits until an element matching `css` on `driver`'s page contains `text`.
pub(super) async fn wait_for_text_on(driver: &WebDriver, css: &str, text: &str) -> WebElement {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Ok(elements) = driver.find_all(By::Css(css)).await {
            for element in elements {
                if let Ok(content) = element.text().await
                    && content.contains(text)
                {
                    return element;
                }
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited {WAIT:?} for {text:?} in {css}"
        );
        tokio::time::sleep(POLL).await;
    }
}
